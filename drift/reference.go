package drift

import (
	"strings"
	"time"
)

// CitedAt is when a document cited its links, from what the catalog
// knows about it: its stated date (sources.Document.Date: meta date,
// front matter or dateline, "YYYY-MM-DD" or RFC 3339), else its file's
// modification time, the last resort. A date without a time means the
// end of that day, so a copy captured the same day counts as before the
// citation. Zero when neither is known.
func CitedAt(docDate string, modTime time.Time) time.Time {
	docDate = strings.TrimSpace(docDate)
	if t, err := time.Parse(time.RFC3339, docDate); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse(time.DateOnly, docDate); err == nil {
		return t.Add(24*time.Hour - time.Nanosecond)
	}
	return modTime.UTC()
}

// EarliestCitation is the citation time of a link cited by several
// documents: the earliest non-zero one, since the first citation is what
// the page has drifted from. Zero if none is known.
func EarliestCitation(times []time.Time) time.Time {
	var first time.Time
	for _, t := range times {
		if !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first
}

// ReferenceIndex picks the reference copy among copies captured at the
// given times (in any order): the latest captured at or before citedAt,
// or, when citedAt is zero or every copy is later, the earliest copy.
// Of copies captured at the same time the first listed wins. -1 when
// there are none. Callers pass only usable copies (a 2xx with readable
// text).
func ReferenceIndex(captured []time.Time, citedAt time.Time) int {
	before, first := -1, -1
	for i, t := range captured {
		if first < 0 || t.Before(captured[first]) {
			first = i
		}
		if !citedAt.IsZero() && !t.After(citedAt) && (before < 0 || t.After(captured[before])) {
			before = i
		}
	}
	if before >= 0 {
		return before
	}
	return first
}

// Reference is ReferenceIndex over any kind of copy (store.Snapshot, for
// one): at gives a copy's capture time. ok is false when copies is empty.
func Reference[T any](copies []T, at func(T) time.Time, citedAt time.Time) (ref T, ok bool) {
	times := make([]time.Time, len(copies))
	for i, c := range copies {
		times[i] = at(c)
	}
	i := ReferenceIndex(times, citedAt)
	if i < 0 {
		return ref, false
	}
	return copies[i], true
}
