package main

import (
	"strings"
	"testing"

	"github.com/linkrot/linkrot/job"
)

func TestSummaryHints(t *testing.T) {
	got := strings.Join(summaryHints(job.Summary{Checked: 10, Deferred: 1, PrivateAddress: 8,
		DeferredReasons: []string{"https://a.example/: deferred: 429 asks to wait 1h0m0s"}}), "\n")
	for _, want := range []string{"deferred 1", "crawler.max_retry_wait", "https://a.example/: deferred", "8 of 10 links", "network.allow_private: true"} {
		if !strings.Contains(got, want) {
			t.Errorf("hints lack %q:\n%s", want, got)
		}
	}
	// A few private links among many: no hint (they may be meant).
	if h := summaryHints(job.Summary{Checked: 10, PrivateAddress: 2}); len(h) != 0 {
		t.Errorf("hints for a minority of private links: %q", h)
	}
}
