package drift

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCitedAt(t *testing.T) {
	mod := day("2023-05-06T07:08:09Z")
	tests := []struct {
		date string
		want time.Time
	}{
		{"2024-03-03", day("2024-03-03T23:59:59.999999999Z")},
		{" 2024-03-03 ", day("2024-03-03T23:59:59.999999999Z")},
		{"2024-03-03T10:00:00+02:00", day("2024-03-03T08:00:00Z")},
		{"", mod},
		{"March 2024", mod}, // not a date the catalog stores: file time
	}
	for _, tc := range tests {
		if got := CitedAt(tc.date, mod); !got.Equal(tc.want) {
			t.Errorf("CitedAt(%q) = %v, want %v", tc.date, got, tc.want)
		}
	}
	if got := CitedAt("", time.Time{}); !got.IsZero() {
		t.Errorf("CitedAt with nothing known = %v, want zero", got)
	}
}

func TestEarliestCitation(t *testing.T) {
	a, b := day("2024-01-01T00:00:00Z"), day("2022-06-01T00:00:00Z")
	if got := EarliestCitation([]time.Time{{}, a, b, {}}); !got.Equal(b) {
		t.Errorf("EarliestCitation = %v, want %v", got, b)
	}
	if got := EarliestCitation(nil); !got.IsZero() {
		t.Errorf("EarliestCitation(nil) = %v", got)
	}
}

func TestReferenceIndex(t *testing.T) {
	c := []time.Time{
		day("2024-01-10T00:00:00Z"), // 0
		day("2024-03-01T00:00:00Z"), // 1
		day("2024-03-03T15:00:00Z"), // 2: same day as the citation
		day("2024-06-01T00:00:00Z"), // 3
	}
	cited := CitedAt("2024-03-03", time.Time{})
	tests := []struct {
		name   string
		copies []time.Time
		cited  time.Time
		want   int
	}{
		{"nearest before, same day counts", c, cited, 2},
		{"nearest before", c, day("2024-03-02T00:00:00Z"), 1},
		{"order does not matter", []time.Time{c[3], c[1], c[0], c[2]}, day("2024-03-02T00:00:00Z"), 1},
		{"all after: first copy", c, day("2023-01-01T00:00:00Z"), 0},
		{"no date: first copy", []time.Time{c[2], c[0], c[3]}, time.Time{}, 1},
		{"after all: latest", c, day("2030-01-01T00:00:00Z"), 3},
		{"exactly at", c, c[1], 1},
		{"tie: first listed", []time.Time{c[1], c[1]}, c[3], 0},
		{"none", nil, cited, -1},
	}
	for _, tc := range tests {
		if got := ReferenceIndex(tc.copies, tc.cited); got != tc.want {
			t.Errorf("%s: ReferenceIndex = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestReferenceGeneric(t *testing.T) {
	type snap struct {
		id int
		at time.Time
	}
	snaps := []snap{{7, day("2024-01-01T00:00:00Z")}, {8, day("2024-02-01T00:00:00Z")}}
	got, ok := Reference(snaps, func(s snap) time.Time { return s.at }, day("2024-01-15T00:00:00Z"))
	if !ok || got.id != 7 {
		t.Errorf("Reference = %+v, %v; want id 7", got, ok)
	}
	if _, ok := Reference([]snap{}, func(s snap) time.Time { return s.at }, time.Time{}); ok {
		t.Error("Reference of no copies reported ok")
	}
}
