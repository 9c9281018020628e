package config

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // CRON_TZ=Area/City must work on hosts without a zoneinfo database (scratch containers)

	"github.com/robfig/cron/v3"
)

// ParseSchedule parses a schedule the way the scheduler will: a standard
// 5-field cron spec, optionally prefixed with CRON_TZ=Area/City, or a
// descriptor such as "@daily" or "@every 6h". It also rejects specs that can
// never fire ("0 0 30 2 *").
func ParseSchedule(spec string) (cron.Schedule, error) {
	// cron v3.0.1 slices out of range on a TZ prefix with nothing after it.
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		if !strings.Contains(spec, " ") {
			return nil, fmt.Errorf("%s has a time zone but no schedule after it (e.g. \"CRON_TZ=Europe/Berlin 0 3 * * *\")", quote(spec))
		}
	}
	s, err := parseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("%s is not a cron schedule (e.g. \"0 3 * * *\" or \"@daily\"): %v", quote(spec), err)
	}
	if s.Next(time.Now()).IsZero() {
		return nil, fmt.Errorf("%s never fires", quote(spec))
	}
	return s, nil
}

// parseStandard keeps a panic in the cron parser from crashing Load.
func parseStandard(spec string) (s cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("cannot parse (%v)", r)
		}
	}()
	return cron.ParseStandard(spec)
}
