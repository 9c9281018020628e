package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/linkrot/linkrot/internal/fakeweb"
	"github.com/linkrot/linkrot/store"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// linkrotBinary builds the real binary once per test process.
func linkrotBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "linkrot-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "linkrot")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// e2e is the real binary pointed at an in-process fakeweb through
// network.resolve, with its own config and catalog.
type e2e struct {
	t   testing.TB
	bin string
	dir string
	cfg string
	web *fakeweb.Web
}

func newE2E(t testing.TB, crawlerYAML string) *e2e {
	t.Helper()
	w, err := fakeweb.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return &e2e{t: t, bin: linkrotBinary(t), dir: t.TempDir(), web: w, cfg: crawlerYAML}
}

// writeConfig writes config.yaml once the sites are registered, since the
// resolve entries list them.
func (e *e2e) writeConfig() string {
	e.t.Helper()
	ca, err := e.web.CAFile(e.dir)
	if err != nil {
		e.t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "data_dir: data\nsources: [docs]\n%s\nnetwork:\n  allow_private: true\n  resolve_only: true\n  ca_file: %s\n  resolve:\n", e.cfg, ca)
	for _, r := range e.web.Resolve() {
		fmt.Fprintf(&b, "    - %q\n", r)
	}
	p := filepath.Join(e.dir, "config.yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *e2e) command(args ...string) *exec.Cmd {
	cmd := exec.Command(e.bin, append([]string{"--config", filepath.Join(e.dir, "config.yaml")}, args...)...)
	cmd.Dir = e.dir
	cmd.Env = append(os.Environ(), "LINKROT_LOG_LEVEL=debug")
	return cmd
}

func (e *e2e) mustRun(args ...string) string {
	e.t.Helper()
	out, err := e.command(args...).CombinedOutput()
	if err != nil {
		e.t.Fatalf("linkrot %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// addLinks writes the URLs into one document, writes the config (whose
// resolve entries list the sites registered so far) and runs add.
func (e *e2e) addLinks(urls []string) {
	e.t.Helper()
	if err := os.MkdirAll(filepath.Join(e.dir, "docs"), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.dir, "docs", "list.txt"), []byte("Links\n\n"+strings.Join(urls, "\n")+"\n"), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.writeConfig()
	e.mustRun("add")
}

// start runs the binary in the background and reads its log lines.
func (e *e2e) start(args ...string) (*exec.Cmd, *bufio.Scanner) {
	e.t.Helper()
	cmd := e.command(args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	return cmd, bufio.NewScanner(stderr)
}

var checkedLine = regexp.MustCompile(`msg=checked url=(\S+)`)

// TestKillMidRunLosesNothing starts the real binary on a long list, kills
// it with SIGKILL mid-run, and shows that every check it reported is in the
// catalog and that the next run completes the rest.
func TestKillMidRunLosesNothing(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	e := newE2E(t, "crawler:\n  concurrency: 4\n  per_host: 2\n  per_host_interval: 0s\n  retries: 0\n  robots: false\n")
	e.web.SetLatency(20 * time.Millisecond)
	urls := e.web.GenerateSites(10, 60)
	e.addLinks(urls)

	cmd, sc := e.start("check")
	var reported []string
	for sc.Scan() {
		if m := checkedLine.FindStringSubmatch(sc.Text()); m != nil {
			reported = append(reported, m[1])
			if len(reported) == 150 {
				break
			}
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Lines already written before the kill still count.
	for sc.Scan() {
		if m := checkedLine.FindStringSubmatch(sc.Text()); m != nil {
			reported = append(reported, m[1])
		}
	}
	_ = cmd.Wait()
	if len(reported) < 150 || len(reported) >= len(urls) {
		t.Fatalf("killed after %d of %d checks; want mid-run", len(reported), len(urls))
	}

	st, err := store.OpenSQLite(context.Background(), filepath.Join(e.dir, "data", "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range reported {
		n := 0
		if err := st.History(context.Background(), u, func(store.CheckRecord) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%s was reported checked but has %d checks stored", u, n)
		}
	}
	st.Close()

	// The killed process's lock is taken over at once: its owner, on this
	// machine, no longer exists.
	second := e.mustRun("check")
	if !strings.Contains(second, "run 2 ok") {
		t.Fatalf("second run:\n%s", second)
	}

	st, err = store.OpenSQLite(context.Background(), filepath.Join(e.dir, "data", "linkrot.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	unchecked := 0
	if err := st.Links(context.Background(), store.LinkFilter{State: "unchecked"}, func(store.Link) error { unchecked++; return nil }); err != nil {
		t.Fatal(err)
	}
	if unchecked != 0 {
		t.Errorf("%d links still unchecked after the second run", unchecked)
	}
	var statuses []string
	_ = st.Runs(context.Background(), 0, func(r store.Run) error { statuses = append(statuses, string(r.Status)); return nil })
	if strings.Join(statuses, ",") != "ok,interrupted" {
		t.Errorf("runs newest first: %v", statuses)
	}
}

// TestSecondCheckProcessRefuses runs two real check processes at once: the
// second refuses with a message naming the first.
func TestSecondCheckProcessRefuses(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	e := newE2E(t, "crawler:\n  concurrency: 2\n  per_host: 1\n  per_host_interval: 0s\n  retries: 0\n  robots: false\n")
	e.web.SetLatency(50 * time.Millisecond)
	urls := e.web.GenerateSites(2, 40)
	e.addLinks(urls)
	first, sc := e.start("check")
	for sc.Scan() && !checkedLine.MatchString(sc.Text()) {
	}
	go func() {
		for sc.Scan() {
		}
	}()
	out, err := e.command("check").CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("second check: err %v, want exit code 1", err)
	}
	if !strings.Contains(string(out), "another linkrot job is running") || !strings.Contains(string(out), fmt.Sprint(first.Process.Pid)) {
		t.Errorf("second check said:\n%s", out)
	}
	if err := first.Wait(); err != nil {
		t.Errorf("first check: %v", err)
	}
}

// TestRestoreRemoteFindsThePublicCopy asks a (simulated) Wayback Machine
// for a dead link's copy through the real binary, and downloads it.
func TestRestoreRemoteFindsThePublicCopy(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	e := newE2E(t, "archive:\n  external:\n    wayback:\n      availability_url: https://web.archive.org/wayback/available\n      cdx_url: https://web.archive.org/cdx/search/cdx\n    memento:\n      enabled: false\n")
	const gone = "https://news.example.com/2014/09/29/harbour-story"
	e.web.Site("news.example.com").Status("/2014/09/29/harbour-story", 404)
	e.web.Archive("web.archive.org").
		Add(gone, time.Date(2014, 9, 30, 8, 0, 0, 0, time.UTC), 200, "<html><title>Harbour story</title><p>The copy.</p></html>").
		Add(gone, time.Date(2019, 1, 2, 8, 0, 0, 0, time.UTC), 404, "gone")
	e.writeConfig()
	out := e.mustRun("restore", "--remote", gone)
	if !strings.Contains(out, "/web/20140930080000") || !strings.Contains(out, "wayback") {
		t.Fatalf("restore --remote said:\n%s", out)
	}
	dest := filepath.Join(e.dir, "copy.html")
	e.mustRun("restore", "--remote", "-o", dest, gone)
	body, err := os.ReadFile(dest)
	if err != nil || !strings.Contains(string(body), "The copy.") {
		t.Fatalf("downloaded copy: %q, %v", body, err)
	}
	// With no local copy, plain restore says what to do.
	cmd := e.command("restore", gone)
	msg, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(msg), "try `linkrot restore --remote") {
		t.Errorf("restore without a copy: %v\n%s", err, msg)
	}
}
