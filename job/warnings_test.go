package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/crawler"
)

// fullDisk is an archive whose every capture fails, as on a full disk.
type fullDisk struct{}

func (fullDisk) Capture(context.Context, int64, archive.Response) (archive.Outcome, archive.Snapshot, error) {
	return 0, archive.Snapshot{}, errors.New("write blob: no space left on device")
}

// TestRepeatedFailuresAreOneWarning: every capture of a run fails; stderr
// gets one warning with the count, and each failure is at debug level.
func TestRepeatedFailuresAreOneWarning(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	site := h.web.Site("news.example.com")
	var doc strings.Builder
	doc.WriteString("Notes\n\n")
	for i := range 6 {
		site.HTML(fmt.Sprintf("/story/%d", i), fmt.Sprintf("Story %d", i), "<p>The council met on Tuesday.</p>")
		fmt.Fprintf(&doc, "https://news.example.com/story/%d\n", i)
	}
	h.doc("a.txt", doc.String())
	chk, err := crawler.New(h.cfg.Crawler, h.cfg.Network, crawler.Options{Now: h.clock.Now, DialContext: h.web.DialContext, KeepBody: true})
	if err != nil {
		t.Fatal(err)
	}
	defer chk.Close()
	var logs logBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := Check(context.Background(), h.st, chk, Options{Policy: crawler.PolicyFrom(h.cfg.Recheck, h.cfg.DeadAfter),
		Now: h.clock.Now, Archive: fullDisk{}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if s.CaptureErrs != 6 {
		t.Fatalf("capture errors %d, want 6", s.CaptureErrs)
	}
	var warns, debugs int
	for _, line := range strings.Split(logs.String(), "\n") {
		if !strings.Contains(line, `msg="snapshot failed"`) {
			continue
		}
		switch {
		case strings.Contains(line, "level=WARN"):
			warns++
			if !strings.Contains(line, "count=6") || !strings.Contains(line, "no space left on device") {
				t.Errorf("the warning does not give the count and the first error: %s", line)
			}
		case strings.Contains(line, "level=DEBUG"):
			debugs++
		}
	}
	if warns != 1 || debugs != 6 {
		t.Errorf("%d warnings and %d debug lines for 6 failed captures, want 1 and 6:\n%s", warns, debugs, logs.String())
	}
}
