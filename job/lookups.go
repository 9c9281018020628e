package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/internal/safeurl"
	"github.com/linkrot/linkrot/internal/ui"
	"github.com/linkrot/linkrot/pubarchive"
	"github.com/linkrot/linkrot/store"
)

// RemoteArchives is the client for the public web archives the
// configuration enables, reached through the crawler's network rules
// (resolve overrides, private-address guard, extra CAs), with the HTTP
// client it uses for downloads. The Remote is nil when no archive may be
// asked (archive.enabled or archive.external.enabled off, or no service
// on): asking none would look like "no copy exists".
func RemoteArchives(cfg *config.Config, log *slog.Logger) (*pubarchive.Remote, *http.Client, error) {
	client, err := crawler.HTTPClient(cfg.Crawler, cfg.Network, crawler.Options{})
	if err != nil {
		return nil, nil, err
	}
	if !lookupsEnabled(cfg) {
		return nil, client, nil
	}
	if log == nil {
		log = slog.Default()
	}
	return pubarchive.NewRemote(cfg.Archive.External, client, pubarchive.RemoteOptions{UserAgent: cfg.Crawler.UserAgentString(), Logger: log}), client, nil
}

// lookupsEnabled is the one place that says whether public archives may
// be asked at all.
func lookupsEnabled(cfg *config.Config) bool {
	ext := cfg.Archive.External
	return cfg.Archive.Enabled && ext.Enabled &&
		(ext.Wayback.Enabled || (ext.Memento.Enabled && len(ext.Memento.Timegates) > 0))
}

func (r *Runner) lookupsEnabled() bool { return lookupsEnabled(r.cfg) }

// LookupStats says what one round of lookups did.
type LookupStats struct {
	Asked   int    `json:"asked"`
	Found   int    `json:"found"`
	Failed  int    `json:"failed"`
	Skipped string `json:"skipped,omitempty"` // why no lookup was made, "" when some were
}

// lookupCatalog is what the lookups read and write.
type lookupCatalog interface {
	LinksInState(ctx context.Context, states []store.LinkState, afterRun int64, fn func(store.Link) error) error
	LookupOf(ctx context.Context, url string) (store.Lookup, bool, error)
	RecordLookup(ctx context.Context, l store.Lookup) error
}

// finder is the part of *pubarchive.Remote the lookups use.
type finder interface {
	Find(ctx context.Context, url string, firstSeen time.Time) (pubarchive.RemoteCopy, error)
}

// LookUpDeadLinks asks the public archives about the dead links whose
// cached answer is missing, failed, or older than archive.external.refresh,
// off the checks' path: after them, archive.external.concurrency at a
// time, within archive.external.budget in all. When no archive host
// resolves it asks nothing and warns once. Failures are aggregated by kind
// into one warning each; every failure is logged at debug level.
func LookUpDeadLinks(ctx context.Context, cfg *config.Config, cat lookupCatalog, now func() time.Time, p *ui.Printer, log *slog.Logger) (LookupStats, error) {
	var st LookupStats
	if !lookupsEnabled(cfg) {
		st.Skipped = "public-archive lookups are off"
		return st, nil
	}
	if log == nil {
		log = slog.Default()
	}
	if host, ok := archiveHostsResolve(ctx, cfg); !ok {
		st.Skipped = fmt.Sprintf("the public archives' hosts do not resolve (%s); no public copies looked up this run", host)
		p.Warnf("%s", st.Skipped)
		return st, nil
	}
	remote, _, err := RemoteArchives(cfg, log)
	if err != nil {
		return st, err
	}
	return lookUp(ctx, cfg.Archive.External, cat, remote, now, p, log)
}

func lookUp(ctx context.Context, ext config.External, cat lookupCatalog, f finder, now func() time.Time, p *ui.Printer, log *slog.Logger) (LookupStats, error) {
	var st LookupStats
	refresh := time.Duration(ext.Refresh)
	var due []store.Link
	err := cat.LinksInState(ctx, []store.LinkState{store.StateDead}, 0, func(l store.Link) error {
		prev, ok, err := cat.LookupOf(ctx, l.URL)
		if err != nil {
			return err
		}
		if ok && prev.Err == "" && now().Sub(prev.AskedAt) < refresh {
			return nil // answered recently
		}
		due = append(due, l)
		return nil
	})
	if err != nil || len(due) == 0 {
		return st, err
	}
	budget, cancel := context.WithTimeout(ctx, time.Duration(ext.Budget))
	defer cancel()
	var (
		mu     sync.Mutex
		failed = map[string][]string{} // kind -> URLs
		recErr error
		wg     sync.WaitGroup
		jobs   = make(chan store.Link)
	)
	for range max(ext.Concurrency, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range jobs {
				// The copy closest before the link was first seen shows the
				// page as it was when it was cited.
				c, err := f.Find(budget, l.URL, l.FirstSeen)
				if budget.Err() != nil {
					continue // out of time: not an answer, asked next run
				}
				rec := store.Lookup{URL: l.URL, AskedAt: now()}
				switch {
				case errors.Is(err, pubarchive.ErrNoRemoteCopy):
				case err != nil:
					rec.Err = err.Error()
				case safeurl.Check(c.URL) != nil:
					// An answer that is no web URL ("javascript:", a
					// spreadsheet formula) is worth nothing: recorded as
					// no copy, so it is neither shown nor asked again.
					safeurl.Warn(c.URL, "public archive copy of "+l.URL, safeurl.Check(c.URL))
				default:
					rec.Found, rec.CopyURL, rec.CopyTime, rec.Source = true, c.URL, c.Time, c.Source
				}
				werr := cat.RecordLookup(context.WithoutCancel(ctx), rec)
				mu.Lock()
				st.Asked++
				switch {
				case werr != nil && recErr == nil:
					recErr = werr
				case rec.Err != "":
					st.Failed++
					k := failureKind(err)
					failed[k] = append(failed[k], l.URL)
					log.Debug("public archive lookup failed", "url", l.URL, "err", err)
				case rec.Found:
					st.Found++
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, l := range due {
		select {
		case jobs <- l:
		case <-budget.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	kinds := make([]string, 0, len(failed))
	for k := range failed {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		p.Warnf("public archive lookups: %d failed (%s), e.g. %s; the list is logged at debug level", len(failed[k]), k, failed[k][0])
	}
	if left := len(due) - st.Asked; left > 0 && ctx.Err() == nil {
		p.Warnf("public archive lookups: %d left for the next run (archive.external.budget %s spent)", left, config.Duration(ext.Budget))
	}
	return st, recErr
}

// failureKind names the kind of a failed lookup, so that a hundred of one
// kind make one line.
func failureKind(err error) string {
	var dns *net.DNSError
	var re *pubarchive.RemoteError
	switch {
	case errors.As(err, &dns):
		return "name lookup failed"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timed out"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.As(err, &re):
		return re.Service + " failed"
	}
	return "other errors"
}

// archiveHostsResolve reports whether any public archive endpoint's host
// resolves through the configured resolver (network.resolve overrides,
// network.resolve_only), and names one that does not.
func archiveHostsResolve(ctx context.Context, cfg *config.Config) (string, bool) {
	ext := cfg.Archive.External
	var endpoints []string
	if ext.Wayback.Enabled {
		endpoints = append(endpoints, ext.Wayback.AvailabilityURL, ext.Wayback.CDXURL)
	}
	if ext.Memento.Enabled {
		endpoints = append(endpoints, ext.Memento.Timegates...)
	}
	var overrides []config.Resolve
	for _, s := range cfg.Network.Resolve {
		if r, err := config.ParseResolve(s); err == nil {
			overrides = append(overrides, r)
		}
	}
	bad := ""
	for _, e := range endpoints {
		u, err := url.Parse(e)
		if err != nil || u.Hostname() == "" {
			continue
		}
		if resolves(ctx, u, overrides, cfg.Network.ResolveOnly) {
			return "", true
		}
		if bad == "" {
			bad = u.Hostname()
		}
	}
	return bad, bad == ""
}

func resolves(ctx context.Context, u *url.URL, overrides []config.Resolve, only bool) bool {
	host := u.Hostname()
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	for _, r := range overrides {
		if r.Host == host && strconv.Itoa(int(r.Port)) == port {
			return true
		}
	}
	if only {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	_, err := net.DefaultResolver.LookupHost(ctx, host)
	return err == nil
}

// cachedCopies finds public copies in the catalog's cache of lookups, so
// that fix never waits on the network.
type cachedCopies struct{ cat store.Catalog }

func (c cachedCopies) Find(ctx context.Context, u string, _ time.Time) (pubarchive.RemoteCopy, error) {
	l, ok, err := c.cat.LookupOf(ctx, u)
	switch {
	case err != nil:
		return pubarchive.RemoteCopy{}, err
	case !ok || !l.Found:
		return pubarchive.RemoteCopy{}, pubarchive.ErrNoRemoteCopy
	}
	return pubarchive.RemoteCopy{URL: l.CopyURL, Original: u, Time: l.CopyTime, Source: l.Source, Status: 200}, nil
}
