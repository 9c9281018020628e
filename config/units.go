package config

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration that also accepts days ("d") and weeks ("w"),
// because recheck intervals are naturally written in days. It marshals back
// to the same notation, so printed configs stay readable.
type Duration time.Duration

const (
	day  = 24 * time.Hour
	week = 7 * day
)

// ParseDuration parses a Go duration ("36h", "250ms") extended with days and
// weeks ("7d", "1d12h", "2w"). A day is always 24h: a recheck interval does
// not care about daylight saving time.
func ParseDuration(s string) (time.Duration, error) {
	d, ok := parseDuration(strings.TrimSpace(s))
	if !ok {
		return 0, fmt.Errorf("%s is not a duration (e.g. 30s, 5m, 7d)", quote(s))
	}
	return d, nil
}

func parseDuration(s string) (time.Duration, bool) {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "0" {
		return 0, true
	}
	if s == "" {
		return 0, false
	}
	// Sum in uint64 so that math.MinInt64 (whose magnitude exceeds MaxInt64)
	// round-trips through String.
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var total uint64
	for s != "" {
		i := 0
		for i < len(s) && (s[i] == '.' || isDigit(s[i])) {
			i++
		}
		j := i
		for j < len(s) && s[j] != '.' && !isDigit(s[j]) {
			j++
		}
		num, unit := s[:i], s[i:j]
		s = s[j:]
		if num == "" || unit == "" {
			return 0, false
		}
		var part time.Duration
		var err error
		switch unit {
		case "d", "w":
			// Parse as hours so fractions ("1.5d") stay exact, then scale.
			mult := time.Duration(24)
			if unit == "w" {
				mult = 24 * 7
			}
			part, err = time.ParseDuration(num + "h")
			if err != nil || part > math.MaxInt64/mult {
				return 0, false
			}
			part *= mult
		default:
			part, err = time.ParseDuration(num + unit)
			if err != nil {
				return 0, false
			}
		}
		if uint64(part) > limit-total {
			return 0, false
		}
		total += uint64(part)
	}
	if neg {
		total = -total
	}
	return time.Duration(total), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// String formats d with days when it is at least a day ("7d", "1d12h"), and
// like time.Duration otherwise, without zero components ("1h30m", not
// "1h30m0s").
func (d Duration) String() string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	u := uint64(d)
	if d < 0 {
		b.WriteByte('-')
		u = -u // also right for math.MinInt64
	}
	if days := u / uint64(day); days > 0 {
		b.WriteString(strconv.FormatUint(days, 10))
		b.WriteByte('d')
	}
	rest := time.Duration(u % uint64(day))
	if rest == 0 {
		return b.String()
	}
	if rest < time.Second {
		b.WriteString(rest.String())
		return b.String()
	}
	if h := rest / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m := rest % time.Hour / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s := rest % time.Minute; s > 0 {
		whole, frac := s/time.Second, s%time.Second
		if frac == 0 {
			fmt.Fprintf(&b, "%ds", whole)
		} else {
			fmt.Fprintf(&b, "%d.%s", whole, strings.TrimRight(fmt.Sprintf("%09d", frac), "0"))
			b.WriteByte('s')
		}
	}
	return b.String()
}

// MarshalText implements encoding.TextMarshaler (used by YAML and JSON).
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := ParseDuration(string(text))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// ByteSize is a size in bytes written with a unit: "10MiB", "512KB", "1GB"
// or a plain number of bytes.
type ByteSize int64

// Byte size units. KB, MB, … are decimal (powers of 1000) and KiB, MiB, …
// binary (powers of 1024), as the SI and IEC define them.
const (
	KB  ByteSize = 1000
	MB           = 1000 * KB
	GB           = 1000 * MB
	TB           = 1000 * GB
	KiB ByteSize = 1024
	MiB          = 1024 * KiB
	GiB          = 1024 * MiB
	TiB          = 1024 * GiB
)

// Bare K, M, G, T mean the binary units, as in most tools that accept them
// (and as "10M" is usually meant for a body-size cap).
var sizeUnits = map[string]ByteSize{
	"": 1, "b": 1,
	"kb": KB, "mb": MB, "gb": GB, "tb": TB,
	"kib": KiB, "mib": MiB, "gib": GiB, "tib": TiB,
	"k": KiB, "m": MiB, "g": GiB, "t": TiB,
}

var errNotSize = errors.New("not a size")

// ParseByteSize parses a size such as "10MiB", "1.5 GB", "512KB" or "4096".
// Units are case-insensitive; fractions are rounded down to whole bytes.
func ParseByteSize(s string) (ByteSize, error) {
	n, err := parseByteSize(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%s is not a size (e.g. 10MiB, 512KB, 1GB or a number of bytes)", quote(s))
	}
	return n, nil
}

func parseByteSize(s string) (ByteSize, error) {
	// A size is short; refusing long input keeps big.Rat cheap.
	if len(s) == 0 || len(s) > 64 {
		return 0, errNotSize
	}
	i := 0
	dots := 0
	for i < len(s) && (isDigit(s[i]) || s[i] == '.') {
		if s[i] == '.' {
			dots++
		}
		i++
	}
	num := s[:i]
	unit := strings.ToLower(strings.TrimSpace(s[i:]))
	if num == "" || num == "." || dots > 1 {
		return 0, errNotSize
	}
	mult, ok := sizeUnits[unit]
	if !ok {
		return 0, errNotSize
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, errNotSize
	}
	r.Mul(r, new(big.Rat).SetInt64(int64(mult)))
	v := new(big.Int).Quo(r.Num(), r.Denom())
	if !v.IsInt64() {
		return 0, errNotSize
	}
	return ByteSize(v.Int64()), nil
}

var sizeNames = []struct {
	n    ByteSize
	name string
}{
	{TiB, "TiB"}, {TB, "TB"}, {GiB, "GiB"}, {GB, "GB"},
	{MiB, "MiB"}, {MB, "MB"}, {KiB, "KiB"}, {KB, "KB"},
}

// String uses the largest unit that divides b exactly ("10MiB", "512KB"),
// so that parsing the result gives b back.
func (b ByteSize) String() string {
	if b > 0 {
		for _, u := range sizeNames {
			if b >= u.n && b%u.n == 0 {
				return strconv.FormatInt(int64(b/u.n), 10) + u.name
			}
		}
	}
	return strconv.FormatInt(int64(b), 10)
}

// MarshalText implements encoding.TextMarshaler (used by YAML and JSON).
func (b ByteSize) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (b *ByteSize) UnmarshalText(text []byte) error {
	v, err := ParseByteSize(string(text))
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// quote quotes a value for an error message, cut short so that a garbage
// value cannot flood the terminal.
func quote(s string) string {
	const max = 160
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "…"
	}
	return strconv.Quote(s)
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
