package oneshot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/ingest"
	"github.com/linkrot/linkrot/store"
)

// DefaultBudget is how long transient failures are retried by default.
const DefaultBudget = 60 * time.Second

// Options tune Run. The zero value checks with the defaults.
type Options struct {
	// Config supplies crawler, network and exclude settings; nil means
	// config.Default(). Its catalog, archive and reports keys are ignored.
	Config *config.Config
	// Budget bounds the retries of transient failures, and any
	// Retry-After wait, from the start of the checks; DefaultBudget when 0.
	Budget time.Duration
	// AllowPrivate lets links reach private and loopback addresses (a CI
	// job checking its own site on 127.0.0.1).
	AllowPrivate bool
	// Stream gets one line per broken or throttled link as soon as its
	// verdict is known; nil for none.
	Stream io.Writer
	// Warn gets files that could not be read; nil to ignore them.
	Warn func(path string, err error)
	// TempDir is where the temporary catalog lives; os.TempDir() when "".
	TempDir string
	// Crawler is passed to the crawler (tests set DialContext or Resolver);
	// Sleep and Exclude are set by Run.
	Crawler crawler.Options
}

// Run extracts the links of the documents among args, adds the URLs among
// them, checks every link under the strict policy and returns the report.
// An *InputError means the arguments were unusable (exit 1); other errors
// are failures to run at all.
func Run(ctx context.Context, args []string, opts Options) (*Report, error) {
	started := time.Now()
	t, err := parseTargets(args)
	if err != nil {
		return nil, err
	}
	cfg := opts.Config
	if cfg == nil {
		cfg = config.Default()
	}
	budget := opts.Budget
	if budget <= 0 {
		budget = DefaultBudget
	}
	links, docs, err := collect(ctx, t, opts)
	if err != nil {
		return nil, err
	}
	if len(links) == 0 {
		return nil, &InputError{Msg: fmt.Sprintf("nothing to check: no link found in %d document(s)", docs)}
	}
	rep := &Report{Started: started}
	rep.Summary.Documents, rep.Summary.Budget = docs, budget
	c := &checking{opts: opts, deadline: time.Now().Add(budget)}
	if err := c.run(ctx, cfg, links); err != nil {
		return nil, err
	}
	rep.Links = make([]Link, len(links))
	for i, l := range links {
		rep.Links[i] = *l
	}
	sort.SliceStable(rep.Links, func(i, j int) bool {
		return rank(rep.Links[i].Verdict) < rank(rep.Links[j].Verdict)
	})
	rep.Summary.count(rep.Links)
	rep.Summary.Duration = time.Since(started)
	return rep, nil
}

// rank orders the report: what needs fixing first.
func rank(v Verdict) int {
	switch v {
	case Dead:
		return 0
	case Failing:
		return 1
	case Throttled:
		return 2
	case Blocked:
		return 3
	case Alive:
		return 4
	}
	return 5
}

func (s *Summary) count(links []Link) {
	s.Links = len(links)
	for _, l := range links {
		switch l.Verdict {
		case Alive:
			s.Alive++
		case Dead:
			s.Dead++
		case Failing:
			s.Failing++
		case Throttled:
			s.Throttled++
		case Blocked:
			s.Blocked++
			if l.Class == crawler.ClassPrivateAddress.String() {
				s.Private++
			}
		case Excluded:
			s.Excluded++
		}
	}
	s.Broken = s.Dead + s.Failing
	s.NetworkDown = networkDown(links)
	if s.NetworkDown {
		s.Hints = append(s.Hints, "most hosts failed before any HTTP answer (DNS, connect, timeout): "+
			"this machine's own network looks down, so the failures say nothing about the links")
	}
	if s.mostlyPrivate() {
		s.Hints = append(s.Hints, fmt.Sprintf("%d of %d links were refused because they resolve to private or loopback addresses: "+
			"to check a site on 127.0.0.1 or your own network, add --allow-private (config key network.allow_private)", s.Private, s.Links))
	}
	if s.Throttled > 0 {
		s.Hints = append(s.Hints, fmt.Sprintf("%d link(s) throttled: the server asked to wait longer than the %s budget; "+
			"they are not counted as broken (raise --budget to wait for them)", s.Throttled, s.Budget))
	}
}

// networkDown is the rule of a scheduled run: at least 3 hosts tried, and
// most of them failed only at the network level (NXDOMAIN aside, which is
// an answer), is the checker's own outage.
func networkDown(links []Link) bool {
	tried, failed := map[string]bool{}, map[string]bool{}
	for _, l := range links {
		if l.Verdict == Excluded || l.Class == "" {
			continue
		}
		u, err := url.Parse(l.URL)
		if err != nil {
			continue
		}
		h := strings.ToLower(u.Hostname())
		cl, _ := crawler.ParseClass(l.Class)
		down := cl.IsNetworkLevel() && cl != crawler.ClassDNSNXDomain
		if f, seen := failed[h]; seen {
			failed[h] = f && down
		} else {
			failed[h] = down
		}
		tried[h] = true
	}
	n := 0
	for _, f := range failed {
		if f {
			n++
		}
	}
	return len(tried) >= 3 && n*2 > len(tried)
}

// mostlyPrivate: at least half the links that were to be checked were
// refused by the private-address guard, so the run says little about them.
func (s *Summary) mostlyPrivate() bool {
	return s.Private > 0 && s.Private*2 >= s.Links-s.Excluded
}

// collect reads the documents into a temporary catalog and returns every
// link with the places it is used, then the URLs given directly.
func collect(ctx context.Context, t targets, opts Options) ([]*Link, int, error) {
	var links []*Link
	docs := 0
	if len(t.paths) > 0 {
		dir, err := os.MkdirTemp(opts.TempDir, "linkrot-once-")
		if err != nil {
			return nil, 0, fmt.Errorf("temporary catalog: %w", err)
		}
		defer os.RemoveAll(dir)
		st, err := store.OpenSQLite(ctx, filepath.Join(dir, "catalog.db"))
		if err != nil {
			return nil, 0, err
		}
		defer st.Close()
		stats, err := ingest.Add(ctx, st, t.paths, ingest.Options{Warn: opts.Warn})
		if err != nil {
			return nil, 0, err
		}
		docs = stats.Documents - stats.Skipped
		var all []store.DueLink
		if err := st.DueLinks(ctx, time.Now(), true, func(l store.DueLink) error {
			all = append(all, l)
			return nil
		}); err != nil {
			return nil, 0, err
		}
		sort.Slice(all, func(i, j int) bool { return all[i].URL < all[j].URL })
		for _, sl := range all {
			l := &Link{URL: sl.URL, Where: []Place{}}
			if sl.DefangedOnly {
				// A security indicator someone defanged (hxxp://, [.]) is
				// never fetched, as in a scheduled run.
				l.Verdict, l.Reason = Excluded, "written defanged in every document (a security indicator)"
			}
			if err := st.LinkOccurrences(ctx, sl.URL, func(o store.LinkOccurrence) error {
				l.Where = append(l.Where, Place{File: o.Document.Path, Line: o.Occurrence.Line, Column: o.Occurrence.Column})
				return nil
			}); err != nil {
				return nil, 0, err
			}
			links = append(links, l)
		}
	}
	byURL := map[string]*Link{}
	for _, l := range links {
		byURL[l.URL] = l
	}
	for _, u := range t.urls {
		if l, ok := byURL[u]; ok {
			l.Where = append(l.Where, Place{})
			continue
		}
		l := &Link{URL: u, Where: []Place{{}}}
		byURL[u] = l
		links = append(links, l)
	}
	return links, docs, nil
}

// checking is one run of checks with its retry budget.
type checking struct {
	opts     Options
	deadline time.Time
	mu       sync.Mutex // serialises verdicts and the stream
}

// errOverBudget ends a wait the budget does not allow.
var errOverBudget = errors.New("wait exceeds the budget")

type waitKey struct{}

// waitNote records, for one check, a wait the crawler wanted but the
// budget refused.
type waitNote struct{ wanted time.Duration }

// run checks links in rounds: every unsettled link once, then, after a
// backoff, the ones whose failure may pass, until none is left or the
// budget is spent.
func (c *checking) run(ctx context.Context, cfg *config.Config, links []*Link) error {
	cc := cfg.Crawler
	cc.Retries = 0 // retries are this package's, within the budget
	nc := cfg.Network
	nc.AllowPrivate = nc.AllowPrivate || c.opts.AllowPrivate
	ex, err := cfg.Exclude.Compile()
	if err != nil {
		return err
	}
	copts := c.opts.Crawler
	copts.Exclude = ex
	copts.Sleep = c.sleep
	chk, err := crawler.New(cc, nc, copts)
	if err != nil {
		return err
	}
	defer chk.Close()

	first := map[*Link]time.Time{}
	var pending []*Link
	for _, l := range links {
		if l.Verdict == "" {
			pending = append(pending, l)
		}
	}
	for round := 0; len(pending) > 0; round++ {
		var again []*Link
		var wg sync.WaitGroup
		sem := make(chan struct{}, max(cc.Concurrency, 1))
		for _, l := range pending {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				note := &waitNote{}
				start := time.Now()
				cctx, cancel := context.WithValue(ctx, waitKey{}, note), func() {}
				if round > 0 {
					// A retry never outlives the budget.
					cctx, cancel = context.WithDeadline(cctx, c.deadline)
				}
				res := chk.Check(cctx, l.URL)
				cut := cctx.Err() != nil
				cancel()
				if ctx.Err() != nil {
					return
				}
				c.mu.Lock()
				defer c.mu.Unlock()
				if _, ok := first[l]; !ok {
					first[l] = start
				}
				if cut {
					// The budget ran out mid-retry: the last finished
					// check stands.
					c.final(l)
					l.Duration = time.Since(first[l])
					c.stream(l)
					return
				}
				l.Checks++
				if retry := c.judge(l, res, note); retry {
					again = append(again, l)
					return
				}
				l.Duration = time.Since(first[l])
				c.stream(l)
			}()
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return err
		}
		pending = again
		if len(pending) == 0 {
			break
		}
		wait := min(backoffBase<<min(round, 5), backoffMax)
		if time.Now().Add(wait).After(c.deadline) {
			// No time for another round: what failed stays failed.
			for _, l := range pending {
				c.final(l)
				l.Duration = time.Since(first[l])
				c.stream(l)
			}
			break
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
	}
	return nil
}

const (
	backoffBase = 500 * time.Millisecond
	backoffMax  = 8 * time.Second
)

// sleep is the crawler's wait (a Retry-After it honours): it waits only
// as long as the budget allows and notes what it refused.
func (c *checking) sleep(ctx context.Context, d time.Duration) error {
	if time.Now().Add(d).After(c.deadline) {
		if n, ok := ctx.Value(waitKey{}).(*waitNote); ok {
			n.wanted = d
		}
		return errOverBudget
	}
	return sleepCtx(ctx, d)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// judge applies the strict policy to one check. It returns true when the
// link should be checked again in the next round; otherwise l.Verdict is
// set.
func (c *checking) judge(l *Link, res crawler.Result, note *waitNote) bool {
	l.Class, l.Status, l.Error, l.Evidence = res.Class.String(), res.Status, res.Err, res.Evidence
	if res.FinalURL != res.URL {
		l.FinalURL = res.FinalURL
	}
	if note.wanted > 0 {
		l.Class, l.Error = "throttled", ""
		l.Verdict, l.RetryAfter = Throttled, note.wanted
		l.Reason = fmt.Sprintf("asked to retry after %s, beyond the budget", note.wanted.Round(time.Second))
		return false
	}
	if d, ok := retryAfter(res); ok && (res.Status == http.StatusTooManyRequests || res.Status == http.StatusServiceUnavailable) &&
		time.Now().Add(d).After(c.deadline) {
		l.Verdict, l.RetryAfter = Throttled, d
		l.Reason = fmt.Sprintf("%d with Retry-After %s, beyond the budget", res.Status, d.Round(time.Second))
		return false
	}
	cl := res.Class
	switch {
	case cl.IsSuccess(), cl == crawler.ClassTooLarge && res.Status >= 200 && res.Status <= 299:
		l.Verdict, l.Reason = Alive, ""
		return false
	case cl == crawler.ClassExcluded:
		l.Verdict, l.Reason = Excluded, firstOf(res.Evidence)
		return false
	case cl.IsHard():
		l.Verdict, l.Reason = Dead, deadReason(res)
		return false
	case res.Status == http.StatusTooManyRequests, cl.IsTransient(), cl == crawler.ClassNetworkDown:
		return true
	case cl.IsBlocked():
		l.Verdict, l.Reason = Blocked, firstOf(append([]string{res.Err}, res.Evidence...))
		if cl == crawler.ClassPrivateAddress {
			l.Reason = "resolves to a private address (use --allow-private)"
		}
		return false
	}
	// ClassUnknown and anything new: could not tell, which CI should see.
	l.Verdict, l.Reason = Failing, firstOf([]string{res.Err, "could not be checked"})
	return false
}

// final settles a link still failing when the budget ran out.
func (c *checking) final(l *Link) {
	if l.Status == http.StatusTooManyRequests {
		l.Verdict, l.Reason = Throttled, "still 429 Too Many Requests when the budget ran out"
		return
	}
	l.Verdict = Failing
	l.Reason = fmt.Sprintf("%s on each of %d checks within the budget", l.what(), l.Checks)
}

// stream writes the line of a link that needs attention, as soon as it is
// known.
func (c *checking) stream(l *Link) {
	if c.opts.Stream == nil || (!l.Verdict.Broken() && l.Verdict != Throttled) {
		return
	}
	fmt.Fprintln(c.opts.Stream, lineOf(*l))
}

func deadReason(res crawler.Result) string {
	if res.Class == crawler.ClassHTTP4xx && res.Status > 0 {
		return fmt.Sprintf("%d %s", res.Status, http.StatusText(res.Status))
	}
	if res.Err == "" && len(res.Evidence) > 0 {
		// A soft 404 or a redirect to the root: the evidence says why.
		return res.Evidence[len(res.Evidence)-1]
	}
	return firstOf([]string{res.Err, res.Class.String()})
}

func firstOf(ss []string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// retryAfter reads the Retry-After header of a check's last answer.
func retryAfter(res crawler.Result) (time.Duration, bool) {
	v := res.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		return time.Duration(min(n, 86400)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}
