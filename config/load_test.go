package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestLoadErrors(t *testing.T) {
	const hash = "$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the error
		not  []string // must not appear
	}{
		// unknown keys
		{"typo in section", "crawler:\n  concurency: 4\n",
			[]string{`config.yaml:2: unknown key "crawler.concurency" (did you mean "crawler.concurrency"?)`}, nil},
		{"key in wrong section", "database: x.db\nconcurrency: 4\n",
			[]string{`config.yaml:2: unknown key "concurrency" (did you mean "crawler.concurrency"?)`}, nil},
		{"unknown with nothing near", "zzqqxx: 1\n",
			[]string{`config.yaml:1: unknown key "zzqqxx"`}, []string{"did you mean"}},
		{"unknown section", "crawlr:\n  concurrency: 3\n",
			[]string{`config.yaml:1: unknown key "crawlr" (did you mean "crawler"?)`}, nil},
		{"deep typo", "archive:\n  external:\n    wayback:\n      enbled: true\n",
			[]string{`config.yaml:4: unknown key "archive.external.wayback.enbled" (did you mean "archive.external.wayback.enabled"?)`}, nil},
		{"merge key", "crawler:\n  <<: {retries: 1}\n", []string{`config.yaml:2: unknown key "crawler.<<"`}, nil},
		{"non-scalar key", "crawler:\n  ? [a, b]\n  : 1\n", []string{`config.yaml:2: keys must be plain names`}, nil},
		{"duplicate key", "crawler:\n  timeout: 5s\n  retries: 1\n  timeout: 6s\n",
			[]string{`config.yaml:4: duplicate key "crawler.timeout" (first on line 2)`}, nil},
		{"all problems reported", "a: 1\nb: 2\ncrawler:\n  timeout: x\n",
			[]string{`config.yaml:1: unknown key "a"`, `config.yaml:2: unknown key "b"`, `config.yaml:4: crawler.timeout:`}, nil},

		// type errors
		{"duration", "database: x.db\ndata_dir: d\nsources: []\nschedule: '@daily'\ncrawler:\n  retries: 1\n  timeout: abc\n",
			[]string{`config.yaml:7: crawler.timeout: "abc" is not a duration (e.g. 30s, 5m, 7d)`}, nil},
		{"duration without unit", "recheck:\n  alive: 7\n", []string{`config.yaml:2: recheck.alive: "7" is not a duration`}, nil},
		{"integer", "crawler:\n  concurrency: many\n", []string{`config.yaml:2: crawler.concurrency: "many" is not a whole number`}, nil},
		{"float for integer", "crawler:\n  retries: 1.5\n", []string{`config.yaml:2: crawler.retries: "1.5" is not a whole number`}, nil},
		{"integer overflow", "crawler:\n  retries: 99999999999999999999999\n", []string{`config.yaml:2: crawler.retries:`}, nil},
		{"boolean", "crawler:\n  robots: maybe\n", []string{`config.yaml:2: crawler.robots: "maybe" is not true or false`}, nil},
		{"size", "crawler:\n  max_body: 10 parsecs\n", []string{`config.yaml:2: crawler.max_body: "10 parsecs" is not a size`}, nil},
		{"negative size", "archive:\n  max_size: -5MiB\n", []string{`config.yaml:2: archive.max_size: "-5MiB" is not a size`}, nil},
		{"list expected", "sources: notes\n", []string{`config.yaml:1: sources: expected a list`}, nil},
		{"section expected", "crawler: 5\n", []string{`config.yaml:1: crawler: expected a section of keys (key: value), got the value "5"`}, nil},
		{"section expected, list", "log:\n  - level\n", []string{`config.yaml:2: log: expected a section`}, nil},
		{"value expected", "database: [a, b]\n", []string{`config.yaml:1: database: expected a single value, got a list`}, nil},
		{"list item not a value", "sources:\n  - a\n  - [b]\n", []string{`config.yaml:3: sources[1]: expected a single value, got a list`}, nil},
		{"empty list item", "sources:\n  - a\n  -\n", []string{`config.yaml:3: sources[1]: expected a single value, got nothing`}, nil},
		{"list item type", "exclude:\n  schemes: [mailto, {a: b}]\n", []string{`config.yaml:2: exclude.schemes[1]: expected a single value, got a section`}, nil},
		{"top level scalar", "hello\n", []string{`config.yaml:1: expected keys (key: value) at the top level, got the value "hello"`}, nil},
		{"top level list", "- a\n- b\n", []string{`config.yaml:1: expected keys (key: value) at the top level, got a list`}, nil},

		// not YAML
		{"syntax error", "database: x\ncrawler:\n  timeout: [30s\n", []string{`config.yaml:2: invalid YAML: did not find expected ',' or ']'`}, nil},
		{"bad indentation", "crawler:\n  timeout: 30s\n concurrency: 3\n", []string{`config.yaml:2: invalid YAML:`}, nil},
		{"syntax error on line 1", "a: b: c\n", []string{`config.yaml:1: invalid YAML: mapping values are not allowed in this context`}, nil},
		{"unquoted @", "database: x\nschedule: @daily\n", []string{`config.yaml:2: invalid YAML: found character that cannot start any token`}, nil},
		{"unknown anchor", "database: x\ndata_dir: y\nsources: *nope\n", []string{`config.yaml:3: invalid YAML: unknown anchor 'nope' referenced`}, nil},
		{"tab indentation", "crawler:\n\tretries: 1\n", []string{`config.yaml:2: invalid YAML:`}, nil},
		{"binary garbage", "\x00\x01\x02\x03\xff\xfe garbage", []string{`config.yaml:1: not a YAML text file`}, nil},
		{"invalid UTF-8 later", "database: x\ndata_dir: \xc3\x28\n", []string{`config.yaml:2: not a YAML text file`}, nil},
		{"UTF-16", "\xff\xfed\x00b\x00", []string{`config.yaml:1: not a YAML text file`}, nil},
		{"two documents", "database: a\n---\ndatabase: b\n", []string{`config.yaml:2: a second YAML document`}, nil},

		// validation, located where the value was written
		{"concurrency zero", "crawler:\n  concurrency: 0\n", []string{`config.yaml:2: crawler.concurrency must be between 1 and 1024 (got 0)`}, nil},
		{"per_host zero", "crawler:\n  per_host: 0\n", []string{`crawler.per_host must be between 1 and 64 (got 0)`}, nil},
		{"negative retries", "crawler:\n  retries: -1\n", []string{`config.yaml:2: crawler.retries must be between 0 and 10 (got -1)`}, nil},
		{"zero timeout", "crawler:\n  timeout: 0s\n", []string{`config.yaml:2: crawler.timeout must be more than 0 and at most 10m (got 0s)`}, nil},
		{"negative interval", "crawler:\n  per_host_interval: -1s\n", []string{`crawler.per_host_interval must be between 0s and 1h (got -1s)`}, nil},
		{"zero max_body", "crawler:\n  max_body: 0\n", []string{`config.yaml:2: crawler.max_body must be between 1 and 1GiB (got 0)`}, nil},
		{"small max_buffered", "crawler:\n  max_buffered: 64KiB\n", []string{`config.yaml:2: crawler.max_buffered must be between 1MiB and 64GiB (got 64KiB)`}, nil},
		{"negative max_retry_wait", "crawler:\n  max_retry_wait: -1s\n", []string{`config.yaml:2: crawler.max_retry_wait must be between 0s and 1h (got -1s)`}, nil},
		{"user agent newline", "crawler:\n  user_agent: \"a\\nb\"\n", []string{`config.yaml:2: crawler.user_agent must be one line`}, nil},
		{"empty user agent", "crawler:\n  user_agent: ''\n", []string{`config.yaml:2: crawler.user_agent must not be empty`}, nil},
		{"negative recheck", "recheck:\n  alive: -1d\n", []string{`config.yaml:2: recheck.alive must be more than 0 and at most 3650d (got -1d)`}, nil},
		{"failures zero", "dead_after:\n  failures: 0\n", []string{`config.yaml:2: dead_after.failures must be between 1 and 1000 (got 0)`}, nil},
		{"empty database", "database: ''\n", []string{`config.yaml:1: database must not be empty`}, nil},
		{"bad glob", "sources:\n  - ok\n  - 'notes/[a'\n", []string{`config.yaml:3: sources[1]: "`, `notes/[a" is not a valid glob`}, nil},
		{"bad schedule", "schedule: '61 * * * *'\n", []string{`config.yaml:1: schedule: "61 * * * *" is not a cron schedule`}, nil},
		{"schedule bad zone", "schedule: 'CRON_TZ=Mars/Olympus 0 3 * * *'\n", []string{`config.yaml:1: schedule:`}, nil},
		{"schedule zone only", "schedule: 'CRON_TZ=Europe/Berlin'\n", []string{`config.yaml:1: schedule: "CRON_TZ=Europe/Berlin" has a time zone but no schedule`}, nil},
		{"schedule never", "schedule: '0 0 30 2 *'\n", []string{`config.yaml:1: schedule: "0 0 30 2 *" never fires`}, nil},
		{"bad pattern", "exclude:\n  patterns:\n    - ok\n    - '(unclosed'\n", []string{`config.yaml:4: exclude.patterns[1]: "(unclosed" is not a valid regexp`}, nil},
		{"bad scheme", "exclude:\n  schemes: ['http://']\n", []string{`config.yaml:2: exclude.schemes[0]: "http://" is not a URL scheme`}, nil},
		{"wildcard host", "exclude:\n  hosts: ['*.example.com']\n", []string{`exclude.hosts[0]: write "example.com" without the wildcard`}, nil},
		{"url as host", "exclude:\n  hosts: ['https://example.com/']\n", []string{`exclude.hosts[0]: "https://example.com/" is not a host name`}, nil},
		{"unknown archive format", "archive:\n  formats: [warc, pdf]\n", []string{`config.yaml:2: archive.formats[1]: "pdf" is not one of warc, readable`}, nil},
		{"no archive format", "archive:\n  formats: []\n", []string{`archive.formats must list at least one`}, nil},
		{"duplicate report format", "reports:\n  formats: [md, md]\n", []string{`reports.formats[1]: "md" is listed twice`}, nil},
		{"unknown report format", "reports:\n  formats: [markdown]\n", []string{`reports.formats[0]: "markdown" is not one of text, md, html, json, csv`}, nil},
		{"bad wayback url", "archive:\n  external:\n    wayback:\n      cdx_url: 'ftp://x'\n", []string{`config.yaml:4: archive.external.wayback.cdx_url must be an http(s) URL (got "ftp://x")`}, nil},
		{"wayback url required", "archive:\n  external:\n    wayback:\n      availability_url: ''\n", []string{`archive.external.wayback.availability_url must be set`}, nil},
		{"disabled wayback may be empty", "archive:\n  external:\n    wayback:\n      enabled: false\n      availability_url: ''\n      cdx_url: 'x'\n", []string{`cdx_url must be an http(s) URL`}, []string{"availability_url"}},
		{"no timegates", "archive:\n  external:\n    memento:\n      timegates: []\n", []string{`archive.external.memento.timegates must list at least one`}, nil},
		{"bad timegate", "archive:\n  external:\n    memento:\n      timegates: [nope]\n", []string{`config.yaml:4: archive.external.memento.timegates[0] must be an http(s) URL`}, nil},
		{"bad listen", "web:\n  listen: localhost\n", []string{`config.yaml:2: web.listen must be host:port`}, nil},
		{"bad listen port", "web:\n  listen: 'localhost:http2'\n", []string{`web.listen must be host:port`}, nil},
		{"user without hash", "web:\n  auth:\n    user: me\n", []string{`config.yaml:3: web.auth.password_hash must be set when web.auth.user is`}, nil},
		{"hash without user", "web:\n  auth:\n    password_hash: '" + hash + "'\n", []string{`config.yaml:3: web.auth.user must be set when web.auth.password_hash is`}, nil},
		{"not bcrypt", "web:\n  auth:\n    user: me\n    password_hash: secret\n", []string{`config.yaml:4: web.auth.password_hash must be a bcrypt hash`}, nil},
		{"token with space", "web:\n  auth:\n    token: 'a b'\n", []string{`web.auth.token must not contain spaces`}, nil},
		{"bad resolve", "network:\n  resolve:\n    - 'example.com:443'\n", []string{`config.yaml:3: network.resolve[0]: "example.com:443" is not host:port:address (no address)`}, nil},
		{"resolve bad ip", "network:\n  resolve: ['example.com:443:example.org']\n", []string{`network.resolve[0]: "example.com:443:example.org" is not host:port:address (address must be an IP address)`}, nil},
		{"resolve bad port", "network:\n  resolve: ['example.com:0:127.0.0.1']\n", []string{`(port must be 1-65535)`}, nil},
		{"missing ca file", "network:\n  ca_file: nope.pem\n", []string{`config.yaml:2: network.ca_file:`, `nope.pem`}, nil},
		{"ca file is a directory", "network:\n  ca_file: .\n", []string{`network.ca_file:`, `is a directory`}, nil},
		{"bad log level", "log:\n  level: verbose\n", []string{`config.yaml:2: log.level must be one of debug, info, warn, error (got "verbose")`}, nil},
		{"bad log format", "log:\n  format: xml\n", []string{`log.format must be one of text, json (got "xml")`}, nil},
		{"huge retries", "crawler:\n  retries: 1000000\n", []string{`config.yaml:2: crawler.retries must be between 0 and 10 (got 1000000)`}, nil},
		{"huge concurrency", "crawler:\n  concurrency: 100000\n", []string{`crawler.concurrency must be between 1 and 1024 (got 100000)`}, nil},
		{"huge per_host", "crawler:\n  per_host: 500\n", []string{`crawler.per_host must be between 1 and 64 (got 500)`}, nil},
		{"long timeout", "crawler:\n  timeout: 30d\n", []string{`crawler.timeout must be more than 0 and at most 10m (got 30d)`}, nil},
		{"long interval", "crawler:\n  per_host_interval: 2h\n", []string{`crawler.per_host_interval must be between 0s and 1h (got 2h)`}, nil},
		{"huge max_body", "crawler:\n  max_body: 2GiB\n", []string{`crawler.max_body must be between 1 and 1GiB (got 2GiB)`}, nil},
		{"huge redirects", "crawler:\n  max_redirects: 1000\n", []string{`crawler.max_redirects must be between 0 and 50 (got 1000)`}, nil},
		{"huge recheck", "recheck:\n  dead: 36500d\n", []string{`recheck.dead must be more than 0 and at most 3650d (got 36500d)`}, nil},
		{"huge failures", "dead_after:\n  failures: 5000\n", []string{`dead_after.failures must be between 1 and 1000 (got 5000)`}, nil},
		{"huge archive size", "archive:\n  max_size: 8GiB\n", []string{`archive.max_size must be between 1 and 4GiB (got 8GiB)`}, nil},
		{"bad base_url", "web:\n  base_url: 'ftp://links.example.org'\n", []string{`config.yaml:2: web.base_url must be an http(s) URL`}, nil},
		{"base_url with query", "web:\n  base_url: 'https://links.example.org/?a=b'\n", []string{`web.base_url must be scheme://host[:port][/path]`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadYAML(t, tt.yaml, nil)
			if err == nil {
				t.Fatalf("no error; want %q", tt.want)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error\n  %s\nwant it to contain\n  %s", msg, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(msg, n) {
					t.Errorf("error\n  %s\nmust not contain %q", msg, n)
				}
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *config.Error", err)
			}
		})
	}
}

var regexpFileLine = regexp.MustCompile(`^\S*config\.yaml:\d+: `)

func TestFileLevelErrorsAreOneLine(t *testing.T) {
	for _, y := range []string{"a: b: c\n", "crawler:\n  timeout: [30s\n", "\x00\x01", "x: 1\n---\n[\n", "a: *x\n"} {
		_, err := loadYAML(t, y, nil)
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: got %v, want a one-line error", y, err)
		}
		if err != nil && !regexpFileLine.MatchString(err.Error()) {
			t.Errorf("%q: %v does not start with file:line", y, err)
		}
	}
}

func TestTooManyErrorsAreCut(t *testing.T) {
	var b strings.Builder
	for i := range 25 {
		b.WriteString("unknown" + strings.Repeat("x", i) + ": 1\n")
	}
	_, err := loadYAML(t, b.String(), nil)
	if err == nil || !strings.Contains(err.Error(), "… and 15 more") {
		t.Fatalf("got %v", err)
	}
	if n := strings.Count(err.Error(), "\n"); n != maxErrors {
		t.Errorf("%d lines, want %d", n+1, maxErrors+1)
	}
}

func TestLoadEmptyIsDefault(t *testing.T) {
	for name, y := range map[string]string{
		"empty":         "",
		"comments only": "# nothing here\n\n   # at all\n",
		"null document": "~\n",
		"document mark": "---\n",
		"null sections": "crawler:\nrecheck:\n  alive:\narchive:\n  external:\n",
		"BOM":           "\ufeff# config\n",
	} {
		t.Run(name, func(t *testing.T) {
			p := writeConfig(t, y)
			c, err := load(p, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := resolvedDefault(t, filepath.Dir(p)); !reflect.DeepEqual(c, want) {
				t.Errorf("got\n%+v\nwant\n%+v", c, want)
			}
		})
	}
}

func TestLoadValues(t *testing.T) {
	c := mustLoadYAML(t, `
database: "postgres://u@db/linkrot"
sources: [a, b]
schedule: "CRON_TZ=Europe/Berlin @daily"
crawler:
  concurrency: 8
  per_host_interval: 1s
  timeout: 1m30s
  max_body: 1.5MiB
  robots: no
  head_first: off
recheck:
  alive: 2w
  suspect: 1d12h
dead_after:
  min_span: 3d
exclude:
  patterns: ['^https://intra\.']
  schemes: ["MAILTO:"]
  hosts: [Example.COM]
archive:
  formats: [readable]
  max_size: 1GB
web:
  listen: ":0"
  auth:
    token: s3cret
    user: me
    password_hash: "$2y$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"
network:
  resolve: ["example.com:443:127.0.0.1", "*:80:[::1]"]
  allow_private: yes
log:
  level: debug
  format: json
`, nil)
	checks := []struct {
		name      string
		got, want any
	}{
		{"database", c.Database, "postgres://u@db/linkrot"},
		{"database path", c.DatabasePath(), "postgres://u@db/linkrot"},
		{"concurrency", c.Crawler.Concurrency, 8},
		{"per_host_interval", c.Crawler.PerHostInterval, Duration(time.Second)},
		{"timeout", c.Crawler.Timeout, Duration(90 * time.Second)},
		{"max_body", c.Crawler.MaxBody, ByteSize(1536 * 1024)},
		{"robots", c.Crawler.Robots, false},
		{"head_first", c.Crawler.HeadFirst, false},
		{"alive", c.Recheck.Alive, Duration(14 * 24 * time.Hour)},
		{"suspect", c.Recheck.Suspect, Duration(36 * time.Hour)},
		{"min_span", c.DeadAfter.MinSpan, Duration(72 * time.Hour)},
		{"formats", c.Archive.Formats, []string{"readable"}},
		{"max_size", c.Archive.MaxSize, GB},
		{"allow_private", c.Network.AllowPrivate, true},
		{"level", c.Log.SlogLevel().String(), "DEBUG"},
		{"unset keys keep defaults", c.Crawler.Retries, 2},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %#v, want %#v", ch.name, ch.got, ch.want)
		}
	}
	rs, err := c.Network.Resolves()
	if err != nil || len(rs) != 2 || rs[1].Host != "*" || rs[1].Port != 80 || rs[1].Addr.String() != "::1" {
		t.Errorf("resolves = %+v, %v", rs, err)
	}
}

func TestAliases(t *testing.T) {
	c := mustLoadYAML(t, `
data_dir: &dir /srv/linkrot
exclude:
  hosts: &hosts [intra.example, corp.example]
sources: *hosts
reports:
  dir: *dir
`, nil)
	if want := []string{"intra.example", "corp.example"}; len(c.Sources) != 2 || filepath.Base(c.Sources[1]) != want[1] {
		t.Errorf("sources = %q", c.Sources)
	}
	if c.Reports.Dir != filepath.FromSlash("/srv/linkrot") {
		t.Errorf("reports.dir = %q", c.Reports.Dir)
	}
	// A list that contains itself must be an error, not a hang.
	_, err := loadYAML(t, "sources: &x [*x]\n", nil)
	if err == nil || !strings.Contains(err.Error(), "sources[0]: expected a single value, got a list") {
		t.Errorf("self-alias: %v", err)
	}
}

func TestEveryLeafTypeDecodes(t *testing.T) {
	// A sample value per type: adding a field of a new type fails here,
	// not in a user's config.
	samples := map[reflect.Kind]string{reflect.String: "x", reflect.Bool: "true", reflect.Int: "1", reflect.Int64: "1", reflect.Float64: "0.5"}
	root := reflect.ValueOf(Default()).Elem()
	for _, k := range leaves {
		v := root.FieldByIndex(k.index)
		var err error
		if v.Kind() == reflect.Slice {
			err = setList(v, samples[v.Type().Elem().Kind()])
		} else {
			s := samples[v.Kind()]
			if v.Type() == reflect.TypeFor[Duration]() {
				s = "1s"
			}
			err = setScalar(v, s)
		}
		if err != nil {
			t.Errorf("%s: %v", k.key, err)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := load(filepath.Join(t.TempDir(), "nope.yaml"), nil, nil)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("got %v, want not-exist", err)
	}
	_, err = load(t.TempDir(), nil, nil)
	if err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: got %v", err)
	}
	big := writeConfig(t, "# "+strings.Repeat("x", maxFileSize)+"\n")
	if _, err = load(big, nil, nil); err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Errorf("large file: got %v", err)
	}
}

func TestUserAgentVersion(t *testing.T) {
	old := Version
	Version = "1.2.3"
	t.Cleanup(func() { Version = old })
	if ua := Default().Crawler.UserAgent; ua != "linkrot/1.2.3 (+https://github.com/linkrot/linkrot)" {
		t.Errorf("default user agent %q", ua)
	}
	c := mustLoadYAML(t, "crawler:\n  user_agent: 'bot/{version}'\n", nil)
	if c.Crawler.UserAgent != "bot/1.2.3" {
		t.Errorf("user agent %q", c.Crawler.UserAgent)
	}
}

func TestDriftThresholdRange(t *testing.T) {
	for _, s := range []string{"1.5", "-0.1", "0"} {
		_, err := loadYAML(t, "drift:\n  threshold: "+s+"\n", nil)
		if err == nil || !strings.Contains(err.Error(), "drift.threshold must be above 0 and at most 1") {
			t.Errorf("threshold %s: %v", s, err)
		}
	}
	_, err := loadYAML(t, "drift:\n  threshold: lots\n", nil)
	if err == nil || !strings.Contains(err.Error(), `"lots" is not a number`) {
		t.Errorf("threshold lots: %v", err)
	}
	cfg, err := loadYAML(t, "drift:\n  threshold: 0.55\n  enabled: false\n", nil)
	if err != nil || cfg.Drift.Threshold != 0.55 || cfg.Drift.Enabled {
		t.Errorf("threshold 0.55: %+v %v", cfg.Drift, err)
	}
}
