package job

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/linkrot/linkrot/store"
)

func TestFeedTakesHostsInTurnAndEveryLinkOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var doc strings.Builder
	doc.WriteString("Links\n\n")
	for _, host := range []string{"a.example.com", "b.example.com", "c.example.com"} {
		for i := range 150 { // more than a page per host
			fmt.Fprintf(&doc, "https://%s/p/%d\n", host, i)
		}
	}
	h.doc("many.txt", doc.String())
	r := &run{cat: h.st, opts: Options{ActiveHosts: 2}}
	r.opts.defaults()
	var hosts []string
	seen := map[string]bool{}
	err := r.feed(context.Background(), h.clock.Now().Add(dueMargin), func(l store.DueLink) error {
		if seen[l.URL] {
			t.Fatalf("%s fed twice", l.URL)
		}
		seen[l.URL] = true
		hosts = append(hosts, l.Host[:1])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 450 {
		t.Fatalf("fed %d links, want 450", len(seen))
	}
	if got := strings.Join(hosts[:6], ""); got != "ababab" {
		t.Errorf("first links come from hosts %q, want two hosts in turn", got)
	}
	if got := strings.Join(hosts[300:], ""); got != strings.Repeat("c", 150) {
		t.Errorf("the third host should follow once the first two are done")
	}
}

// Five hosts with room for four at a time are taken three and two, not
// four and one: a last turn of one host would leave most slots idle.
func TestFeedEvensOutTurns(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var doc strings.Builder
	doc.WriteString("Links\n\n")
	for _, host := range []string{"a.example.com", "b.example.com", "c.example.com", "d.example.com", "e.example.com"} {
		for i := range 10 {
			fmt.Fprintf(&doc, "https://%s/p/%d\n", host, i)
		}
	}
	h.doc("five.txt", doc.String())
	r := &run{cat: h.st, opts: Options{ActiveHosts: 4}}
	r.opts.defaults()
	var hosts []string
	err := r.feed(context.Background(), h.clock.Now().Add(dueMargin), func(l store.DueLink) error {
		hosts = append(hosts, l.Host[:1])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) != 50 {
		t.Fatalf("fed %d links, want 50", len(hosts))
	}
	if got := strings.Join(hosts[:30], ""); got != strings.Repeat("abc", 10) {
		t.Errorf("first turn = %q, want three hosts in turn", got)
	}
	if got := strings.Join(hosts[30:], ""); got != strings.Repeat("de", 10) {
		t.Errorf("second turn = %q, want the other two in turn", got)
	}
}
