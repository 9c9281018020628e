package job

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/store"
)

func TestFeedTakesHostsInTurnAndEveryLinkOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.hostLinks("many.txt", 150, "a.example.com", "b.example.com", "c.example.com") // more than a page per host
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
	h.hostLinks("five.txt", 10, "a.example.com", "b.example.com", "c.example.com", "d.example.com", "e.example.com")
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

// A host whose links do not come back is passed over once HostBacklog of
// them are out, and the other hosts' links keep flowing (the third host
// when the second is done); its next link goes out when one of its own
// comes back.
func TestFeedPassesOverABackloggedHost(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.hostLinks("slow.txt", 100, "a.example.com", "b.example.com", "c.example.com")
	r := newRun(h.st, Options{ActiveHosts: 2, HostBacklog: 3, BacklogWait: time.Hour}, 0)
	r.opts.defaults()
	sent := make(chan store.DueLink)
	done := make(chan error, 1)
	go func() {
		done <- r.feed(context.Background(), h.clock.Now().Add(dueMargin), func(l store.DueLink) error {
			r.mu.Lock()
			r.hostOut[l.Host]++
			r.mu.Unlock()
			sent <- l
			return nil
		})
	}()
	var slow []store.DueLink // a's links out and not back
	fast := 0
	for fast < 200 {
		select {
		case l := <-sent:
			if l.Host == "a.example.com" {
				slow = append(slow, l)
				continue
			}
			fast++
			r.mu.Lock()
			r.linkBack(l.Host)
			r.mu.Unlock()
		case <-time.After(10 * time.Second):
			t.Fatalf("the feed stalled after %d links of the fast hosts", fast)
		}
	}
	if len(slow) != 3 {
		t.Fatalf("%d links of the slow host handed out while none came back, want HostBacklog = 3", len(slow))
	}
	for got := 3; got < 100; got++ {
		r.mu.Lock()
		r.linkBack("a.example.com")
		r.mu.Unlock()
		select {
		case l := <-sent:
			if l.Host != "a.example.com" {
				t.Fatalf("fed %s, want the slow host's next link", l.URL)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("a link came back but the feed did not hand out the next (%d fed)", got)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// Links that never come back do not stall the feed: after BacklogWait it
// hands out one more link, and so every link in the end.
func TestFeedNeverStallsForGood(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.hostLinks("lost.txt", 10, "lost.example.com")
	r := newRun(h.st, Options{ActiveHosts: 2, HostBacklog: 2, BacklogWait: 10 * time.Millisecond}, 0)
	r.opts.defaults()
	n := 0
	err := r.feed(context.Background(), h.clock.Now().Add(dueMargin), func(l store.DueLink) error {
		r.mu.Lock()
		r.hostOut[l.Host]++ // and never back
		r.mu.Unlock()
		n++
		return nil
	})
	if err != nil || n != 10 {
		t.Fatalf("fed %d links (err %v), want all 10", n, err)
	}
}

// hostLinks adds a document citing n pages (/p/0 …) on each host, host by
// host.
func (h *harness) hostLinks(name string, n int, hosts ...string) {
	var doc strings.Builder
	doc.WriteString("Links\n\n")
	for _, host := range hosts {
		for i := range n {
			fmt.Fprintf(&doc, "https://%s/p/%d\n", host, i)
		}
	}
	h.doc(name, doc.String())
}
