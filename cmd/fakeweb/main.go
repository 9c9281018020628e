// Command fakeweb serves linkrot's simulated internet on loopback, so the
// real linkrot binary can be run and benchmarked against it without
// touching the network.
//
//	fakeweb -demo -hosts 1000 -links 200 \
//	    -urls-out urls.txt -ca-out ca.pem -resolve-out resolve.yaml
//
// -bench N adds the site scripts/bench-check.sh compares link checkers on.
//
// It listens on 127.0.0.1 only, on ports the kernel picks, prints the
// addresses and runs until SIGINT or SIGTERM. -resolve-out writes the
// network.resolve entries ("HOST:PORT=IP:PORT", the same mapping as curl's
// --connect-to HOST:PORT:IP:PORT); with a .yaml or .yml name it writes a
// ready config snippet instead.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/linkrot/linkrot/internal/fakeweb"
)

// options are the command-line flags.
type options struct {
	hosts      int
	links      int
	latency    time.Duration
	demo       bool
	urlsOut    string
	caOut      string
	resolveOut string
	storyOut   string
	bench      int
	benchHosts int
	truthOut   string
	cpuProfile string
}

func (o *options) addFlags(fs *flag.FlagSet) {
	fs.IntVar(&o.hosts, "hosts", 0, "number of generated sites")
	fs.IntVar(&o.links, "links", 100, "pages per generated site")
	fs.DurationVar(&o.latency, "latency", 0, "server latency added to every response")
	fs.BoolVar(&o.demo, "demo", false, "add the demo sites: one per failure kind, plus a web archive")
	fs.StringVar(&o.urlsOut, "urls-out", "", "write every URL (demo and generated), one per line, to `FILE`")
	fs.StringVar(&o.caOut, "ca-out", "", "write the CA certificate (PEM) to `FILE`, for network.ca_file")
	fs.StringVar(&o.storyOut, "story-out", "", "with -demo: add the demo story, write its URLs to `FILE`; SIGUSR1 takes its article down")
	fs.StringVar(&o.resolveOut, "resolve-out", "", "write the network.resolve entries to `FILE` (a YAML snippet if it ends in .yaml/.yml)")
	fs.IntVar(&o.bench, "bench", 0, "add a bench site of `N` pages for comparing link checkers (also served on 127.0.0.1, with an index page)")
	fs.IntVar(&o.benchHosts, "bench-hosts", 50, "named hosts the bench pages are spread over")
	fs.StringVar(&o.truthOut, "truth-out", "", "write each bench page as PATH<TAB>KIND<TAB>broken|alive to `FILE`")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the server to `FILE` when it stops (what the bench server costs)")
}

func main() {
	var opts options
	fs := flag.NewFlagSet("fakeweb", flag.ExitOnError)
	opts.addFlags(fs)
	fs.Parse(os.Args[1:])
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "fakeweb: unexpected arguments %q\n", fs.Args())
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if opts.cpuProfile != "" {
		f, err := os.Create(opts.cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "fakeweb:", err)
			os.Exit(1)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	if err := run(ctx, opts, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fakeweb:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done. Every output file is written before it
// reports ready, so a script can wait for the "ready" line.
func run(ctx context.Context, opts options, out io.Writer) error {
	if opts.hosts < 0 || opts.links <= 0 {
		return errors.New("-hosts must be >= 0 and -links > 0")
	}
	w, err := fakeweb.New()
	if err != nil {
		return err
	}
	defer w.Close()
	// A long-running server must not grow a request log nobody reads.
	w.SetLogLimit(0)
	w.SetLatency(opts.latency)

	var urls []string
	if opts.demo {
		for _, c := range w.Demo() {
			urls = append(urls, c.URL)
		}
	}
	urls = append(urls, w.GenerateSites(opts.hosts, opts.links)...)
	if opts.storyOut != "" {
		if err := startStory(ctx, w, opts.demo, opts.storyOut, out); err != nil {
			return err
		}
	}
	if opts.bench > 0 {
		b := w.BenchSite(opts.bench, opts.benchHosts)
		urls = append(urls, b.URLs...)
		fmt.Fprintf(out, "fakeweb: bench index http://%s%s\n", w.HTTPAddr(), b.IndexPath)
		if opts.truthOut != "" {
			var t strings.Builder
			for i, p := range b.Paths {
				verdict := "alive"
				if b.Broken[i] {
					verdict = "broken"
				}
				fmt.Fprintf(&t, "%s\t%s\t%s\n", p, b.Kinds[i], verdict)
			}
			if err := writeFile(opts.truthOut, t.String()); err != nil {
				return err
			}
		}
	}

	fmt.Fprintf(out, "fakeweb: http  %s\n", w.HTTPAddr())
	fmt.Fprintf(out, "fakeweb: https %s\n", w.HTTPSAddr())
	fmt.Fprintf(out, "fakeweb: %d URLs on %d resolvable hosts\n", len(urls), len(w.Resolve())/2)

	if opts.urlsOut != "" {
		if err := writeFile(opts.urlsOut, strings.Join(urls, "\n")+"\n"); err != nil {
			return err
		}
		fmt.Fprintf(out, "fakeweb: URLs written to %s\n", opts.urlsOut)
	}
	caFile := ""
	if opts.caOut != "" {
		if err := writeFile(opts.caOut, string(w.CACertPEM())); err != nil {
			return err
		}
		if caFile, err = filepath.Abs(opts.caOut); err != nil {
			return err
		}
		fmt.Fprintf(out, "fakeweb: CA certificate written to %s\n", opts.caOut)
	}
	if opts.resolveOut != "" {
		text := strings.Join(w.Resolve(), "\n") + "\n"
		if ext := filepath.Ext(opts.resolveOut); ext == ".yaml" || ext == ".yml" {
			text = resolveYAML(w, caFile)
		}
		if err := writeFile(opts.resolveOut, text); err != nil {
			return err
		}
		fmt.Fprintf(out, "fakeweb: resolve entries written to %s\n", opts.resolveOut)
	}
	if opts.demo {
		fmt.Fprintf(out, "fakeweb: try  curl --cacert CA.pem --connect-to ok.demo.test:443:%s https://ok.demo.test/article\n", w.HTTPSAddr())
	}
	fmt.Fprintln(out, "fakeweb: ready; stop with Ctrl-C")
	<-ctx.Done()
	n := w.TotalHits()
	mean := time.Duration(0)
	if n > 0 {
		mean = w.HandlerTime() / time.Duration(n)
	}
	fmt.Fprintf(out, "fakeweb: stopping after %d requests, %.2f ms in the handler per request (latency %v)\n",
		n, float64(mean.Microseconds())/1000, opts.latency)
	if first, last := w.Span(); last.After(first) {
		span := last.Sub(first)
		fmt.Fprintf(out, "fakeweb: requests served from %s to %s (%.3f s), %.2f in flight on average\n",
			first.UTC().Format("15:04:05.000"), last.UTC().Format("15:04:05.000"), span.Seconds(), w.HandlerTime().Seconds()/span.Seconds())
	}
	return w.Close()
}

// resolveYAML is a config snippet to merge into linkrot's config.yaml.
func resolveYAML(w *fakeweb.Web, caFile string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# fakeweb: http %s, https %s (written %s)\n", w.HTTPAddr(), w.HTTPSAddr(), time.Now().UTC().Format(time.RFC3339))
	b.WriteString("# Names missing from resolve must be treated as NXDOMAIN, never looked up.\n")
	b.WriteString("network:\n  allow_private: true\n")
	if caFile != "" {
		fmt.Fprintf(&b, "  ca_file: %s\n", strconv.Quote(caFile))
	}
	b.WriteString("  resolve:\n")
	for _, e := range w.Resolve() {
		fmt.Fprintf(&b, "    - %s\n", strconv.Quote(e))
	}
	return b.String()
}

func writeFile(path, text string) error {
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
