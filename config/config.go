// Package config loads linkrot's configuration: defaults, then config.yaml,
// then LINKROT_* environment variables, then validation.
//
// Every key lives in the Config struct below; its yaml tags are the single
// source of the key names, from which unknown-key detection, environment
// variable names and the config.yaml coverage test are all derived.
//
// Typical use:
//
//	path, err := config.Locate(flagConfig) // "" when there is no file
//	...
//	cfg, err := config.Load(path, os.Getenv)
package config

import (
	"path/filepath"
	"strings"
	"time"
)

// Version is the program version, put into the default User-Agent through
// the {version} placeholder. The binary sets it (ldflags or main) before
// calling Default or Load.
var Version = "dev"

// VersionPlaceholder in crawler.user_agent is replaced by Version, so that
// config.yaml does not pin the version it was written for.
const VersionPlaceholder = "{version}"

// DefaultUserAgent is crawler.user_agent before the placeholder is replaced.
const DefaultUserAgent = "linkrot/" + VersionPlaceholder + " (+https://github.com/linkrot/linkrot)"

// Config is the whole configuration. After Load every filesystem path in it
// is absolute, except that Database may be a URL (see DatabasePath).
type Config struct {
	// Database is the SQLite file, relative to DataDir, or a URL/DSN
	// ("postgres://…", "file:…") that is passed through unchanged.
	Database string   `yaml:"database"`
	DataDir  string   `yaml:"data_dir"`
	Sources  []string `yaml:"sources"`  // files, directories or globs
	Schedule string   `yaml:"schedule"` // cron spec for robfig/cron/v3 ParseStandard

	Crawler   Crawler   `yaml:"crawler"`
	Recheck   Recheck   `yaml:"recheck"`
	DeadAfter DeadAfter `yaml:"dead_after"`
	Exclude   Exclude   `yaml:"exclude"`
	Archive   Archive   `yaml:"archive"`
	Drift     Drift     `yaml:"drift"`
	Reports   Reports   `yaml:"reports"`
	Web       Web       `yaml:"web"`
	Network   Network   `yaml:"network"`
	Log       Log       `yaml:"log"`
}

// Crawler is how links are checked.
type Crawler struct {
	UserAgent       string   `yaml:"user_agent"`
	Concurrency     int      `yaml:"concurrency"`       // requests in flight, all hosts together
	PerHost         int      `yaml:"per_host"`          // requests in flight to one host
	PerHostInterval Duration `yaml:"per_host_interval"` // pause between request starts to one host
	Timeout         Duration `yaml:"timeout"`           // whole-request deadline, per attempt
	Retries         int      `yaml:"retries"`           // extra attempts after a transient failure
	MaxBody         ByteSize `yaml:"max_body"`
	MaxRedirects    int      `yaml:"max_redirects"`
	Robots          bool     `yaml:"robots"`     // obey robots.txt
	HeadFirst       bool     `yaml:"head_first"` // HEAD first for downloads (.pdf, …), falling back to GET
	// MaxRetryWait is the longest Retry-After a check waits for; a link
	// asking for more is deferred to a later run.
	MaxRetryWait Duration `yaml:"max_retry_wait"`
	// MaxBuffered caps the response bytes held in memory by all checks in
	// flight together.
	MaxBuffered ByteSize `yaml:"max_buffered"`
}

// Recheck is how long a link waits for its next check, by state.
type Recheck struct {
	Alive   Duration `yaml:"alive"`
	Suspect Duration `yaml:"suspect"`
	Dead    Duration `yaml:"dead"`
}

// DeadAfter is when a failing link is confirmed dead: at least Failures
// consecutive failing checks spanning at least MinSpan.
type DeadAfter struct {
	Failures int      `yaml:"failures"`
	MinSpan  Duration `yaml:"min_span"`
}

// Exclude marks links as excluded instead of checking them. See Compile for
// the matching rules.
type Exclude struct {
	Patterns []string `yaml:"patterns"` // RE2 regexps, unanchored, on the whole URL
	Schemes  []string `yaml:"schemes"`  // URL schemes, without ":"
	Hosts    []string `yaml:"hosts"`    // host names (with their subdomains) or IPs
}

// Drift is the content verdict of alive pages (issue 15): how much of the
// cited copy a page still says.
type Drift struct {
	Enabled bool `yaml:"enabled"`
	// Threshold: a page whose similarity to the cited copy falls below it
	// is drifted (drift.DefaultThreshold).
	Threshold float64 `yaml:"threshold"`
}

// Archive is what snapshots are kept and where copies are looked up.
type Archive struct {
	Enabled     bool     `yaml:"enabled"`
	Formats     []string `yaml:"formats"`      // ArchiveFormats
	MinInterval Duration `yaml:"min_interval"` // between two snapshots of one URL
	MaxSize     ByteSize `yaml:"max_size"`     // largest snapshot kept
	External    External `yaml:"external"`
}

// External is the public web archives asked when there is no local copy.
type External struct {
	// Enabled is the one switch for every public-archive lookup; off, no
	// public archive is ever asked.
	Enabled bool `yaml:"enabled"`
	// Concurrency bounds the lookups in flight after a run; Budget bounds
	// their total time (the rest wait for the next run); Refresh is how long
	// an answer is kept before the same URL is asked again.
	Concurrency int      `yaml:"concurrency"`
	Budget      Duration `yaml:"budget"`
	Refresh     Duration `yaml:"refresh"`
	Wayback     Wayback  `yaml:"wayback"`
	Memento     Memento  `yaml:"memento"`
	// Save asks public archives to capture live pages. Off by default: it
	// sends every checked URL to a third party.
	Save bool `yaml:"save"`
}

// Wayback is the Internet Archive's Wayback Machine.
type Wayback struct {
	Enabled         bool   `yaml:"enabled"`
	AvailabilityURL string `yaml:"availability_url"`
	CDXURL          string `yaml:"cdx_url"`
}

// Memento is RFC 7089 TimeGates; the target URL is appended to each.
type Memento struct {
	Enabled   bool     `yaml:"enabled"`
	Timegates []string `yaml:"timegates"`
}

// Reports is which report files a run writes, and where.
type Reports struct {
	Formats []string `yaml:"formats"` // ReportFormats
	Dir     string   `yaml:"dir"`     // relative to DataDir
}

// Web is the HTTP UI of `linkrot serve`.
type Web struct {
	Listen string `yaml:"listen"` // host:port
	// BaseURL is the public URL of the UI and its archive when it is
	// reached through a name (a reverse proxy: https://links.example.org).
	// Requests must name it, or the address they reached, in Host: any
	// other name is refused (DNS rebinding).
	BaseURL string `yaml:"base_url"`
	Auth    Auth   `yaml:"auth"`
}

// Auth protects the web UI. With Token set, requests may carry
// "Authorization: Bearer <token>"; with User and PasswordHash set, HTTP basic
// auth is accepted. With neither, the UI is open.
type Auth struct {
	Token        string `yaml:"token"`
	User         string `yaml:"user"`
	PasswordHash string `yaml:"password_hash"` // bcrypt
}

// Network is how the crawler reaches hosts.
type Network struct {
	Resolve      []string `yaml:"resolve"`       // "host:port:address", see ParseResolve
	AllowPrivate bool     `yaml:"allow_private"` // permit private, loopback, link-local addresses
	// ResolveOnly: names missing from Resolve fail as not found, never
	// looked up (offline demos and benchmarks against a simulated web).
	ResolveOnly bool   `yaml:"resolve_only"`
	CAFile      string `yaml:"ca_file"` // extra PEM CA certificates
}

// Log is the program's own log output.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text, json
}

// Allowed values of list and enum keys.
var (
	ArchiveFormats = []string{"warc", "readable"}
	ReportFormats  = []string{"text", "md", "html", "json", "csv"}
	LogLevels      = []string{"debug", "info", "warn", "error"}
	LogFormats     = []string{"text", "json"}
)

// Default returns the defaults for every key. Paths in it are relative: Load
// resolves them against the config file's directory (or the working
// directory when there is no file).
func Default() *Config {
	return &Config{
		Database: "linkrot.db",
		DataDir:  "data",
		Sources:  []string{"examples"},
		Schedule: "0 3 * * *",
		Crawler: Crawler{
			UserAgent:       expandVersion(DefaultUserAgent),
			Concurrency:     32,
			PerHost:         2,
			PerHostInterval: Duration(250 * time.Millisecond),
			Timeout:         Duration(30 * time.Second),
			Retries:         2,
			MaxBody:         10 * MiB,
			MaxRedirects:    10,
			Robots:          true,
			HeadFirst:       true,
			MaxRetryWait:    Duration(10 * time.Second),
			MaxBuffered:     256 * MiB,
		},
		Recheck: Recheck{
			Alive:   Duration(7 * day),
			Suspect: Duration(day),
			Dead:    Duration(30 * day),
		},
		DeadAfter: DeadAfter{Failures: 3, MinSpan: Duration(72 * time.Hour)},
		Exclude: Exclude{
			Patterns: []string{},
			Schemes:  []string{"mailto", "tel", "sms", "javascript", "data", "file", "ftp"},
			Hosts:    []string{},
		},
		Archive: Archive{
			Enabled:     true,
			Formats:     []string{"warc", "readable"},
			MinInterval: Duration(day),
			MaxSize:     50 * MiB,
			External: External{
				Enabled:     true,
				Concurrency: 4,
				Budget:      Duration(time.Minute),
				Refresh:     Duration(7 * 24 * time.Hour),
				Wayback: Wayback{
					Enabled:         true,
					AvailabilityURL: "https://archive.org/wayback/available",
					CDXURL:          "https://web.archive.org/cdx/search/cdx",
				},
				Memento: Memento{
					Enabled:   true,
					Timegates: []string{"https://timetravel.mementoweb.org/timegate/"},
				},
				Save: false,
			},
		},
		Drift: Drift{Enabled: true, Threshold: 0.7},
		Reports: Reports{
			Formats: []string{"md", "html", "json"},
			Dir:     "reports",
		},
		Web: Web{Listen: "127.0.0.1:8080"},
		Network: Network{
			Resolve: []string{},
		},
		Log: Log{Level: "info", Format: "text"},
	}
}

// UserAgentString is the User-Agent sent, with {version} filled in.
func (c Crawler) UserAgentString() string { return expandVersion(c.UserAgent) }

func expandVersion(ua string) string {
	return strings.ReplaceAll(ua, VersionPlaceholder, Version)
}

// DatabasePath returns Database resolved against DataDir, unless it is
// absolute or a URL/DSN, which is returned unchanged for the store to
// interpret.
func (c *Config) DatabasePath() string {
	if c.Database == "" || isURL(c.Database) || filepath.IsAbs(c.Database) {
		return c.Database
	}
	return filepath.Join(c.DataDir, c.Database)
}

// isURL reports whether s starts with a URL scheme ("postgres://",
// "file:"). One-letter schemes are not counted: "C:\db" is a Windows path.
func isURL(s string) bool {
	i := strings.IndexByte(s, ':')
	if i < 2 {
		return false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case j > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}
