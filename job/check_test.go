package job

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/internal/fakeweb"
	"github.com/linkrot/linkrot/internal/testkit"
	kit "github.com/linkrot/linkrot/internal/testkit/harness"
	"github.com/linkrot/linkrot/store"
)

// harness is the shared test harness with the field names job's tests use.
type harness struct {
	*kit.Env
	t     *testing.T
	web   *fakeweb.Web
	st    *store.SQLite
	clock *testkit.Clock
	dir   string
	cfg   *config.Config
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	e := kit.New(t)
	return &harness{Env: e, t: t, web: e.Web, st: e.St, clock: e.Clock, dir: e.Dir, cfg: e.Cfg}
}

// doc writes a document and ingests it.
func (h *harness) doc(name, content string) { h.Doc(name, content) }

func (h *harness) checker() *crawler.Checker { return h.Checker(false) }

func (h *harness) run(all bool) (Summary, error) {
	h.t.Helper()
	excl, err := h.cfg.Exclude.Compile()
	if err != nil {
		h.t.Fatal(err)
	}
	return Check(context.Background(), h.st, h.checker(), Options{
		All: all, Policy: crawler.PolicyFrom(h.cfg.Recheck, h.cfg.DeadAfter), Excluder: excl,
		Now: h.clock.Now, Verify: true,
	})
}

func (h *harness) state(url string) store.LinkState {
	h.t.Helper()
	l, err := h.st.LinkByURL(context.Background(), url)
	if err != nil {
		h.t.Fatalf("%s: %v", url, err)
	}
	return l.State
}

func TestLinksDieOnlyAfterEnoughFailuresOverTime(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.web.Site("news.example.com").
		HTML("/live", "Live story", "<p>still here</p>").
		HTML("/doomed", "Doomed story", "<p>for now</p>").
		Status("/gone", 410)
	h.web.Site("blocked.example.org").Page("/x", fakeweb.Status(403))
	h.doc("a.txt", "Notes\n\nhttps://news.example.com/live\nhttps://news.example.com/doomed\nhttps://news.example.com/gone\nhttps://blocked.example.org/x\n\nhttps://excluded.example.net/private\n")
	h.cfg.Exclude.Hosts = []string{"excluded.example.net"}

	s, err := h.run(false)
	if err != nil {
		t.Fatal(err)
	}
	if s.Checked != 4 || s.Alive != 2 || s.Suspect != 1 || s.Blocked != 1 || s.Dead != 0 || s.Excluded != 1 {
		t.Fatalf("first run: %+v", s)
	}
	h.web.Site("news.example.com").Kill("/doomed")
	h.clock.Advance(6 * 24 * time.Hour) // alive links are due again after a week

	// Three failures are needed, spanning 72h: daily runs for three days.
	var newlyDead []int
	for day := 1; day <= 4; day++ {
		h.clock.Advance(25 * time.Hour)
		s, err := h.run(false)
		if err != nil {
			t.Fatal(err)
		}
		newlyDead = append(newlyDead, s.NewlyDead)
	}
	if got := h.state("https://news.example.com/gone"); got != store.StateDead {
		t.Errorf("410 link: %s", got)
	}
	if got := h.state("https://news.example.com/doomed"); got != store.StateDead {
		t.Errorf("killed link: %s", got)
	}
	if got := h.state("https://blocked.example.org/x"); got != store.StateBlocked {
		t.Errorf("403 link must stay blocked, never dead: %s", got)
	}
	if got := h.state("https://news.example.com/live"); got != store.StateAlive {
		t.Errorf("live link: %s", got)
	}
	// /gone failed in the first run and the first two daily runs a week
	// later (3 failures over 7 days) → dead in the second; /doomed fails
	// in all four daily runs, and its third failure spans only 50h → dead
	// in the fourth.
	if newlyDead[0] != 0 || newlyDead[1] != 1 || newlyDead[2] != 0 || newlyDead[3] != 1 {
		t.Errorf("newly dead per run: %v", newlyDead)
	}

	// Resurrection: one success brings a dead link back.
	h.web.Site("news.example.com").Revive("/doomed")
	h.clock.Advance(31 * 24 * time.Hour)
	s, err = h.run(false)
	if err != nil {
		t.Fatal(err)
	}
	if h.state("https://news.example.com/doomed") != store.StateAlive || s.Recovered != 1 {
		t.Errorf("after revival: %s %+v", h.state("https://news.example.com/doomed"), s)
	}
	if h.state("https://excluded.example.net/private") != store.StateExcluded {
		t.Errorf("excluded host: %s", h.state("https://excluded.example.net/private"))
	}
}

func TestNetworkOutageChangesNoState(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var text strings.Builder
	text.WriteString("Notes\n\n")
	for _, host := range []string{"a.example.com", "b.example.com", "c.example.com", "d.example.com"} {
		h.web.Site(host).HTML("/p", "Page", "<p>x</p>")
		text.WriteString("https://" + host + "/p\n")
	}
	h.doc("n.txt", text.String())
	if _, err := h.run(false); err != nil {
		t.Fatal(err)
	}
	h.web.SetOffline(true)
	h.clock.Advance(8 * 24 * time.Hour)
	s, err := h.run(false)
	if !errors.Is(err, ErrNetworkDown) {
		_ = h.st.History(context.Background(), "https://a.example.com/p", func(c store.CheckRecord) error {
			t.Logf("%s %s %v", c.Class, c.Error, c.Evidence)
			return nil
		})
		t.Fatalf("err = %v, want ErrNetworkDown", err)
	}
	if s.Status != store.RunNetworkDown || s.NetworkDown != 4 {
		t.Errorf("summary %+v", s)
	}
	if got := h.state("https://a.example.com/p"); got != store.StateAlive {
		t.Errorf("state changed during an outage: %s", got)
	}
	var classes []string
	if err := h.st.History(context.Background(), "https://a.example.com/p", func(c store.CheckRecord) error {
		classes = append(classes, c.Class)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(classes) != 2 || classes[0] != "network_down" || classes[1] != "ok" {
		t.Errorf("history = %v", classes)
	}
	// The links are still due, so the next run checks them again.
	h.web.SetOffline(false)
	s, err = h.run(false)
	if err != nil || s.Checked != 4 || s.Alive != 4 {
		t.Errorf("after the outage: %+v %v", s, err)
	}
}

func TestOneUnreachableHostIsStillEvidence(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.web.Site("up1.example.com").HTML("/", "Up", "<p>x</p>")
	h.web.Site("up2.example.com").HTML("/", "Up", "<p>x</p>")
	h.web.Site("up3.example.com").HTML("/", "Up", "<p>x</p>")
	h.web.Site("gone.example.net").NXDomain()
	h.doc("n.txt", "Notes\n\nhttps://up1.example.com/ https://up2.example.com/ https://up3.example.com/ https://gone.example.net/page\n")
	s, err := h.run(false)
	if err != nil {
		t.Fatal(err)
	}
	if s.Suspect != 1 || h.state("https://gone.example.net/page") != store.StateSuspect {
		t.Errorf("summary %+v, state %s", s, h.state("https://gone.example.net/page"))
	}
}

func TestDoubtfulRepairIsSettledOnTheWeb(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	// The text cannot tell whether the hyphen at the break is part of the
	// URL; the web can: only the joined form exists.
	h.web.Site("www.harbour-news.example").
		HTML("/2021/harbour-breakwater-plan", "Harbour breakwater plan approved", "<p>story</p>")
	h.doc("h.txt", "Harbour breakwater plan approved\n\nsee https://www.harbour-news.example/2021/harbour-break-\nwater-plan for the story\n")
	var before []string
	_ = h.st.Links(context.Background(), store.LinkFilter{}, func(l store.Link) error { before = append(before, l.URL); return nil })
	s, err := h.run(false)
	if err != nil {
		t.Fatal(err)
	}
	want := "https://www.harbour-news.example/2021/harbour-breakwater-plan"
	if got := h.state(want); got != store.StateAlive {
		t.Fatalf("verified URL state %s (links before: %v, summary %+v)", got, before, s)
	}
	var found bool
	_ = h.st.Links(context.Background(), store.LinkFilter{}, func(l store.Link) error {
		if l.URL == want && l.Occurrences == 1 {
			found = true
		}
		if l.URL != want && l.Occurrences > 0 {
			t.Errorf("the wrong candidate is still used: %s", l.URL)
		}
		return nil
	})
	if !found {
		t.Error("the occurrence did not move to the URL that answers")
	}
}

func TestSecondJobIsRefusedWithAClearMessage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	release, err := Lock(context.Background(), h.st, "4242@otherhost", h.clock.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	_, err = h.run(false)
	if err == nil || !strings.Contains(err.Error(), "another linkrot job is running (4242@otherhost") {
		t.Fatalf("err = %v", err)
	}
}

func TestLivePagesAreArchivedFromTheCheckItself(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.web.Site("news.example.com").
		HTML("/story", "Harbour works begin", "<p>The harbour authority began work on the breakwater on Monday, ahead of the winter storms.</p>").
		Status("/gone", 404)
	h.doc("a.txt", "Notes\n\nhttps://news.example.com/story\nhttps://news.example.com/gone\n")
	arc, err := archive.New(h.cfg.Archive, filepath.Join(h.dir, "data"), h.st, archive.Options{Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer arc.Close()
	chk, err := crawler.New(h.cfg.Crawler, h.cfg.Network, crawler.Options{Now: h.clock.Now, DialContext: h.web.DialContext, KeepBody: true})
	if err != nil {
		t.Fatal(err)
	}
	defer chk.Close()
	s, err := Check(context.Background(), h.st, chk, Options{Policy: crawler.PolicyFrom(h.cfg.Recheck, h.cfg.DeadAfter), Now: h.clock.Now, Archive: arc})
	if err != nil {
		t.Fatal(err)
	}
	if s.Captured != 1 || s.CaptureErrs != 0 {
		t.Fatalf("summary %+v", s)
	}
	hits := h.web.Hits("news.example.com", "/story")
	if hits != 1 {
		t.Errorf("the page was fetched %d times; the archive must use the check's response", hits)
	}
	snap, err := h.st.LatestSnapshot(context.Background(), "https://news.example.com/story")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Title != "Harbour works begin" {
		t.Errorf("snapshot %+v", snap)
	}
	if _, err := h.st.LatestSnapshot(context.Background(), "https://news.example.com/gone"); err == nil {
		t.Error("a 404 must not be archived")
	}
}

func TestRunRecordsCatalogTotals(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.web.Site("t.example.com").HTML("/a", "A", "<p>a</p>").Status("/b", 404)
	h.doc("t.txt", "T\n\nhttps://t.example.com/a https://t.example.com/b\n")
	s, err := h.run(false)
	if err != nil {
		t.Fatal(err)
	}
	var run store.Run
	_ = h.st.Runs(context.Background(), 1, func(r store.Run) error { run = r; return nil })
	if run.ID != s.RunID || run.Summary == nil || run.Summary.Totals[store.StateAlive] != 1 || run.Summary.Totals[store.StateSuspect] != 1 {
		t.Errorf("run summary %v", run.Summary)
	}
}

func TestDefangedIndicatorsAreNeverFetched(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.web.Site("evil.example").HTML("/payload", "Payload", "<p>bad</p>")
	h.web.Site("good.example").HTML("/advisory", "Advisory", "<p>read me</p>")
	h.doc("ioc.txt", "Indicators\n\nhxxps://evil[.]example/payload\nWrite-up: https://good.example/advisory\n")
	s, err := h.run(false)
	if err != nil {
		t.Fatal(err)
	}
	if got := h.state("https://evil.example/payload"); got != store.StateExcluded {
		t.Errorf("defanged indicator: state %s", got)
	}
	if n := h.web.HostHits("evil.example"); n != 0 {
		t.Errorf("the defanged host was contacted %d times", n)
	}
	if h.state("https://good.example/advisory") != store.StateAlive || s.Excluded != 1 {
		t.Errorf("summary %+v", s)
	}
	var ev []string
	_ = h.st.History(context.Background(), "https://evil.example/payload", func(c store.CheckRecord) error { ev = c.Evidence; return nil })
	if len(ev) != 1 || !strings.Contains(ev[0], "defanged") {
		t.Errorf("evidence %v", ev)
	}
}
