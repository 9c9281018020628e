package crawler

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/linkrot/linkrot/config"
)

// demoWant overrides fakeweb's expectations where linkrot's rules differ
// on purpose:
//   - a 2xx reached through a temporary redirect is ok, not redirect (only
//     permanent moves suggest a new URL);
//   - a redirect to a /404 page is redirect_to_root (the class covers "the
//     root or a /404 page");
//   - flapping pages are retried, and HEAD then GET already counts as two
//     hits of the flapping URL.
var demoWant = map[string]string{
	"http://redirect.demo.test/302":    "ok",
	"http://redirect.demo.test/307":    "ok",
	"http://redirect.demo.test/chain":  "ok",
	"http://redirect.demo.test/to-404": "redirect_to_root",
	"http://flap.demo.test/flap":       "ok",
}

// TestDemo runs fakeweb's table of every failure kind through Run: each
// class comes from a real condition on the wire.
func TestDemo(t *testing.T) {
	w := newWeb(t)
	cases := w.Demo()
	s := newChecker(t, w, func(cc *config.Crawler, nc *config.Network, o *Options) {
		// Slow cases take their time on purpose; 2 s keeps the run short and
		// still leaves room for a busy machine (go test runs packages in
		// parallel).
		cc.Timeout = config.Duration(2 * time.Second)
		// Fewer waits for the slow cases, all of them at once.
		cc.Retries, cc.PerHost = 1, 4
	})
	in := make(chan Request)
	go func() {
		for i, c := range cases {
			in <- Request{ID: int64(i), URL: c.URL}
		}
		close(in)
	}()
	var mu sync.Mutex
	got := map[int64]Result{}
	start := time.Now()
	if err := s.c.Run(context.Background(), in, func(r Request, res Result) {
		mu.Lock()
		defer mu.Unlock()
		if _, dup := got[r.ID]; dup {
			t.Errorf("%s reported twice", r.URL)
		}
		got[r.ID] = res
	}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d demo URLs in %s", len(cases), time.Since(start).Round(time.Millisecond))
	seen := map[Class]bool{}
	for _, r := range got {
		seen[r.Class] = true
	}
	// The rest come from TestOtherClasses and TestPrivateAddressRefused.
	others := map[Class]bool{ClassUnknown: true, ClassExcluded: true, ClassNetworkDown: true, ClassPrivateAddress: true, ClassInvalidURL: true}
	for c := range len(classNames) {
		if !seen[Class(c)] && !others[Class(c)] {
			t.Errorf("no demo case produced %s", Class(c))
		}
	}
	for i, c := range cases {
		res, ok := got[int64(i)]
		if !ok {
			t.Errorf("%s: no result", c.URL)
			continue
		}
		want := c.Want
		if o, ok := demoWant[c.URL]; ok {
			want = o
		}
		if res.Class.String() != want {
			t.Errorf("%s: %s, want %s (%s)\n%s", c.URL, res.Class, want, c.Note, describe(res))
		}
		if len(res.Evidence) == 0 {
			t.Errorf("%s: no evidence", c.URL)
		}
	}
}
