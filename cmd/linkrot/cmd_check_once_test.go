package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/linkrot/linkrot/internal/fakeweb"
)

// runOnce runs the real binary and returns stdout, stderr and the exit code.
func runOnce(t *testing.T, cmd *exec.Cmd) (string, string, int) {
	t.Helper()
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0
	case errors.As(err, &ee):
		return out.String(), errb.String(), ee.ExitCode()
	}
	t.Fatal(err)
	return "", "", -1
}

// TestCheckOnceExitCodes runs `check --once` through the real binary
// against a simulated site: 2 when a link is broken, 0 when none is, 1
// when it cannot run; no catalog is left behind.
func TestCheckOnceExitCodes(t *testing.T) {
	e := newE2E(t, "crawler:\n  per_host_interval: 0s\n  timeout: 5s\n")
	s := e.web.Site("site.example.test")
	s.HTML("/", "Home", "<p>home</p>")
	s.Status("/old", 404)
	s.Page("/busy", fakeweb.RetryAfterSeconds(429, -1, 7200, fakeweb.HTML("x", "")))
	docs := filepath.Join(e.dir, "docs")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(docs, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good.md", "See https://site.example.test/ for more.\n")
	write("bad.md", "Intro\nOld page: https://site.example.test/old\nBusy: https://site.example.test/busy\n")
	e.writeConfig()

	stdout, stderr, code := runOnce(t, e.command("check", "--once", "docs"))
	if code != 2 {
		t.Fatalf("broken links: exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"DEAD", "https://site.example.test/old", "bad.md:2", "THROTTLED", "1 broken"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(e.dir, "data")); !os.IsNotExist(err) {
		t.Errorf("check --once created the data folder (%v); it must not touch the catalog", err)
	}

	stdout, stderr, code = runOnce(t, e.command("check", "--once", "--format", "junit", "-o", "links.xml", "docs/*.md"))
	if code != 2 {
		t.Fatalf("junit: exit %d\n%s%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(filepath.Join(e.dir, "links.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Cases    []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal(b, &suites); err != nil {
		t.Fatalf("junit file: %v\n%s", err, b)
	}
	if suites.Tests != 3 || suites.Failures != 1 || len(suites.Cases) != 3 || suites.Cases[0].Failure == nil {
		t.Errorf("junit: %+v\n%s", suites, b)
	}

	stdout, stderr, code = runOnce(t, e.command("check", "--once", "--format", "json", "docs/good.md"))
	if code != 0 {
		t.Fatalf("all alive: exit %d\n%s%s", code, stdout, stderr)
	}
	var rep struct {
		Links []struct {
			URL     string `json:"url"`
			Verdict string `json:"verdict"`
		} `json:"links"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, stdout)
	}
	if len(rep.Links) != 1 || rep.Links[0].Verdict != "alive" || !strings.Contains(stderr, "0 broken") {
		t.Errorf("json: %+v; stderr:\n%s", rep, stderr)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"/nonexistent/path"}, `"/nonexistent/path": no such file or folder`},
		{[]string{"not-a-url"}, `"not-a-url"`},
		{[]string{"docs/*.rst"}, "pattern matches no file"},
		{[]string{"--format", "yaml", "docs"}, `unknown format "yaml"`},
		{[]string{}, "give at least one PATH"},
	} {
		_, stderr, code := runOnce(t, e.command(append([]string{"check", "--once"}, c.args...)...))
		if code != 1 || !strings.Contains(stderr, c.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("check --once %q: exit %d, stderr %q; want 1 and one line with %q", c.args, code, stderr, c.want)
		}
	}
	if _, stderr, code := runOnce(t, e.command("check", "--budget", "5s")); code != 1 || !strings.Contains(stderr, "--budget needs --once") {
		t.Errorf("--budget without --once: exit %d, %s", code, stderr)
	}
}

// TestCheckOnceOwnSite is a CI job checking its own site on 127.0.0.1 with
// no config file: refused as private (exit 1, naming the flag) until
// --allow-private.
func TestCheckOnceOwnSite(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><head><title>Own site</title></head><body><p>A page of my own site.</p></body></html>"))
	}))
	defer srv.Close()
	bin := linkrotBinary(t)
	dir := t.TempDir()
	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, append([]string{"check", "--once"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LINKROT_CONFIG=", "HOME="+dir, "XDG_CONFIG_HOME="+dir)
		return runOnce(t, cmd)
	}
	stdout, stderr, code := run(srv.URL + "/")
	if code != 1 || !strings.Contains(stderr, "--allow-private") || !strings.Contains(stdout, "--allow-private") {
		t.Errorf("own site without --allow-private: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if _, stderr, code := run("--allow-private", srv.URL+"/"); code != 0 {
		t.Errorf("own site with --allow-private: exit %d\n%s", code, stderr)
	}
	stdout, _, code = run("--allow-private", "--format", "md", srv.URL+"/", srv.URL+"/missing")
	if code != 2 || !strings.Contains(stdout, "| dead | 404 | <"+srv.URL+"/missing> |") {
		t.Errorf("own site, one missing page: exit %d\n%s", code, stdout)
	}
}
