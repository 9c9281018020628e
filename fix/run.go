package fix

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/linkrot/linkrot/ingest"
	"github.com/linkrot/linkrot/pubarchive"
	"github.com/linkrot/linkrot/sources"
	"github.com/linkrot/linkrot/store"
)

// Catalog is what fixing needs from the store: the documents and their
// occurrences with link states, and what rescanning a written document
// through ingest needs.
type Catalog interface {
	ingest.Catalog
	DocumentOccurrences(ctx context.Context, path string, fn func(store.DocOccurrence) error) error
}

var _ Catalog = (*store.SQLite)(nil)

// CopyFinder finds a page's copy in the public web archives;
// *pubarchive.Remote is one. It returns pubarchive.ErrNoRemoteCopy when the
// archives answered and hold none.
type CopyFinder interface {
	Find(ctx context.Context, url string, firstSeen time.Time) (pubarchive.RemoteCopy, error)
}

var _ CopyFinder = (*pubarchive.Remote)(nil)

// ArchiveMode says which copies a dead link may be pointed at.
type ArchiveMode string

const (
	// ArchiveLocal: linkrot's own snapshot, as served by `linkrot serve`
	// under Options.LocalBase.
	ArchiveLocal ArchiveMode = "local"
	// ArchiveRemote: a public web archive's copy.
	ArchiveRemote ArchiveMode = "remote"
	// ArchiveBoth: the public copy when there is one, else the local one.
	// Public first because a document is read elsewhere too, and a public
	// archive is reachable from anywhere.
	ArchiveBoth ArchiveMode = "both"
)

// ParseArchiveMode reads an --archive value.
func ParseArchiveMode(s string) (ArchiveMode, error) {
	switch m := ArchiveMode(s); m {
	case ArchiveLocal, ArchiveRemote, ArchiveBoth:
		return m, nil
	}
	return "", fmt.Errorf("--archive %q: want local, remote or both", s)
}

// Options tune Run. The zero value plans and diffs, archiving from both
// sources (remote needs Remote, local needs LocalBase).
type Options struct {
	Archive ArchiveMode // "" means ArchiveBoth
	// LocalBase is the base URL under which `linkrot serve` is reachable
	// by the document's readers, e.g. "https://links.example.net". A local
	// snapshot of URL captured at T is referenced as
	// LocalBase/web/<T as 14 digits, UTC>/URL, the Memento-style path of
	// serve. Empty: local snapshots are not referenced (there is no URL
	// that would reach them), and a note says so.
	LocalBase string
	Remote    CopyFinder // nil: no public archive is asked
	Moved     bool       // point moved links at their new URL
	Write     bool       // write the changes; otherwise only plan them
	Backup    bool       // with Write: keep FILE.bak
	Diff      bool       // fill Result.Diff
	Now       func() time.Time
	// MaxSize bounds one document; ingest.DefaultMaxSize when 0.
	MaxSize int64
	// Report receives each document's outcome as soon as it is known.
	Report func(Result)
	// Warn receives problems with paths that are not documents' own
	// outcome: walk errors, warnings from the rescan.
	Warn func(path string, err error)
}

// Result is what Run did with one document.
type Result struct {
	Path    string
	Format  sources.Format
	Changes []Change // edits made (or planned) and notes, by line
	Diff    []byte   // with Options.Diff: the unified diff, nil if none
	// Skipped says why the document was not looked at ("changed since it
	// was scanned…"); nothing else is set then.
	Skipped string
	Written bool
	Backup  string // the backup written, with Options.Backup
	// Err is a failure with this document alone (the catalog and the file
	// disagree, writing failed); Run goes on with the next.
	Err error
}

// Stats counts what Run did.
type Stats struct {
	Documents int `json:"documents"`
	Changed   int `json:"changed"` // documents with at least one edit
	Written   int `json:"written"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
	Repaired  int `json:"repaired"`
	Archived  int `json:"archived"`
	Moved     int `json:"moved"`
	LeftAlone int `json:"left_alone"`     // occurrences with a note
	Cited     int `json:"cited_versions"` // changed pages given their cited version
}

// Run fixes the documents named by args (files, folders, globs, as for
// `linkrot add`): for each one in the catalog whose content still has the
// hash stored at its scan, it plans the changes, and with Options.Write
// writes them (see replaceFile) and rescans the document so that the
// catalog matches the new text and a second run finds nothing to do.
//
// Errors that stop the run are the catalog's and ctx's; a problem with one
// document is in its Result and counted in Stats.Failed.
func Run(ctx context.Context, cat Catalog, args []string, opts Options) (Stats, error) {
	if opts.Archive == "" {
		opts.Archive = ArchiveBoth
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxSize <= 0 {
		opts.MaxSize = ingest.DefaultMaxSize
	}
	r := &runner{cat: cat, opts: opts, copies: map[string]remoteAnswer{}, cited: map[string]remoteAnswer{}}
	err := sources.Walk(args, func(path string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasSuffix(path, ".bak") {
			return nil // fix's own backups are never documents to fix
		}
		res, err := r.document(ctx, path)
		if err != nil {
			return err
		}
		r.count(res)
		if opts.Report != nil {
			opts.Report(res)
		}
		return nil
	}, func(we *sources.WalkError) {
		if opts.Warn != nil {
			opts.Warn(we.Path, we.Err)
		}
	})
	return r.stats, err
}

type runner struct {
	cat    Catalog
	opts   Options
	copies map[string]remoteAnswer // by URL: one question per link per run
	cited  map[string]remoteAnswer // by URL: the cited version of a changed page
	stats  Stats
}

type remoteAnswer struct {
	copy *Copy
	why  string
}

func (r *runner) count(res Result) {
	s := &r.stats
	s.Documents++
	switch {
	case res.Skipped != "":
		s.Skipped++
		return
	case res.Err != nil:
		s.Failed++
	}
	edits := false
	for _, c := range res.Changes {
		if c.Note != "" {
			s.LeftAlone++
		}
		if !c.Edits() {
			continue
		}
		edits = true
		switch {
		case c.MovedTo != "":
			s.Moved++
		case c.Cited:
			s.Cited++
		case c.Copy != nil:
			s.Archived++
		}
		if c.Repair != "" {
			s.Repaired++
		}
	}
	if edits {
		s.Changed++
	}
	if res.Written {
		s.Written++
	}
}

// document fixes one document; the error is the catalog's only.
func (r *runner) document(ctx context.Context, path string) (Result, error) {
	res := Result{Path: path}
	doc, err := r.cat.DocumentByPath(ctx, path)
	switch {
	case errors.Is(err, store.ErrNotFound):
		res.Skipped = "not in the catalog; run `linkrot add` first"
		return res, nil
	case err != nil:
		return res, err
	}
	content, err := readLimited(path, r.opts.MaxSize)
	if err != nil {
		res.Err = err
		return res, nil
	}
	sum := sha256.Sum256(content)
	if hex.EncodeToString(sum[:]) != doc.Hash || !doc.MissingSince.IsZero() {
		res.Skipped = "changed since it was scanned; run `linkrot add` first"
		return res, nil
	}
	res.Format = sources.Format(doc.Format)
	if res.Format == "" {
		res.Format = sources.DetectFormat(path, content)
	}
	switch res.Format {
	case sources.FormatPDF, sources.FormatFeed, sources.FormatSitemap, sources.FormatPocket, sources.FormatPinboard, sources.FormatRaindrop:
		// A PDF's offsets are into its extracted text, not the file; the
		// others hold URLs in fields where an archive note would corrupt them.
		res.Skipped = "a " + string(res.Format) + " document: linkrot reads its URLs but does not edit it"
		return res, nil
	}

	var occs []store.DocOccurrence
	if err := r.cat.DocumentOccurrences(ctx, path, func(o store.DocOccurrence) error {
		occs = append(occs, o)
		return nil
	}); err != nil {
		return res, err
	}
	d := NewDocument(content, res.Format)
	var edits []Edit
	var hints []Change // moved links left as they are, so that --moved is found
	for _, o := range occs {
		e := Edit{
			Start: o.Start, End: o.End, Raw: o.Raw, URL: o.URL,
			Repaired: o.Repaired, Repairs: o.Repairs, Confidence: o.Confidence, Verified: o.Verified,
		}
		switch o.State {
		case "dead":
			e.Dead = true
			if d.WantsCopy(e) {
				e.Copy, e.NoCopy = r.copyFor(ctx, o)
			}
		case "alive", "moved":
			var why string
			if e.Cited, why = r.citedCopy(ctx, o); why != "" {
				hints = append(hints, Change{Line: d.line(o.Start), URL: o.URL, Note: why})
			}
		}
		switch o.State {
		case "moved":
			switch {
			case o.MovedTo == "":
			case r.opts.Moved:
				e.MovedTo = o.MovedTo
			case d.WantsMove(e, o.MovedTo):
				hints = append(hints, Change{Line: d.line(o.Start), URL: o.URL,
					Note: "moved permanently to " + o.MovedTo + " (--moved updates it)"})
			}
		}
		edits = append(edits, e)
	}
	changes, err := d.Plan(edits)
	if err != nil {
		res.Err = err
		return res, nil
	}
	changes = append(changes, hints...)
	sortChanges(changes)
	res.Changes = changes
	updated, err := Apply(content, changes)
	if err != nil {
		res.Err = err
		return res, nil
	}
	if bytes.Equal(updated, content) {
		return res, nil
	}
	if r.opts.Diff {
		res.Diff = Diff(displayPath(path), content, updated)
	}
	if !r.opts.Write {
		return res, nil
	}
	res.Backup, err = replaceFile(path, content, updated, r.opts.Backup)
	if errors.Is(err, errChangedMeanwhile) {
		res.Skipped = err.Error()
		res.Changes, res.Diff = nil, nil
		return res, nil
	}
	if err != nil {
		res.Err = fmt.Errorf("writing: %w", err)
		return res, nil
	}
	res.Written = true
	// The catalog's offsets and hash describe the old text; rescanning
	// makes them describe the new one, which is what lets the next run
	// recognise its own work instead of refusing a changed document.
	_, err = ingest.Add(ctx, r.cat, []string{path}, ingest.Options{Now: r.opts.Now, MaxSize: r.opts.MaxSize, Warn: r.opts.Warn})
	if err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		res.Err = fmt.Errorf("written, but rescanning it failed (run `linkrot add` on it): %w", err)
	}
	return res, nil
}

// copyFor finds the archived copy a dead link's reference should point
// at, following the archive mode; when there is none, the reason.
func (r *runner) copyFor(ctx context.Context, o store.DocOccurrence) (*Copy, string) {
	var why []string
	if r.opts.Archive != ArchiveLocal {
		if c, w := r.remoteCopy(ctx, o); c != nil {
			return c, ""
		} else if w != "" {
			why = append(why, w)
		}
	}
	if r.opts.Archive != ArchiveRemote {
		switch {
		case o.LatestSnapshot.IsZero():
			why = append(why, "no local snapshot")
		case r.opts.LocalBase == "":
			why = append(why, fmt.Sprintf("a local snapshot from %s exists, but without --local-base it has no URL to point at",
				o.LatestSnapshot.UTC().Format(time.DateOnly)))
		default:
			return &Copy{URL: LocalCopyURL(r.opts.LocalBase, o.LatestSnapshot, o.URL), Time: o.LatestSnapshot, Source: "local"}, ""
		}
	}
	return nil, strings.Join(why, "; ")
}

// remoteCopy is the link's public copy: the one recorded in the catalog,
// else what the archives answer (asked once per URL per run).
func (r *runner) remoteCopy(ctx context.Context, o store.DocOccurrence) (*Copy, string) {
	if o.ArchiveURL != "" {
		t := o.ArchiveTime
		if t.IsZero() {
			t = timeInMementoURL(o.ArchiveURL)
		}
		src := o.ArchiveSource
		if src == "" {
			src = "catalog"
		}
		return &Copy{URL: o.ArchiveURL, Time: t, Source: src}, ""
	}
	if r.opts.Remote == nil {
		return nil, "no public archive asked"
	}
	if a, ok := r.copies[o.URL]; ok {
		return a.copy, a.why
	}
	var a remoteAnswer
	rc, err := r.opts.Remote.Find(ctx, o.URL, o.FirstSeen)
	switch {
	case err == nil:
		a.copy = &Copy{URL: rc.URL, Time: rc.Time, Source: rc.Source}
	case errors.Is(err, pubarchive.ErrNoRemoteCopy):
		a.why = "no copy in the public archives"
	default:
		a.why = "the public archives could not be asked: " + err.Error()
	}
	r.copies[o.URL] = a
	return a.copy, a.why
}

// LocalCopyURL is the URL of linkrot's own copy of url captured at t, as
// `linkrot serve` answers it under base: base/web/<14-digit UTC time>/url,
// the path Wayback-style archives and Memento clients expect.
func LocalCopyURL(base string, t time.Time, url string) string {
	return strings.TrimRight(base, "/") + "/web/" + t.UTC().Format("20060102150405") + "/" + url
}

var mementoTime = regexp.MustCompile(`/(\d{14})(?:[a-z]{2}_)?/`)

// timeInMementoURL reads the capture time from a Wayback-style memento
// URL; zero when it has none.
func timeInMementoURL(u string) time.Time {
	if m := mementoTime.FindStringSubmatch(u); m != nil {
		if t, err := time.Parse("20060102150405", m[1]); err == nil {
			return t
		}
	}
	return time.Time{}
}

// sortChanges orders changes by line, keeping Plan's content order among
// changes on one line.
func sortChanges(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int { return cmp.Compare(a.Line, b.Line) })
}

// displayPath names a document in a diff: relative to the working
// directory when it is under it, else without its leading slash, so that
// "a/" + it reads as a path and `patch -p1` in the right directory finds
// the file.
func displayPath(path string) string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	return strings.TrimPrefix(filepath.ToSlash(path), "/")
}

func readLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("over the %d-byte limit for one document", max)
	}
	return b, nil
}
