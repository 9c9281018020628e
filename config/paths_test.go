package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestPathResolution(t *testing.T) {
	dir := t.TempDir()
	ca := writeCA(t, dir)
	p := filepath.Join(dir, "config.yaml")
	content := "data_dir: state\nsources: [notes, /abs/docs, 'md/*.md', ~/inbox, 'https://example.com/feed']\nnetwork:\n  ca_file: " + filepath.Base(ca) + "\n"
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	env := envMap{"HOME": "/home/u"}
	c, err := load(p, env.get, nil)
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	checks := []struct{ name, got, want string }{
		{"data_dir", c.DataDir, state},
		{"database", c.Database, filepath.Join(state, "linkrot.db")},
		{"database path", c.DatabasePath(), filepath.Join(state, "linkrot.db")},
		{"reports.dir", c.Reports.Dir, filepath.Join(state, "reports")},
		{"ca_file", c.Network.CAFile, ca},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	wantSources := []string{
		filepath.Join(dir, "notes"),
		filepath.FromSlash("/abs/docs"),
		filepath.Join(dir, "md", "*.md"),
		filepath.FromSlash("/home/u/inbox"),
		"https://example.com/feed",
	}
	if !reflect.DeepEqual(c.Sources, wantSources) {
		t.Errorf("sources = %q, want %q", c.Sources, wantSources)
	}
}

func TestPathResolutionAbsoluteAndURL(t *testing.T) {
	c := mustLoadYAML(t, "data_dir: /srv/linkrot\ndatabase: /var/db/l.db\nreports:\n  dir: /var/www/reports\n", nil)
	if c.DataDir != filepath.FromSlash("/srv/linkrot") || c.Database != filepath.FromSlash("/var/db/l.db") || c.Reports.Dir != filepath.FromSlash("/var/www/reports") {
		t.Errorf("absolute paths changed: %q %q %q", c.DataDir, c.Database, c.Reports.Dir)
	}
	for _, db := range []string{"postgres://u:p@host/linkrot?sslmode=disable", "file:linkrot.db?_pragma=busy_timeout(5000)"} {
		c := mustLoadYAML(t, "database: '"+db+"'\n", nil)
		if c.Database != db || c.DatabasePath() != db {
			t.Errorf("database %q became %q / %q", db, c.Database, c.DatabasePath())
		}
	}
}

func TestNoFileResolvesAgainstWorkingDirectory(t *testing.T) {
	cwd := t.TempDir()
	t.Chdir(cwd)
	c, err := load("", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := resolvedDefault(t, cwd); !reflect.DeepEqual(c, want) {
		t.Errorf("got\n%+v\nwant\n%+v", c, want)
	}
	if want := filepath.Join(cwd, "data", "linkrot.db"); c.DatabasePath() != want {
		t.Errorf("database path %q, want %q", c.DatabasePath(), want)
	}
}

func TestDatabasePath(t *testing.T) {
	tests := []struct{ dataDir, db, want string }{
		{"data", "linkrot.db", filepath.Join("data", "linkrot.db")},
		{"/srv", "sub/x.db", filepath.FromSlash("/srv/sub/x.db")},
		{"/srv", "/abs/x.db", "/abs/x.db"},
		{"/srv", "postgres://h/db", "postgres://h/db"},
		{"/srv", "postgresql://h/db", "postgresql://h/db"},
		{"/srv", "", ""},
	}
	for _, tt := range tests {
		c := &Config{DataDir: tt.dataDir, Database: tt.db}
		if got := c.DatabasePath(); got != tt.want {
			t.Errorf("DatabasePath(%q, %q) = %q, want %q", tt.dataDir, tt.db, got, tt.want)
		}
	}
	if isURL(`C:\db\x.db`) || isURL("x.db") || !isURL("postgres://x") {
		t.Error("isURL")
	}
}
