package main

import (
	"errors"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

// startProfiles starts what the hidden --cpuprofile and --trace flags ask
// for; stopProfiles ends them and writes --memprofile. They are for
// benchmarks (cmd/linkrot/bench_test.go, docs/benchmarks.md).
func (g *globals) startProfiles() error {
	if g.cpuProfile != "" {
		f, err := os.Create(g.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return errors.Join(err, f.Close())
		}
		g.stopProfile = append(g.stopProfile, func() { pprof.StopCPUProfile(); f.Close() })
	}
	if g.traceFile != "" {
		f, err := os.Create(g.traceFile)
		if err != nil {
			g.stopProfiles()
			return err
		}
		if err := trace.Start(f); err != nil {
			g.stopProfiles()
			return errors.Join(err, f.Close())
		}
		g.stopProfile = append(g.stopProfile, func() { trace.Stop(); f.Close() })
	}
	return nil
}

func (g *globals) stopProfiles() {
	for _, stop := range g.stopProfile {
		stop()
	}
	g.stopProfile = nil
	if g.memProfile != "" {
		if f, err := os.Create(g.memProfile); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
}
