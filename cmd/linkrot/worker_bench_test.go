package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// BenchmarkWorkers is issue 10's scaling benchmark: the same link set
// (600 hosts × 4 links, 100 ms latency) checked by 1, 2 and 4 `linkrot
// worker` processes, each with the same crawler.concurrency (8) and
// per-host limits that do not bind (per_host 4, no interval). It reports
// links/s and PostgreSQL's share of the CPU time used (server processes
// against workers plus server). Needs LINKROT_TEST_POSTGRES.
//
//	go test ./cmd/linkrot -run '^$' -bench Workers -benchtime 1x
func BenchmarkWorkers(b *testing.B) {
	for _, n := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", n), func(b *testing.B) {
			for range b.N {
				benchWorkers(b, n)
			}
		})
	}
}

func benchWorkers(b *testing.B, n int) {
	b.StopTimer()
	e := newPgE2E(b, "crawler:\n  concurrency: 8\n  per_host: 4\n  per_host_interval: 0s\n  retries: 0\n  robots: false\n  timeout: 10s\narchive:\n  enabled: false\nlog:\n  level: info\n")
	e.web.SetLatency(100 * time.Millisecond)
	urls := e.web.GenerateSites(600, 4)
	e.addLinks(urls)
	coord, coordLines := e.startPg("check", "--distributed")
	waitLine(b, coordLines, "run 1 open", 30*time.Second)

	pgBefore := postgresCPU(b, e.db)
	b.StartTimer()
	start := time.Now()
	var workers []*exec.Cmd
	var lines []<-chan string
	for i := range n {
		cmd, l := e.startPg("worker", "--name", fmt.Sprintf("w%d", i))
		workers, lines = append(workers, cmd), append(lines, l)
	}
	var workerCPU time.Duration
	for i, w := range workers {
		waitExit(b, fmt.Sprintf("worker %d", i), w, lines[i], 5*time.Minute)
		workerCPU += w.ProcessState.UserTime() + w.ProcessState.SystemTime()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	pgCPU := postgresCPU(b, e.db) - pgBefore
	waitExit(b, "check --distributed", coord, coordLines, time.Minute)
	b.ReportMetric(float64(len(urls))/elapsed.Seconds(), "links/s")
	b.ReportMetric(100*pgCPU.Seconds()/(pgCPU+workerCPU).Seconds(), "%pg-cpu")
	b.ReportMetric(pgCPU.Seconds(), "pg-cpu-s")
	b.ReportMetric(workerCPU.Seconds(), "worker-cpu-s")
}

// postgresCPU is the CPU time the PostgreSQL server at url has used so
// far: the postmaster (with its reaped children) and its live backends,
// read from /proc (the server runs on this machine in the benchmarks).
func postgresCPU(b *testing.B, url string) time.Duration {
	b.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	var backend int
	err = conn.QueryRow(context.Background(), "SELECT pg_backend_pid()").Scan(&backend)
	conn.Close(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	master := procStat(b, backend)[1] // the backend's parent
	total := procStat(b, master)[0]
	entries, _ := os.ReadDir("/proc")
	for _, d := range entries {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == master {
			continue
		}
		if st := procStatMaybe(pid); st != nil && st[1] == master {
			total += st[0]
		}
	}
	return time.Duration(total) * time.Second / 100 // USER_HZ is 100 on Linux
}

// procStat returns a process's CPU ticks (utime+stime+cutime+cstime) and
// its parent's PID.
func procStat(b *testing.B, pid int) [2]int {
	st := procStatMaybe(pid)
	if st == nil {
		b.Fatalf("reading /proc/%d/stat", pid)
	}
	return *st
}

func procStatMaybe(pid int) *[2]int {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	// Fields after the command name (which may hold spaces) in ")".
	i := strings.LastIndexByte(string(raw), ')')
	if i < 0 {
		return nil
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 15 {
		return nil
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	// f[0] is state, f[1] ppid; utime, stime, cutime, cstime are f[11..14].
	return &[2]int{atoi(f[11]) + atoi(f[12]) + atoi(f[13]) + atoi(f[14]), atoi(f[1])}
}
