package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// leftovers lists the crash leftovers under the data directory: files
// named .tmp-*, and (from verify --json) the problems of those kinds.
func leftoverProblems(t *testing.T, e *e2e) (kinds map[string]int, out string) {
	t.Helper()
	cmd := e.command("verify", "--json")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	_ = cmd.Run() // exits 1 with problems
	kinds = map[string]int{}
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		var p struct{ Kind string }
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("verify --json: %v\n%s", err, stdout.String())
		}
		kinds[p.Kind]++
	}
	return kinds, stdout.String()
}

// killMidCapture starts `check` on pages of incompressible megabytes and
// kills it with SIGKILL as soon as a blob or a temporary blob file
// appears: the moment a capture has written its blob but not yet its
// snapshot. It tries a few times, since the window is a race.
func killMidCapture(t *testing.T, e *e2e) {
	t.Helper()
	blobs := filepath.Join(e.dir, "data", "blobs")
	for attempt := 0; attempt < 5; attempt++ {
		cmd := e.command("check", "--all")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		before := countFiles(blobs)
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) && countFiles(blobs) == before {
			time.Sleep(time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		if kinds, _ := leftoverProblems(t, e); kinds["temp_file"]+kinds["unreferenced_blob"] > 0 {
			return
		}
	}
	t.Fatal("five SIGKILLs mid-capture left no leftover to find")
}

func countFiles(dir string) int {
	n := 0
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// TestSIGKILLDuringCaptureLeavesNothingBehind kills the real binary while
// it archives large pages, and shows that `verify` reports the leftovers
// as problems (in plain output and JSON, exit 1), that `verify --repair`
// removes them, and that the next check removes those a later kill left
// once they are older than the grace period.
func TestSIGKILLDuringCaptureLeavesNothingBehind(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	e := newE2E(t, "crawler:\n  concurrency: 2\n  per_host: 2\n  per_host_interval: 0s\n  retries: 0\n  robots: false\n  max_body: 64MiB\n"+
		"archive:\n  enabled: true\n  formats: [warc]\n  max_size: 64MiB\n  external:\n    wayback:\n      enabled: false\n    memento:\n      enabled: false\n")
	// Random bytes do not compress: each page costs real time to gzip
	// into its blob and again into the WARC file.
	big := make([]byte, 24<<20)
	rand.Read(big)
	site := e.web.Site("big.example")
	var urls []string
	for i := range 6 {
		p := fmt.Sprintf("/page-%d", i)
		site.Page(p, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(big)
		}))
		urls = append(urls, "https://big.example"+p)
	}
	e.addLinks(urls)

	killMidCapture(t, e)
	kinds, _ := leftoverProblems(t, e)
	t.Logf("after SIGKILL: %v", kinds)
	out, err := e.command("verify").CombinedOutput()
	if err == nil {
		t.Fatalf("verify exited 0 with leftovers:\n%s", out)
	}
	if !strings.Contains(string(out), "temp_file") && !strings.Contains(string(out), "unreferenced_blob") {
		t.Fatalf("plain verify output names no leftover:\n%s", out)
	}

	out, _ = e.command("verify", "--repair").CombinedOutput()
	if !strings.Contains(string(out), "repaired: removed") {
		t.Fatalf("verify --repair:\n%s", out)
	}
	if kinds, js := leftoverProblems(t, e); kinds["temp_file"]+kinds["unreferenced_blob"] != 0 {
		t.Fatalf("leftovers after verify --repair:\n%s", js)
	}

	// Another kill; this time the next check cleans up. Leftovers younger
	// than the grace period are spared (a writer may still be at them), so
	// they are aged first, as an hour passing would.
	killMidCapture(t, e)
	old := time.Now().Add(-time.Hour)
	filepath.WalkDir(filepath.Join(e.dir, "data"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, old, old)
		}
		return nil
	})
	if kinds, _ := leftoverProblems(t, e); kinds["temp_file"]+kinds["unreferenced_blob"] == 0 {
		t.Fatal("the second kill left nothing")
	}
	e.mustRun("check", "--all")
	if kinds, js := leftoverProblems(t, e); kinds["temp_file"]+kinds["unreferenced_blob"] != 0 {
		t.Fatalf("leftovers after the next check:\n%s", js)
	}
}
