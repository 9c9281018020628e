package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestLocate(t *testing.T) {
	touch := func(t *testing.T, p string) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// setup gives each case its own working directory, home and XDG dir,
	// with no config file anywhere yet.
	setup := func(t *testing.T) (cwd, home, xdg string) {
		cwd, home, xdg = t.TempDir(), t.TempDir(), t.TempDir()
		t.Chdir(cwd)
		t.Setenv("HOME", home)
		t.Setenv("XDG_CONFIG_HOME", xdg)
		t.Setenv(EnvConfig, "")
		return
	}

	t.Run("nothing found", func(t *testing.T) {
		setup(t)
		if p, err := Locate(""); p != "" || err != nil {
			t.Errorf("got %q, %v", p, err)
		}
	})
	t.Run("explicit wins", func(t *testing.T) {
		_, _, xdg := setup(t)
		touch(t, FileName)
		touch(t, filepath.Join(xdg, "linkrot", FileName))
		explicit := touch(t, filepath.Join(t.TempDir(), "mine.yaml"))
		t.Setenv(EnvConfig, touch(t, filepath.Join(t.TempDir(), "env.yaml")))
		if p, err := Locate(explicit); p != explicit || err != nil {
			t.Errorf("got %q, %v", p, err)
		}
	})
	t.Run("explicit missing", func(t *testing.T) {
		setup(t)
		touch(t, FileName)
		_, err := Locate(filepath.Join(t.TempDir(), "nope.yaml"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("explicit directory", func(t *testing.T) {
		setup(t)
		if _, err := Locate(t.TempDir()); err == nil {
			t.Error("no error")
		}
	})
	t.Run("LINKROT_CONFIG before ./config.yaml", func(t *testing.T) {
		setup(t)
		touch(t, FileName)
		env := touch(t, filepath.Join(t.TempDir(), "env.yaml"))
		t.Setenv(EnvConfig, env)
		if p, err := Locate(""); p != env || err != nil {
			t.Errorf("got %q, %v", p, err)
		}
	})
	t.Run("LINKROT_CONFIG missing", func(t *testing.T) {
		setup(t)
		t.Setenv(EnvConfig, filepath.Join(t.TempDir(), "nope.yaml"))
		if _, err := Locate(""); err == nil {
			t.Error("no error")
		}
	})
	t.Run("working directory before XDG", func(t *testing.T) {
		_, _, xdg := setup(t)
		touch(t, FileName)
		touch(t, filepath.Join(xdg, "linkrot", FileName))
		if p, err := Locate(""); p != FileName || err != nil {
			t.Errorf("got %q, %v", p, err)
		}
	})
	t.Run("a directory named config.yaml is skipped", func(t *testing.T) {
		_, _, xdg := setup(t)
		if err := os.Mkdir(FileName, 0o755); err != nil {
			t.Fatal(err)
		}
		want := touch(t, filepath.Join(xdg, "linkrot", FileName))
		if p, err := Locate(""); p != want || err != nil {
			t.Errorf("got %q, %v", p, err)
		}
	})
	t.Run("XDG_CONFIG_HOME", func(t *testing.T) {
		_, home, xdg := setup(t)
		touch(t, filepath.Join(home, ".config", "linkrot", FileName))
		want := touch(t, filepath.Join(xdg, "linkrot", FileName))
		if p, err := Locate(""); p != want || err != nil {
			t.Errorf("got %q, %v", p, err)
		}
	})
	t.Run("~/.config when XDG_CONFIG_HOME is unset", func(t *testing.T) {
		_, home, _ := setup(t)
		t.Setenv("XDG_CONFIG_HOME", "")
		want := touch(t, filepath.Join(home, ".config", "linkrot", FileName))
		if p, err := Locate(""); p != want || err != nil {
			t.Errorf("got %q, %v", p, err)
		}
	})
	t.Run("relative XDG_CONFIG_HOME is ignored", func(t *testing.T) {
		_, home, _ := setup(t)
		t.Setenv("XDG_CONFIG_HOME", "rel")
		touch(t, filepath.Join("rel", "linkrot", FileName))
		want := touch(t, filepath.Join(home, ".config", "linkrot", FileName))
		if p, err := Locate(""); p != want || err != nil {
			t.Errorf("got %q, %v", p, err)
		}
	})
}
