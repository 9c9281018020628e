package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
// linkrot instead (an older commit, to compare in one sitting);
// BENCH_CPUPROFILE and BENCH_TRACE profile or trace the check.
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
	stopServer := startBenchWeb(b, dir, hosts, perHost)
	defer stopServer()

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
	if tr := os.Getenv("BENCH_TRACE"); tr != "" {
		checkArgs = append(checkArgs, "--trace", tr) // go tool trace it
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
	if sv := stopServer(); sv.requests > 0 {
		reqs := sv.requests
		sv.report(b)
		reqBound := max(time.Duration(reqs)*latency/32, time.Duration(perHost)*latency/2*time.Duration(reqs)/time.Duration(n))
		b.ReportMetric(float64(reqs)/float64(n), "requests/link")
		b.ReportMetric(wall.Seconds()/reqBound.Seconds(), "wall/request-bound")
	}
	b.Logf("%d links: wall %s, bound %s, cpu %s, maxrss %d KiB", n, wall.Round(time.Millisecond), bound, cpu.Round(time.Millisecond), ru.Maxrss)
}

// served is what fakeweb says when it stops: how many requests it served
// (-1: not reported) and how many it had in flight on average between the
// first and the last, the share of the 32 slots a client kept busy.
type served struct {
	requests int
	inFlight float64
}

// report adds the server's figures to b's.
func (s served) report(b *testing.B) {
	if s.inFlight > 0 {
		b.ReportMetric(s.inFlight, "server-in-flight")
	}
}

// startBenchWeb builds and starts cmd/fakeweb with hosts × perHost pages
// (20 ms latency) writing urls.txt, ca.pem and resolve.txt into dir. stop
// ends it and returns what it served; it may be called more than once.
func startBenchWeb(b *testing.B, dir string, hosts, perHost int) (stop func() served) {
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
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && !strings.Contains(sc.Text(), "ready") {
	}
	// fakeweb says what it served when it stops.
	done := make(chan served, 1)
	go func() {
		s := served{requests: -1}
		for sc.Scan() {
			line := sc.Text()
			fmt.Sscanf(line, "fakeweb: stopping after %d requests", &s.requests)
			if _, avg, ok := strings.Cut(line, "), "); ok && strings.HasPrefix(line, "fakeweb: requests served from") {
				fmt.Sscanf(avg, "%g in flight", &s.inFlight)
			}
		}
		done <- s
	}()
	var once sync.Once
	s := served{requests: -1}
	return func() served {
		once.Do(func() {
			_ = server.Process.Signal(syscall.SIGTERM)
			_ = server.Wait()
			s = <-done
		})
		return s
	}
}

// BenchmarkPoliteFloor is what the machine allows the polite benchmark of
// BenchmarkCheckBinary: the same fakeweb site and limits (32 requests in
// flight, 2 per host), checked by the least a client can do (net/http
// GETs with their bodies discarded, hosts in turns of 29 as linkrot's
// feed takes them; no parsing, no catalog, no robots.txt). Its
// wall/request-bound is the floor under linkrot's on the same machine:
// the server's own CPU and the scheduler's wake-ups, not the client's
// schedule.
//
//	go test -run '^$' -bench PoliteFloor -benchtime 1x ./cmd/linkrot
func BenchmarkPoliteFloor(b *testing.B) {
	for i := 0; i < b.N; i++ {
		politeFloorOnce(b, 200, 100)
	}
}

func politeFloorOnce(b *testing.B, hosts, perHost int) {
	dir := b.TempDir()
	stopServer := startBenchWeb(b, dir, hosts, perHost)
	defer stopServer()
	addrs := map[string]string{}
	for _, r := range readLines(b, filepath.Join(dir, "resolve.txt")) {
		k, v, _ := strings.Cut(r, "=")
		addrs[k] = v
	}
	pem, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		b.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	var d net.Dialer
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return d.DialContext(ctx, network, addrs[addr])
		},
		TLSClientConfig: &tls.Config{RootCAs: pool},
		MaxIdleConns:    64, MaxIdleConnsPerHost: 2,
	}}
	hostOf := func(u string) string { // fakeweb's URLs are scheme://host/path
		h := u[strings.Index(u, "//")+2:]
		return h[:strings.Index(h, "/")]
	}
	byHost := map[string][]string{}
	var order []string
	for _, u := range readLines(b, filepath.Join(dir, "urls.txt")) {
		h := hostOf(u)
		if byHost[h] == nil {
			order = append(order, h)
		}
		byHost[h] = append(byHost[h], u)
	}
	global := make(chan struct{}, 32)
	var mu sync.Mutex
	slots := map[string]chan struct{}{}
	work := make(chan string, 64)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range 256 {
		wg.Go(func() {
			for u := range work {
				h := hostOf(u)
				mu.Lock()
				hs := slots[h]
				if hs == nil {
					hs = make(chan struct{}, 2)
					slots[h] = hs
				}
				mu.Unlock()
				hs <- struct{}{}
				global <- struct{}{}
				if resp, err := client.Get(u); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				<-global
				<-hs
			}
		})
	}
	const turn = 29 // linkrot's turn for 200 hosts at 32 / 2 (job.turnSize)
	for i := 0; i < len(order); i += turn {
		group := order[i:min(i+turn, len(order))]
		for j := 0; ; j++ {
			sent := false
			for _, h := range group {
				if j < len(byHost[h]) {
					work <- byHost[h][j]
					sent = true
				}
			}
			if !sent {
				break
			}
		}
	}
	close(work)
	wg.Wait()
	wall := time.Since(start)
	b.StopTimer()
	if sv := stopServer(); sv.requests > 0 {
		reqs := sv.requests
		sv.report(b)
		latency := 20 * time.Millisecond
		reqBound := max(time.Duration(reqs)*latency/32, time.Duration(perHost)*latency/2*time.Duration(reqs)/time.Duration(hosts*perHost))
		b.ReportMetric(wall.Seconds()/reqBound.Seconds(), "wall/request-bound")
		b.ReportMetric(float64(reqs)/float64(hosts*perHost), "requests/link")
	}
}

func readLines(b *testing.B, path string) []string {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return strings.Fields(string(data))
}
