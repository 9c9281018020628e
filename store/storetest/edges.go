package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

func testMissingDocuments(t *testing.T, s store.Store) {
	u := "https://shared.example/"
	a, b := doc("a.txt", t0), doc("b.txt", t0)
	save(t, s, a, source(u, 1), cited("https://only-a.example/", 2))
	save(t, s, b, cited(u, 1))

	gone := t0.Add(48 * time.Hour)
	if err := s.MarkDocumentMissing(ctxT(t), a.Path, gone); err != nil {
		t.Fatal(err)
	}
	// A second sighting keeps the first time.
	if err := s.MarkDocumentMissing(ctxT(t), a.Path, gone.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := getDoc(t, s, a.Path); !got.MissingSince.Equal(gone) {
		t.Errorf("MissingSince = %v, want %v", got.MissingSince, gone)
	}
	if ds := docs(t, s); len(ds) != 2 || !ds[0].MissingSince.Equal(gone) || !ds[1].MissingSince.IsZero() {
		t.Errorf("Documents = %+v, want a missing since %v, b present", ds, gone)
	}

	l := link(t, s, u)
	if l.Occurrences != 1 || !reflect.DeepEqual(l.Roles, []string{"cited"}) {
		t.Errorf("shared link with a missing: %d occurrences, roles %v; want 1, [cited]", l.Occurrences, l.Roles)
	}
	if o := link(t, s, "https://only-a.example/"); o.Occurrences != 0 || len(o.Roles) != 0 {
		t.Errorf("link only in the missing document: %+v", o)
	}
	if got := linkURLs(links(t, s, store.LinkFilter{Role: store.RoleSource})); len(got) != 0 {
		t.Errorf("role filter sees the missing document: %v", got)
	}
	if got := linkURLs(links(t, s, store.LinkFilter{DocumentPath: a.Path})); len(got) != 0 {
		t.Errorf("document filter sees the missing document: %v", got)
	}
	if got := linkOccs(t, s, u); len(got) != 1 || got[0].Document.Path != b.Path {
		t.Errorf("LinkOccurrences with a missing = %+v", got)
	}

	// It comes back unchanged: resaving restores it and its counts.
	a.ScannedAt = gone.Add(72 * time.Hour)
	wantStats(t, save(t, s, a, source(u, 1), cited("https://only-a.example/", 2)), 2, 0, 0)
	if got := getDoc(t, s, a.Path); !got.MissingSince.IsZero() {
		t.Errorf("MissingSince after resave = %v, want zero", got.MissingSince)
	}
	if l := link(t, s, u); l.Occurrences != 2 || !reflect.DeepEqual(l.Roles, []string{"cited", "source"}) {
		t.Errorf("shared link after return: %d occurrences, roles %v", l.Occurrences, l.Roles)
	}
}

func testOrdering(t *testing.T, s store.Store) {
	paths := []string{"z.txt", "a/b.txt", "m.txt", "a.txt", "B.txt"}
	for i, p := range paths {
		save(t, s, doc(p, t0), cited(fmt.Sprintf("https://%c.example/%d", 'z'-i, i), 1))
	}
	var got []string
	for _, d := range docs(t, s) {
		got = append(got, d.Path)
	}
	if want := []string{"B.txt", "a.txt", "a/b.txt", "m.txt", "z.txt"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Documents order = %v, want %v (bytewise by path)", got, want)
	}
	want := []string{"https://v.example/4", "https://w.example/3", "https://x.example/2", "https://y.example/1", "https://z.example/0"}
	if got := linkURLs(links(t, s, store.LinkFilter{})); !reflect.DeepEqual(got, want) {
		t.Errorf("Links order = %v, want %v", got, want)
	}
	// Occurrences: by document path, then offset.
	u := "https://order.example/"
	late, early := cited(u, 9), cited(u, 2)
	save(t, s, doc("y.txt", t0), late, early)
	save(t, s, doc("x.txt", t0), late)
	var where []string
	for _, lo := range linkOccs(t, s, u) {
		where = append(where, fmt.Sprintf("%s:%d", lo.Document.Path, lo.Occurrence.Line))
	}
	if want := []string{"x.txt:9", "y.txt:2", "y.txt:9"}; !reflect.DeepEqual(where, want) {
		t.Errorf("LinkOccurrences order = %v, want %v", where, want)
	}
}

// A crawler streams links and writes results as it goes; a scanner streams
// documents and marks some missing. Neither may deadlock.
func testCallbacksUseStore(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	for i := range 5 {
		save(t, s, doc(fmt.Sprintf("d%d.txt", i), t0), cited(fmt.Sprintf("https://e.example/%d", i), 1))
	}
	n := 0
	err := s.Documents(ctx, func(d store.Document) error {
		n++
		// Read, stream and write from inside the stream.
		if _, err := s.DocumentByPath(ctx, d.Path); err != nil {
			return err
		}
		if err := s.Links(ctx, store.LinkFilter{DocumentPath: d.Path}, func(l store.Link) error {
			return s.LinkOccurrences(ctx, l.URL, func(store.LinkOccurrence) error {
				_, err := s.SaveDocument(ctx, doc("new-"+d.Path, t0), []store.Occurrence{cited(l.URL, 2)})
				return err
			})
		}); err != nil {
			return err
		}
		return s.MarkDocumentMissing(ctx, d.Path, t0.Add(time.Hour))
	})
	if err != nil {
		t.Fatalf("Documents with a writing callback: %v", err)
	}
	// The stream sees the catalog as it was when it started (5 documents)
	// or, at most, also what was written meanwhile; it must not loop.
	if n < 5 || n > 10 {
		t.Errorf("callback ran %d times", n)
	}
	if got := len(docs(t, s)); got != 10 {
		t.Errorf("documents after = %d, want 10", got)
	}
	err = s.Links(ctx, store.LinkFilter{}, func(l store.Link) error {
		return s.MarkDocumentMissing(ctx, "new-d0.txt", t0)
	})
	if err != nil {
		t.Fatalf("Links with a writing callback: %v", err)
	}
}

func testCallbackErrorStops(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	for i := range 3 {
		save(t, s, doc(fmt.Sprintf("%d.txt", i), t0), cited("https://stop.example/", 1))
	}
	stop := errors.New("stop here")
	n := 0
	if err := s.Documents(ctx, func(store.Document) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("Documents: err %v after %d calls, want the callback's error after 1", err, n)
	}
	n = 0
	if err := s.Links(ctx, store.LinkFilter{}, func(store.Link) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("Links: err %v after %d calls", err, n)
	}
	n = 0
	if err := s.LinkOccurrences(ctx, "https://stop.example/", func(store.LinkOccurrence) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("LinkOccurrences: err %v after %d calls", err, n)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	if _, err := s.DocumentByPath(ctx, "nope.txt"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DocumentByPath: %v, want ErrNotFound", err)
	}
	if err := s.MarkDocumentMissing(ctx, "nope.txt", t0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkDocumentMissing: %v, want ErrNotFound", err)
	}
	err := s.LinkOccurrences(ctx, "https://nope.example/", func(store.LinkOccurrence) error { return nil })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LinkOccurrences: %v, want ErrNotFound", err)
	}
	// A known link with no current use is not an error.
	save(t, s, doc("x.txt", t0), cited("https://once.example/", 1))
	save(t, s, doc("x.txt", t0))
	if err := s.LinkOccurrences(ctx, "https://once.example/", func(store.LinkOccurrence) error {
		return errors.New("called")
	}); err != nil {
		t.Errorf("LinkOccurrences of unused link: %v", err)
	}
	// Empty results are not errors either.
	if err := s.Links(ctx, store.LinkFilter{State: "dead"}, func(store.Link) error { return errors.New("called") }); err != nil {
		t.Errorf("Links with no match: %v", err)
	}
}

func testInvalidInput(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	for name, tc := range map[string]struct {
		d    store.Document
		occs []store.Occurrence
	}{
		"empty path": {store.Document{ScannedAt: t0}, nil},
		"empty URL":  {doc("bad.txt", t0), []store.Occurrence{cited("https://ok.example/", 1), cited("", 2)}},
		"bad role":   {doc("bad.txt", t0), []store.Occurrence{{URL: "https://ok.example/", Role: "link"}}},
		"year 10000": {doc("bad.txt", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)), nil},
	} {
		if _, err := s.SaveDocument(ctx, tc.d, tc.occs); err == nil {
			t.Errorf("%s: SaveDocument accepted it", name)
		}
	}
	// Nothing was written by the refused saves.
	if got := docs(t, s); len(got) != 0 {
		t.Errorf("documents after refused saves: %+v", got)
	}
	if got := links(t, s, store.LinkFilter{}); len(got) != 0 {
		t.Errorf("links after refused saves: %v", linkURLs(got))
	}
}

func testCancelledContext(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(ctxT(t))
	cancel()
	if _, err := s.SaveDocument(ctx, doc("c.txt", t0), []store.Occurrence{cited("https://c.example/", 1)}); err == nil {
		t.Errorf("SaveDocument with a cancelled context succeeded")
	}
	if _, err := s.DocumentByPath(ctxT(t), "c.txt"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("cancelled save left a document: %v", err)
	}
	for i := range 3 {
		save(t, s, doc(fmt.Sprintf("%d.txt", i), t0), cited(fmt.Sprintf("https://c.example/%d", i), 1))
	}
	save(t, s, doc("3.txt", t0), cited("https://c.example/0", 1), cited("https://c.example/0", 2))
	// Cancelling inside a callback stops every stream at once.
	streams := map[string]func(ctx context.Context, stop func()) error{
		"Documents": func(ctx context.Context, stop func()) error {
			return s.Documents(ctx, func(store.Document) error { stop(); return nil })
		},
		"Links": func(ctx context.Context, stop func()) error {
			return s.Links(ctx, store.LinkFilter{}, func(store.Link) error { stop(); return nil })
		},
		"LinkOccurrences": func(ctx context.Context, stop func()) error {
			return s.LinkOccurrences(ctx, "https://c.example/0", func(store.LinkOccurrence) error { stop(); return nil })
		},
	}
	for name, stream := range streams {
		ctx, cancel := context.WithCancel(ctxT(t))
		n := 0
		err := stream(ctx, func() { n++; cancel() })
		if !errors.Is(err, context.Canceled) || n != 1 {
			t.Errorf("%s cancelled in callback: err %v after %d calls, want context.Canceled after 1", name, err, n)
		}
	}
}

func testUnicodeAndLongURLs(t *testing.T, s store.Store) {
	long := "https://long.example/" + strings.Repeat("päth/", 20000) + "?q=" + strings.Repeat("x", 10000)
	urls := []string{
		"https://bücher.example/straße?q=日本語#frag",
		"https://xn--bcher-kva.example/",
		"https://example.com/emoji/\U0001F600",
		"https://example.com/quote'\"`;--",
		"https://example.com/%E2%9C%93?a=%25&b=+",
		"https://example.com/nul-free\ttab",
		long,
	}
	var occs []store.Occurrence
	for i, u := range urls {
		o := cited(u, i+1)
		o.Reasons = []string{"ünïcödé reason", strings.Repeat("r", 5000)}
		occs = append(occs, o)
	}
	d := doc("dir with spaces/ünïcode ✓.md", t0)
	d.Title = "Заголовок — 标题"
	wantStats(t, save(t, s, d, occs...), len(urls), 0, len(urls))
	sameDoc(t, getDoc(t, s, d.Path), d)
	for i, u := range urls {
		lo := linkOccs(t, s, u)
		if len(lo) != 1 || !reflect.DeepEqual(lo[0].Occurrence, occs[i]) {
			t.Errorf("round trip of %.60q failed", u)
		}
	}
	if got := link(t, s, urls[0]).Host; got != "bücher.example" {
		t.Errorf("host of unicode URL = %q", got)
	}
	if got := link(t, s, long); len(got.URL) != len(long) {
		t.Errorf("long URL came back %d bytes, want %d", len(got.URL), len(long))
	}
	wantStats(t, save(t, s, d, occs...), len(urls), 0, 0)
}

func testConcurrentReadersWhileWriting(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	const docsN, readers = 60, 4
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, readers+1)

	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := range docsN {
			occs := []store.Occurrence{
				cited("https://shared.example/", 1),
				cited(fmt.Sprintf("https://w.example/%d", i), 2),
			}
			if _, err := s.SaveDocument(ctx, doc(fmt.Sprintf("w/%03d.txt", i), t0), occs); err != nil {
				errs <- fmt.Errorf("writer: %w", err)
				return
			}
		}
	}()
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				var prev string
				err := s.Links(ctx, store.LinkFilter{}, func(l store.Link) error {
					if l.URL <= prev {
						return fmt.Errorf("links out of order: %q after %q", l.URL, prev)
					}
					prev = l.URL
					return nil
				})
				if err == nil {
					n := 0
					err = s.Documents(ctx, func(store.Document) error { n++; return nil })
				}
				if err == nil && r%2 == 0 {
					_, err = s.DocumentByPath(ctx, "w/000.txt")
					if errors.Is(err, store.ErrNotFound) {
						err = nil // the writer may not have got there yet
					}
				}
				if err != nil {
					errs <- fmt.Errorf("reader %d: %w", r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := link(t, s, "https://shared.example/").Occurrences; got != docsN {
		t.Errorf("shared link occurrences = %d, want %d", got, docsN)
	}
	if got := len(docs(t, s)); got != docsN {
		t.Errorf("documents = %d, want %d", got, docsN)
	}
}
