package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/linkrot/linkrot/config"
)

type scheduleOptions struct {
	next int
	json bool
}

func newScheduleCmd(g *globals) *cobra.Command {
	var opts scheduleOptions
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Show the configured schedule and when it fires next",
		Long: "schedule prints the cron spec of the configuration (`schedule`) and the next times\n" +
			"`linkrot serve` will run the job. Times are in the spec's CRON_TZ zone when it has one,\n" +
			"with local time beside them, else in local time.",
		Example: "  linkrot schedule\n  linkrot schedule --next 10",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSchedule(cmd.Context(), opts, g)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

func (o *scheduleOptions) addFlags(f *pflag.FlagSet) {
	f.IntVar(&o.next, "next", 5, "how many upcoming run times to print")
	f.BoolVar(&o.json, "json", false, "print the spec, its time zone and the run times as JSON")
}

// scheduleJSON is schedule's --json output.
type scheduleJSON struct {
	Spec     string      `json:"spec"`
	TimeZone string      `json:"time_zone"`
	Next     []time.Time `json:"next"`
}

func runSchedule(_ context.Context, opts scheduleOptions, g *globals) error {
	if opts.next < 1 || opts.next > 1000 {
		return fmt.Errorf("--next must be between 1 and 1000 (got %d)", opts.next)
	}
	cfg, err := g.loadConfig()
	if err != nil {
		return err
	}
	sched, err := config.ParseSchedule(cfg.Schedule)
	if err != nil {
		return fmt.Errorf("schedule: %w", err) // Load validated it; kept for configs built in code
	}
	// The clock's zone is local time: serve's cron evaluates specs without
	// CRON_TZ in time.Local, which is what time.Now carries.
	now := g.now()
	local := now.Location()
	zone := local
	if spec, ok := sched.(*cron.SpecSchedule); ok && spec.Location != time.Local {
		zone = spec.Location
	}
	times := make([]time.Time, 0, opts.next)
	for t := now; len(times) < opts.next; {
		t = sched.Next(t)
		if t.IsZero() {
			break // a spec that stops firing (ParseSchedule rejects one that never does)
		}
		times = append(times, t)
	}
	p := g.printer()
	if opts.json {
		out := scheduleJSON{Spec: cfg.Schedule, TimeZone: zone.String(), Next: times}
		for i := range out.Next {
			out.Next[i] = out.Next[i].In(zone)
		}
		return p.JSON(out)
	}
	zoneName := "local time, " + now.Format("MST")
	if zone != local {
		zoneName = "time zone " + zone.String()
	}
	p.Printf("schedule: %s (%s)\n", cfg.Schedule, zoneName)
	p.Printf("next %d runs:\n", len(times))
	const layout = "Mon 2006-01-02 15:04:05 MST"
	for _, t := range times {
		line := "  " + t.In(zone).Format(layout)
		if zone != local {
			line += "  (" + t.In(local).Format(layout) + ")"
		}
		p.Printf("%s  in %s\n", line, humanDuration(t.Sub(now)))
	}
	return nil
}

// humanDuration prints d for a person, in whole seconds: "14h", "1d3h",
// "45m30s" (time.Duration prints "14h0m0s").
func humanDuration(d time.Duration) string {
	d = d.Round(time.Second)
	var b strings.Builder
	for _, u := range []struct {
		unit time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.unit; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.name)
			d -= n * u.unit
		}
	}
	if b.Len() == 0 {
		return "0s"
	}
	return b.String()
}
