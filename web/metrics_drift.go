package web

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/linkrot/linkrot/store"
)

// driftCollector reports how many links' latest content verdict is
// drifted or replaced (issue 15), counted from the catalog when
// Prometheus scrapes. Only flagged verdicts are read, so the cost follows
// the number of changed links, not of links.
type driftCollector struct {
	cat any // a store.DriftStore, or the gauges are not reported
	log *slog.Logger
}

var driftDesc = prometheus.NewDesc("linkrot_links_changed",
	"Links whose latest content verdict says the page changed since it was cited, by verdict (drifted, replaced).",
	[]string{"verdict"}, nil)

func (c *driftCollector) Describe(ch chan<- *prometheus.Desc) { ch <- driftDesc }

func (c *driftCollector) Collect(ch chan<- prometheus.Metric) {
	ds, ok := c.cat.(interface {
		LatestDrifts(ctx context.Context, flaggedOnly bool, fn func(store.Drift) error) error
	})
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var drifted, replaced int
	err := ds.LatestDrifts(ctx, true, func(d store.Drift) error {
		if d.Drifted {
			drifted++
		}
		if d.Replaced {
			replaced++
		}
		return nil
	})
	if err != nil {
		c.log.Error("web: metrics: counting changed links", "err", err)
		ch <- prometheus.NewInvalidMetric(driftDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(driftDesc, prometheus.GaugeValue, float64(drifted), "drifted")
	ch <- prometheus.MustNewConstMetric(driftDesc, prometheus.GaugeValue, float64(replaced), "replaced")
}
