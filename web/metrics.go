package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/job"
	"github.com/linkrot/linkrot/store"
)

// metrics lives in a registry of its own, not the global default, so two
// Servers (tests, or a future second listener) never collide and nothing
// another package registers globally leaks into linkrot's /metrics.
type metrics struct {
	reg      *prometheus.Registry
	checks   *prometheus.CounterVec
	runs     *prometheus.CounterVec
	duration prometheus.Histogram
	lastRun  prometheus.Gauge
	cat      interface {
		RunChecks(ctx context.Context, fromRun, toRun int64, fn func(store.RunCheck) error) error
	}
	states *stateCounter
	log    *slog.Logger
}

func newMetrics(cat catalog, states *stateCounter, log *slog.Logger) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(), cat: cat, states: states, log: log,
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linkrot_checks_total",
			Help: "Checks made by the runs this process observed, by class (ok, http_4xx, dns_nxdomain, ...).",
		}, []string{"class"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linkrot_runs_total",
			Help: "Check runs this process observed, by how they ended (ok, network_down, interrupted, failed).",
		}, []string{"status"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "linkrot_run_duration_seconds",
			Help: "How long check runs took.",
			// From a handful of links to a large nightly run.
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800},
		}),
		lastRun: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "linkrot_last_run_finished_timestamp_seconds",
			Help: "When the last observed run finished (Unix time); 0 before the first.",
		}),
	}
	// Every class starts at zero, so a rate() over a class that has not
	// happened yet is 0 and not a missing series.
	for c := crawler.ClassOK; ; c++ {
		name := c.String()
		if _, err := crawler.ParseClass(name); err != nil {
			break
		}
		m.checks.WithLabelValues(name)
	}
	m.reg.MustRegister(m.checks, m.runs, m.duration, m.lastRun, &linksCollector{states: states, log: log}, &driftCollector{cat: cat, log: log},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		// A failing collector (the catalog) must not hide the others.
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelError),
	})
}

// ObserveRun records a finished run: its duration and status, and its
// checks by class. A run's summary counts verdicts, not classes, so the
// classes are read from the catalog's record of the run (one query over
// that run's checks). It may be called from any goroutine.
func (s *Server) ObserveRun(sum job.Summary, d time.Duration) {
	m := s.metrics
	m.duration.Observe(d.Seconds())
	status := string(sum.Status)
	if status == "" {
		status = "unknown"
	}
	m.runs.WithLabelValues(status).Inc()
	m.lastRun.Set(float64(s.now().Unix()))
	s.states.invalidate()
	if sum.RunID == 0 {
		return // the run failed before it was recorded: no checks to count
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	counts := map[string]int{}
	err := m.cat.RunChecks(ctx, sum.RunID, sum.RunID, func(c store.RunCheck) error {
		counts[c.Class]++
		return nil
	})
	if err != nil {
		// Count nothing rather than part of the run.
		m.log.Error("web: metrics: reading the run's checks", "run", sum.RunID, "err", err)
		return
	}
	for class, n := range counts {
		m.checks.WithLabelValues(class).Add(float64(n))
	}
}

// linksCollector reports the links by state as gauges computed when
// Prometheus scrapes, from the catalog (through the shared, briefly
// cached count).
type linksCollector struct {
	states *stateCounter
	log    *slog.Logger
}

var linksDesc = prometheus.NewDesc("linkrot_links",
	"Links in the catalog by state (unchecked, alive, moved, suspect, dead, blocked, excluded).",
	[]string{"state"}, nil)

func (c *linksCollector) Describe(ch chan<- *prometheus.Desc) { ch <- linksDesc }

func (c *linksCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	counts, err := c.states.get(ctx)
	if err != nil {
		c.log.Error("web: metrics: counting links by state", "err", err)
		ch <- prometheus.NewInvalidMetric(linksDesc, err)
		return
	}
	for _, st := range store.LinkStates {
		ch <- prometheus.MustNewConstMetric(linksDesc, prometheus.GaugeValue, float64(counts[st]), string(st))
	}
	for st, n := range counts {
		if !st.Known() {
			ch <- prometheus.MustNewConstMetric(linksDesc, prometheus.GaugeValue, float64(n), string(st))
		}
	}
}
