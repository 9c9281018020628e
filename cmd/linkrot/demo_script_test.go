package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOfflineDemoScript runs scripts/offline-demo.sh as a user would
// (without --serve), against the real binaries on loopback, so the demo
// cannot rot: every run checks something, the article's link dies, its
// copy is restored, fix cites the copy and the last report is not empty.
func TestOfflineDemoScript(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatalf("the demo is a bash script: %v", err)
	}
	bin := linkrotBinary(t)
	fakeweb := filepath.Join(t.TempDir(), "fakeweb")
	if out, err := exec.Command("go", "build", "-o", fakeweb, "../fakeweb").CombinedOutput(); err != nil {
		t.Fatalf("build fakeweb: %v\n%s", err, out)
	}
	work := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "../../scripts/offline-demo.sh", work)
	cmd.Env = append(os.Environ(), "DEMO_LINKROT_BIN="+bin, "DEMO_FAKEWEB_BIN="+fakeweb)
	// On timeout the whole group goes, fakeweb included.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	b, err := cmd.CombinedOutput()
	out := string(b)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}

	runs := regexp.MustCompile(`run (\d+) ok: (\d+) checked`).FindAllStringSubmatch(out, -1)
	if len(runs) != 3 {
		t.Fatalf("want 3 runs, got %d:\n%s", len(runs), out)
	}
	for _, r := range runs {
		if r[2] == "0" {
			t.Errorf("run %s checked nothing", r[1])
		}
	}
	story := "https://news.demo.test/2024/05/city-council-approves-river-park"
	for _, want := range []string{
		"restored the copy of " + story,
		"(archived copy)</title>",
		"line 3: archived copy http://127.0.0.1:8080/web/",
		"repaired to https://www.themoscowtimes.com/2014/09/29/russia-calls-for-joint-effort-with-us-to-fight-islamic-state-a39862",
		"public archive copy from 2016-01-02",
		"offline demo: done in",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	// The last report lists the article as newly dead, with its local copy.
	report := out[strings.LastIndex(out, "== 7. the report"):]
	newly := regexp.MustCompile(`Newly dead \(\d+\)\n(?:.*\n)*?  ` + regexp.QuoteMeta(story) + `\n(?:    .*\n)*?    local copy from `)
	if !newly.MatchString(report) {
		t.Errorf("the last report does not list %s as newly dead with a local copy:\n%s", story, report)
	}
	doc, err := os.ReadFile(filepath.Join(work, "docs", "article.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`<http://127\.0\.0\.1:8080/web/\d{14}/` + regexp.QuoteMeta(story) + `> \(original: <` + regexp.QuoteMeta(story) + `>\)`).Match(doc) {
		t.Errorf("article not rewritten to the local copy:\n%s", doc)
	}
	if m := regexp.MustCompile(`done in (\d+)s`).FindStringSubmatch(out); m != nil {
		t.Logf("demo took %ss (builds not counted)", m[1])
	}
}
