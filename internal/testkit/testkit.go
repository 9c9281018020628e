// Package testkit holds what several packages' tests share: a settable
// clock and the lookup of a headless Chromium. It is imported only by
// tests.
package testkit

import (
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// Clock is a settable time, safe for concurrent use, to inject as the
// job's, crawler's, archive's and store's "now".
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Chromium returns the path of a Chromium binary on PATH. Without one the
// test is skipped on a developer's machine but fails on CI (CI is set
// there, and .ci/run installs Debian's chromium), so CI never passes
// without having run the browser test. what names what was not tried.
func Chromium(t testing.TB, what string) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("headless Chromium is needed for this test on CI: apt-get install chromium")
	}
	t.Skipf("no Chromium on PATH (apt-get install chromium); %s was not tried in a browser", what)
	return ""
}
