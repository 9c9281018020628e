package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEnvOverrides(t *testing.T) {
	tests := []struct {
		env  envMap
		get  func(*Config) any
		want any
	}{
		{envMap{"LINKROT_DATABASE": "/var/lib/linkrot/x.db"}, func(c *Config) any { return c.Database }, "/var/lib/linkrot/x.db"},
		{envMap{"LINKROT_DATABASE": "postgres://db/linkrot"}, func(c *Config) any { return c.DatabasePath() }, "postgres://db/linkrot"},
		{envMap{"LINKROT_CRAWLER_CONCURRENCY": "8"}, func(c *Config) any { return c.Crawler.Concurrency }, 8},
		{envMap{"LINKROT_CRAWLER_PER_HOST": " 3 "}, func(c *Config) any { return c.Crawler.PerHost }, 3},
		{envMap{"LINKROT_CRAWLER_PER_HOST_INTERVAL": "1s"}, func(c *Config) any { return c.Crawler.PerHostInterval }, Duration(time.Second)},
		{envMap{"LINKROT_CRAWLER_MAX_BODY": "2MiB"}, func(c *Config) any { return c.Crawler.MaxBody }, 2 * MiB},
		{envMap{"LINKROT_NETWORK_ALLOW_PRIVATE": "true"}, func(c *Config) any { return c.Network.AllowPrivate }, true},
		{envMap{"LINKROT_CRAWLER_ROBOTS": "0"}, func(c *Config) any { return c.Crawler.Robots }, false},
		{envMap{"LINKROT_RECHECK_DEAD": "1w"}, func(c *Config) any { return c.Recheck.Dead }, Duration(7 * 24 * time.Hour)},
		{envMap{"LINKROT_SOURCES": "/a, /b,,"}, func(c *Config) any { return c.Sources }, []string{"/a", "/b"}},
		{envMap{"LINKROT_EXCLUDE_SCHEMES": ","}, func(c *Config) any { return c.Exclude.Schemes }, []string{}},
		{envMap{"LINKROT_REPORTS_FORMATS": "csv,text"}, func(c *Config) any { return c.Reports.Formats }, []string{"csv", "text"}},
		{envMap{"LINKROT_ARCHIVE_EXTERNAL_WAYBACK_ENABLED": "false"}, func(c *Config) any { return c.Archive.External.Wayback.Enabled }, false},
		{envMap{"LINKROT_WEB_AUTH_TOKEN": "tok"}, func(c *Config) any { return c.Web.Auth.Token }, "tok"},
		{envMap{"LINKROT_LOG_LEVEL": "warn"}, func(c *Config) any { return c.Log.Level }, "warn"},
		// The file's value loses to the environment.
		{envMap{"LINKROT_CRAWLER_RETRIES": "5"}, func(c *Config) any { return c.Crawler.Retries }, 5},
		// Empty means unset.
		{envMap{"LINKROT_CRAWLER_TIMEOUT": ""}, func(c *Config) any { return c.Crawler.Timeout }, Duration(30 * time.Second)},
		// LINKROT_CONFIG names the file and is not a key.
		{envMap{"LINKROT_CONFIG": "/elsewhere.yaml"}, func(c *Config) any { return c.Log.Level }, "info"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.env.names(), ","), func(t *testing.T) {
			c := mustLoadYAML(t, "crawler:\n  retries: 1\n", tt.env)
			if got := tt.get(c); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestEnvErrors(t *testing.T) {
	tests := []struct {
		env  envMap
		want []string
	}{
		{envMap{"LINKROT_CRAWLER_CONCURRENCY": "lots"}, []string{`LINKROT_CRAWLER_CONCURRENCY: "lots" is not a whole number`}},
		{envMap{"LINKROT_CRAWLER_TIMEOUT": "abc"}, []string{`LINKROT_CRAWLER_TIMEOUT: "abc" is not a duration (e.g. 30s, 5m, 7d)`}},
		{envMap{"LINKROT_NETWORK_ALLOW_PRIVATE": "sure"}, []string{`LINKROT_NETWORK_ALLOW_PRIVATE: "sure" is not true or false`}},
		{envMap{"LINKROT_CRAWLER_MAX_BODY": "big"}, []string{`LINKROT_CRAWLER_MAX_BODY: "big" is not a size`}},
		{envMap{"LINKROT_CRAWLER_CONCURRENCY": "0"}, []string{`LINKROT_CRAWLER_CONCURRENCY: crawler.concurrency must be between 1 and 1024 (got 0)`}},
		{envMap{"LINKROT_EXCLUDE_PATTERNS": "ok,(bad"}, []string{`LINKROT_EXCLUDE_PATTERNS: exclude.patterns[1]: "(bad" is not a valid regexp`}},
		{envMap{"LINKROT_CRAWLER_CONCURENCY": "4"}, []string{`LINKROT_CRAWLER_CONCURENCY: not a linkrot setting (did you mean LINKROT_CRAWLER_CONCURRENCY?)`}},
		{envMap{"LINKROT_CRAWLER": "4"}, []string{`LINKROT_CRAWLER: not a linkrot setting`}},
		{envMap{"LINKROT_XYZZY": "1"}, []string{`LINKROT_XYZZY: not a linkrot setting; variables are LINKROT_ and a config key`}},
		{envMap{"LINKROT_A": "1", "LINKROT_CRAWLER_RETRIES": "x"}, []string{`LINKROT_A: not a linkrot setting`, `LINKROT_CRAWLER_RETRIES: "x" is not a whole number`}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.env.names(), ","), func(t *testing.T) {
			_, err := loadYAML(t, "", tt.env)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n  %v\nwant it to contain\n  %s", err, w)
				}
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Env == "" {
				t.Errorf("want a *config.Error naming the variable, got %#v", err)
			}
		})
	}
}

// TestLoadRealEnvironment covers Load's own use of os.Environ to find
// unknown variables.
func TestLoadRealEnvironment(t *testing.T) {
	p := writeConfig(t, "")
	t.Setenv("LINKROT_CRAWLER_RETRIES", "5")
	c, err := Load(p, os.Getenv)
	if err != nil || c.Crawler.Retries != 5 {
		t.Fatalf("got %v, %v", c, err)
	}
	// The tests' own variables are not settings and not errors.
	t.Setenv("LINKROT_TEST_POSTGRES", "postgres://127.0.0.1:1/x")
	if _, err := Load(p, os.Getenv); err != nil {
		t.Errorf("with LINKROT_TEST_POSTGRES set: %v", err)
	}
	t.Setenv("LINKROT_NOT_A_KEY", "1")
	if _, err := Load(p, os.Getenv); err == nil || !strings.Contains(err.Error(), "LINKROT_NOT_A_KEY") {
		t.Errorf("unknown variable: got %v", err)
	}
	// A getenv that hides the variable hides it from the check too.
	if _, err := Load(p, func(string) string { return "" }); err != nil {
		t.Errorf("hidden variable: %v", err)
	}
	if _, err := Load(p, nil); err != nil {
		t.Errorf("nil getenv: %v", err)
	}
}

func TestEnvNamesAreUnique(t *testing.T) {
	seen := map[string]string{}
	for _, k := range Keys() {
		n := EnvName(k)
		if other, dup := seen[n]; dup {
			t.Errorf("%s and %s both map to %s", k, other, n)
		}
		seen[n] = k
		if n == EnvConfig {
			t.Errorf("key %s collides with %s", k, EnvConfig)
		}
	}
}

func TestEnvPaths(t *testing.T) {
	cwd := t.TempDir()
	t.Chdir(cwd)
	fileDir := t.TempDir()
	p := filepath.Join(fileDir, "config.yaml")
	if err := os.WriteFile(p, []byte("sources: [docs]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := envMap{"LINKROT_DATA_DIR": "state", "LINKROT_DATABASE": "db/x.db", "HOME": "/home/u"}
	c, err := load(p, env.get, env.names())
	if err != nil {
		t.Fatal(err)
	}
	// Relative paths from the environment are relative to the working
	// directory; the file's paths stay relative to the file.
	if want := filepath.Join(cwd, "state"); c.DataDir != want {
		t.Errorf("data_dir = %q, want %q", c.DataDir, want)
	}
	if want := filepath.Join(cwd, "state", "db", "x.db"); c.Database != want {
		t.Errorf("database = %q, want %q", c.Database, want)
	}
	if want := filepath.Join(fileDir, "docs"); c.Sources[0] != want {
		t.Errorf("sources = %q, want %q", c.Sources, want)
	}
}
