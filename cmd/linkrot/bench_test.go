package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkCheckBinary runs the real linkrot binary against cmd/fakeweb as
// a separate process: N links over 200 hosts, 20 ms server latency, global
// concurrency 32, per-host concurrency 2, no per-host interval. It reports
// the wall time as a ratio to the schedule bound (the larger of
// N × 20 ms / 32 and, per host, links × 20 ms / 2), CPU seconds per 1,000
// checks and the peak RSS of the check process. It prints; it asserts only
// that every link was checked. BENCH_LINKROT_BIN runs another build of
// linkrot instead (an older commit, to compare in one sitting).
//
//	go test -run '^$' -bench CheckBinary -benchtime 1x -timeout 30m ./cmd/linkrot
func BenchmarkCheckBinary(b *testing.B) {
	for _, perHost := range []int{100, 1000} {
		b.Run(fmt.Sprintf("links=%d", 200*perHost), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				benchCheckOnce(b, 200, perHost)
			}
		})
	}
}

func benchCheckOnce(b *testing.B, hosts, perHost int) {
	dir := b.TempDir()
	bin := os.Getenv("BENCH_LINKROT_BIN") // another build, for side-by-side figures
	if bin == "" {
		bin = linkrotBinary(b)
	}
	fw := filepath.Join(dir, "fakeweb")
	if out, err := exec.Command("go", "build", "-o", fw, "../fakeweb").CombinedOutput(); err != nil {
		b.Fatalf("building fakeweb: %v\n%s", err, out)
	}
	server := exec.Command(fw, "-hosts", fmt.Sprint(hosts), "-links", fmt.Sprint(perHost), "-latency", "20ms",
		"-urls-out", filepath.Join(dir, "urls.txt"), "-ca-out", filepath.Join(dir, "ca.pem"),
		"-resolve-out", filepath.Join(dir, "resolve.txt"))
	stdout, err := server.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := server.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = server.Process.Signal(syscall.SIGTERM); _ = server.Wait() }()
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.Contains(sc.Text(), "ready") {
	}
	// fakeweb says how many requests it served when it stops.
	served := make(chan int, 1)
	go func() {
		n := -1
		for sc.Scan() {
			fmt.Sscanf(sc.Text(), "fakeweb: stopping after %d requests", &n)
		}
		served <- n
	}()

	urls := readLines(b, filepath.Join(dir, "urls.txt"))
	docs := filepath.Join(dir, "docs")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		b.Fatal(err)
	}
	for start := 0; start < len(urls); start += 1000 {
		end := min(start+1000, len(urls))
		text := "Links\n\n" + strings.Join(urls[start:end], "\n") + "\n"
		if err := os.WriteFile(filepath.Join(docs, fmt.Sprintf("list%04d.txt", start/1000)), []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var cfg strings.Builder
	// The checker alone: archiving has its own benchmark (archive.BenchmarkCapture).
	fmt.Fprintf(&cfg, "data_dir: data\nsources: [docs]\nreports:\n  formats: []\narchive:\n  enabled: false\ncrawler:\n  concurrency: 32\n  per_host: 2\n  per_host_interval: 0s\n  retries: 0\n")
	fmt.Fprintf(&cfg, "network:\n  allow_private: true\n  resolve_only: true\n  ca_file: %q\n  resolve:\n", filepath.Join(dir, "ca.pem"))
	for _, r := range readLines(b, filepath.Join(dir, "resolve.txt")) {
		fmt.Fprintf(&cfg, "    - %q\n", r)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	run := func(args ...string) (*os.ProcessState, time.Duration, string) {
		cmd := exec.Command(bin, append([]string{"--config", filepath.Join(dir, "config.yaml")}, args...)...)
		cmd.Dir = dir
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("linkrot %v: %v\n%s", args, err, out)
		}
		return cmd.ProcessState, time.Since(start), string(out)
	}
	run("add")

	b.ResetTimer()
	checkArgs := []string{"check"}
	if prof := os.Getenv("BENCH_CPUPROFILE"); prof != "" {
		checkArgs = append(checkArgs, "--cpuprofile", prof) // go tool pprof it
	}
	ps, wall, out := run(checkArgs...)
	b.StopTimer()
	n := len(urls)
	if !strings.Contains(out, fmt.Sprintf("%d checked", n)) {
		b.Fatalf("not every link was checked:\n%s", out)
	}
	latency := 20 * time.Millisecond
	bound := max(time.Duration(n)*latency/32, time.Duration(perHost)*latency/2)
	ru := ps.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	b.ReportMetric(wall.Seconds()/bound.Seconds(), "wall/bound")
	b.ReportMetric(cpu.Seconds()/float64(n)*1000, "cpu-s/1k-checks")
	b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(n)/wall.Seconds(), "checks/s")
	// The bound counts one request per link; evidence before verdict adds
	// confirming GETs, redirect hops, robots.txt and soft-404 probes. The
	// request bound is the same formula over the requests fakeweb served
	// (add included none: it does not fetch).
	_ = server.Process.Signal(syscall.SIGTERM)
	_ = server.Wait()
	if reqs := <-served; reqs > 0 {
		reqBound := max(time.Duration(reqs)*latency/32, time.Duration(perHost)*latency/2*time.Duration(reqs)/time.Duration(n))
		b.ReportMetric(float64(reqs)/float64(n), "requests/link")
		b.ReportMetric(wall.Seconds()/reqBound.Seconds(), "wall/request-bound")
	}
	b.Logf("%d links: wall %s, bound %s, cpu %s, maxrss %d KiB", n, wall.Round(time.Millisecond), bound, cpu.Round(time.Millisecond), ru.Maxrss)
}

func readLines(b *testing.B, path string) []string {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return strings.Fields(string(data))
}
