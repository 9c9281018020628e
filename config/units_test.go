package config

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"0", 0},
		{"30s", 30 * time.Second},
		{"250ms", 250 * time.Millisecond},
		{"36h", 36 * time.Hour},
		{"7d", 7 * day},
		{"1d12h", 36 * time.Hour},
		{"1.5d", 36 * time.Hour},
		{"2w", 14 * day},
		{"1w2d3h4m5s", week + 2*day + 3*time.Hour + 4*time.Minute + 5*time.Second},
		{"-1d", -day},
		{"+5m", 5 * time.Minute},
		{" 1h ", time.Hour},
		{"1µs", time.Microsecond},
		{"1us", time.Microsecond},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "abc", "7", "d", "1x", "1d 2h", "1..5d", ".d", "-", "1h-2m", "999999999999999999w", "106752d", "9223372036854775807ns1ns"} {
		if got, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", bad, got)
		} else if !strings.Contains(err.Error(), "is not a duration (e.g. 30s, 5m, 7d)") {
			t.Errorf("ParseDuration(%q): message %q", bad, err)
		}
	}
}

func TestDurationString(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{250 * time.Millisecond, "250ms"},
		{30 * time.Second, "30s"},
		{90 * time.Minute, "1h30m"},
		{24 * time.Hour, "1d"},
		{36 * time.Hour, "1d12h"},
		{72 * time.Hour, "3d"},
		{7 * day, "7d"},
		{day + 1500*time.Millisecond, "1d1.5s"},
		{day + time.Nanosecond, "1d1ns"},
		{-36 * time.Hour, "-1d12h"},
		{61*time.Second + time.Nanosecond, "1m1.000000001s"},
	}
	for _, tt := range tests {
		if got := Duration(tt.d).String(); got != tt.want {
			t.Errorf("Duration(%v).String() = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestDurationRoundTrip(t *testing.T) {
	for _, d := range []time.Duration{0, 1, -1, time.Second, 59 * time.Second, day - 1, day, week + 1, math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		checkDurationRoundTrip(t, d)
	}
}

func checkDurationRoundTrip(t *testing.T, d time.Duration) {
	t.Helper()
	s := Duration(d).String()
	back, err := ParseDuration(s)
	if err != nil || back != d {
		t.Errorf("%d → %q → %d, %v", int64(d), s, int64(back), err)
	}
}

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want ByteSize
	}{
		{"0", 0},
		{"4096", 4096},
		{"10MiB", 10 << 20},
		{"512KB", 512000},
		{"1GB", 1e9},
		{"1.5 GiB", 3 << 29},
		{"10mib", 10 << 20},
		{"10M", 10 << 20},
		{"2k", 2048},
		{"7b", 7},
		{"0.5B", 0},
		{"8191TiB", 8191 << 40},
	}
	for _, tt := range tests {
		got, err := ParseByteSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "MiB", "-1", "1e6", "1/2", "1..2MB", "10 parsecs", "9999999TiB", "1,000", ".", strings.Repeat("9", 100)} {
		if got, err := ParseByteSize(bad); err == nil {
			t.Errorf("ParseByteSize(%q) = %d, want an error", bad, got)
		}
	}
}

func TestByteSizeString(t *testing.T) {
	tests := []struct {
		b    ByteSize
		want string
	}{
		{0, "0"},
		{1, "1"},
		{1023, "1023"},
		{10 * MiB, "10MiB"},
		{50 * MiB, "50MiB"},
		{512 * KB, "500KiB"},
		{1500, "1500"},
		{3 * KB, "3KB"},
		{GB, "1GB"},
		{5 * TiB, "5TiB"},
	}
	for _, tt := range tests {
		if got := tt.b.String(); got != tt.want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", int64(tt.b), got, tt.want)
		}
		back, err := ParseByteSize(tt.b.String())
		if err != nil || back != tt.b {
			t.Errorf("round trip of %d: %d, %v", int64(tt.b), back, err)
		}
	}
}

func TestUnitsMarshalAsText(t *testing.T) {
	v := struct {
		D Duration
		B ByteSize
	}{Duration(7 * day), 10 * MiB}
	out, err := json.Marshal(v)
	if err != nil || string(out) != `{"D":"7d","B":"10MiB"}` {
		t.Fatalf("json: %s, %v", out, err)
	}
	var back struct {
		D Duration
		B ByteSize
	}
	if err := json.Unmarshal(out, &back); err != nil || back != v {
		t.Errorf("json round trip: %+v, %v", back, err)
	}
}

func FuzzDuration(f *testing.F) {
	for _, s := range []string{"7d", "1d12h", "-1.5w", "250ms", "0", "1µs"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			return
		}
		checkDurationRoundTrip(t, d)
	})
}

func FuzzByteSize(f *testing.F) {
	for _, s := range []string{"10MiB", "512KB", "1.5 GB", "4096"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseByteSize(s)
		if err != nil {
			return
		}
		if b < 0 {
			t.Fatalf("%q parsed to negative %d", s, b)
		}
		back, err := ParseByteSize(b.String())
		if err != nil || back != b {
			t.Fatalf("%q → %d → %q → %d, %v", s, b, b.String(), back, err)
		}
	})
}
