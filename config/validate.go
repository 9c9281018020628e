package config

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Validate checks every key and returns all problems found, each an *Error
// naming its key. Load calls it; call it again after changing a Config by
// hand. It reads network.ca_file, so that path must be resolved already.
func (c *Config) Validate() error { return c.validate(nil) }

type validator struct {
	o    origins
	errs errList
}

func (v *validator) fail(key, format string, args ...any) {
	v.errs.add(v.o.errorf(key, format, args...))
}

// failAt reports a problem with key at the place another key was set: a
// missing key has no line of its own.
func (v *validator) failAt(at, key, format string, args ...any) {
	e := v.o.errorf(at, format, args...)
	e.Key = key
	v.errs.add(e)
}

func (v *validator) required(key, s string) {
	if strings.TrimSpace(s) == "" {
		v.fail(key, "%s must not be empty", key)
	}
}

// between checks an integer against its allowed range, naming both.
func (v *validator) between(key string, got, least, most int) {
	if got < least || got > most {
		v.fail(key, "%s must be between %d and %d (got %d)", key, least, most, got)
	}
}

// durationBetween checks that a duration is at most most and not
// negative, or, with positive set, more than 0.
func (v *validator) durationBetween(key string, d Duration, positive bool, most Duration) {
	switch {
	case positive && d <= 0:
		v.fail(key, "%s must be more than 0 and at most %s (got %s)", key, most, d)
	case d < 0:
		v.fail(key, "%s must be between 0s and %s (got %s)", key, most, d)
	case d > most:
		if positive {
			v.fail(key, "%s must be more than 0 and at most %s (got %s)", key, most, d)
		} else {
			v.fail(key, "%s must be between 0s and %s (got %s)", key, most, d)
		}
	}
}

// sizeBetween checks a byte size against its range.
func (v *validator) sizeBetween(key string, got, least, most ByteSize) {
	if got < least || got > most {
		v.fail(key, "%s must be between %s and %s (got %s)", key, least, most, got)
	}
}

func (v *validator) oneOf(key, got string, allowed []string) {
	if !slices.Contains(allowed, got) {
		v.fail(key, "%s must be one of %s (got %s)", key, strings.Join(allowed, ", "), quote(got))
	}
}

func (v *validator) subset(key string, got, allowed []string) {
	for i, s := range got {
		ik := fmt.Sprintf("%s[%d]", key, i)
		switch {
		case !slices.Contains(allowed, s):
			v.fail(ik, "%s: %s is not one of %s", ik, quote(s), strings.Join(allowed, ", "))
		case slices.Index(got, s) < i:
			v.fail(ik, "%s: %s is listed twice", ik, quote(s))
		}
	}
}

// httpURL checks an endpoint; required says whether "" is allowed.
func (v *validator) httpURL(key, s string, required bool) {
	if s == "" {
		if required {
			v.fail(key, "%s must be set while its archive is enabled", key)
		}
		return
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.fail(key, "%s must be an http(s) URL (got %s)", key, quote(s))
	}
}

func (c *Config) validate(o origins) error {
	v := &validator{o: o}

	v.required("database", c.Database)
	v.required("data_dir", c.DataDir)
	for i, s := range c.Sources {
		key := fmt.Sprintf("sources[%d]", i)
		if strings.TrimSpace(s) == "" {
			v.fail(key, "%s must not be empty", key)
		} else if _, err := filepath.Match(s, ""); err != nil {
			v.fail(key, "%s: %s is not a valid glob: %v", key, quote(s), err)
		}
	}
	if _, err := ParseSchedule(c.Schedule); err != nil {
		v.fail("schedule", "schedule: %v", err)
	}

	cr := c.Crawler
	v.required("crawler.user_agent", cr.UserAgent)
	if strings.ContainsFunc(cr.UserAgent, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		v.fail("crawler.user_agent", "crawler.user_agent must be one line without control characters")
	}
	// Upper bounds catch typos and values that would exhaust memory,
	// sockets or patience ("retries: 1000000"); each is far above any
	// sensible setting. See Limits in config.go.
	v.between("crawler.concurrency", cr.Concurrency, 1, MaxConcurrency)
	v.between("crawler.per_host", cr.PerHost, 1, MaxPerHost)
	v.durationBetween("crawler.per_host_interval", cr.PerHostInterval, false, MaxPerHostInterval)
	v.durationBetween("crawler.timeout", cr.Timeout, true, MaxTimeout)
	v.between("crawler.retries", cr.Retries, 0, MaxRetries)
	v.sizeBetween("crawler.max_body", cr.MaxBody, 1, MaxBodyLimit)
	v.between("crawler.max_redirects", cr.MaxRedirects, 0, MaxRedirectsLimit)
	v.durationBetween("crawler.max_retry_wait", cr.MaxRetryWait, false, MaxRetryWaitLimit)
	v.sizeBetween("crawler.max_buffered", cr.MaxBuffered, MiB, MaxBufferedLimit)

	v.durationBetween("recheck.alive", c.Recheck.Alive, true, MaxInterval)
	v.durationBetween("recheck.suspect", c.Recheck.Suspect, true, MaxInterval)
	v.durationBetween("recheck.dead", c.Recheck.Dead, true, MaxInterval)
	v.between("dead_after.failures", c.DeadAfter.Failures, 1, MaxDeadAfterFailures)
	v.durationBetween("dead_after.min_span", c.DeadAfter.MinSpan, false, MaxInterval)

	compileExclude(c.Exclude, v.fail)

	a := c.Archive
	v.subset("archive.formats", a.Formats, ArchiveFormats)
	if a.Enabled && len(a.Formats) == 0 {
		v.fail("archive.formats", "archive.formats must list at least one of %s while archive.enabled is true", strings.Join(ArchiveFormats, ", "))
	}
	v.durationBetween("archive.min_interval", a.MinInterval, false, MaxInterval)
	v.sizeBetween("archive.max_size", a.MaxSize, 1, MaxSnapshotSize)
	wb := a.External.Wayback
	v.between("archive.external.concurrency", a.External.Concurrency, 1, MaxConcurrency)
	v.durationBetween("archive.external.budget", a.External.Budget, true, MaxInterval)
	v.durationBetween("archive.external.refresh", a.External.Refresh, true, MaxInterval)
	v.httpURL("archive.external.wayback.availability_url", wb.AvailabilityURL, wb.Enabled)
	v.httpURL("archive.external.wayback.cdx_url", wb.CDXURL, wb.Enabled)
	mm := a.External.Memento
	if mm.Enabled && len(mm.Timegates) == 0 {
		v.fail("archive.external.memento.timegates", "archive.external.memento.timegates must list at least one TimeGate while memento is enabled")
	}
	for i, g := range mm.Timegates {
		v.httpURL(fmt.Sprintf("archive.external.memento.timegates[%d]", i), g, true)
	}

	// 1 flags every page with a changed sentence; 0 would flag nothing
	// (drift.enabled: false says that) and anything outside is a typo.
	if t := c.Drift.Threshold; !(t > 0 && t <= 1) {
		v.fail("drift.threshold", "drift.threshold must be above 0 and at most 1 (got %v)", t)
	}

	v.subset("reports.formats", c.Reports.Formats, ReportFormats)
	v.required("reports.dir", c.Reports.Dir)

	v.listen("web.listen", c.Web.Listen)
	v.httpURL("web.base_url", c.Web.BaseURL, false)
	if u, err := url.Parse(c.Web.BaseURL); err == nil && (u.RawQuery != "" || u.Fragment != "" || u.User != nil) {
		v.fail("web.base_url", "web.base_url must be scheme://host[:port][/path], without user, query or fragment (got %s)", quote(c.Web.BaseURL))
	}
	au := c.Web.Auth
	switch {
	case au.User != "" && au.PasswordHash == "":
		v.failAt("web.auth.user", "web.auth.password_hash", "web.auth.password_hash must be set when web.auth.user is")
	case au.User == "" && au.PasswordHash != "":
		v.failAt("web.auth.password_hash", "web.auth.user", "web.auth.user must be set when web.auth.password_hash is")
	}
	if au.PasswordHash != "" && !bcryptRE.MatchString(au.PasswordHash) {
		v.fail("web.auth.password_hash", "web.auth.password_hash must be a bcrypt hash ($2a$/$2b$/$2y$…, 60 characters), e.g. from `htpasswd -nbB user password`")
	}
	if strings.ContainsFunc(au.Token, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		v.fail("web.auth.token", "web.auth.token must not contain spaces or control characters")
	}

	for i, s := range c.Network.Resolve {
		key := fmt.Sprintf("network.resolve[%d]", i)
		if _, err := ParseResolve(s); err != nil {
			v.fail(key, "%s: %v", key, err)
		}
	}
	if f := c.Network.CAFile; f != "" {
		v.caFile("network.ca_file", f)
	}

	v.oneOf("log.level", c.Log.Level, LogLevels)
	v.oneOf("log.format", c.Log.Format, LogFormats)
	return v.errs.err()
}

// bcryptRE is the modular-crypt shape of a bcrypt hash: version, cost
// 04-31, 53 characters of salt and hash.
var bcryptRE = regexp.MustCompile(`^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$`)

func (v *validator) listen(key, s string) {
	host, port, err := net.SplitHostPort(s)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil || strings.ContainsAny(host, " /") {
		v.fail(key, "%s must be host:port, e.g. 127.0.0.1:8080 or :8080 (got %s)", key, quote(s))
	}
}

// caFile reads the file now so a wrong path or format fails at startup, not
// on the first TLS handshake in the middle of a run.
func (v *validator) caFile(key, path string) {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		v.fail(key, "%s: %v", key, err)
		return
	case st.IsDir():
		v.fail(key, "%s: %s is a directory, not a PEM file", key, path)
		return
	case st.Size() > maxFileSize*16:
		v.fail(key, "%s: %s is too large for a CA bundle", key, path)
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		v.fail(key, "%s: %v", key, err)
		return
	}
	if !x509.NewCertPool().AppendCertsFromPEM(data) {
		v.fail(key, "%s: %s holds no PEM certificates", key, path)
	}
}
