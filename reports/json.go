package reports

import (
	"encoding/json"
	"io"
)

// renderJSON writes the report as one JSON document in the Schema form,
// described by docs/report-schema.json. Every field is always present:
// lists as [] and missing values as null, so a consumer never has to tell
// "absent" from "empty".
func renderJSON(w io.Writer, r Report) error {
	r = r.complete()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// URLs are full of '&'; the report is not embedded in HTML, so they
	// stay readable.
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// complete returns r with every nil list and map made empty, so that a
// Report put together by hand (not by Build) still gives the full schema.
func (r Report) complete() Report {
	if r.Schema == "" {
		r.Schema = Schema
	}
	if r.Selection.Kind == "" {
		r.Selection.Kind = "run"
	}
	if r.Summary.Status == "" {
		r.Summary.Status = "none"
	}
	// Copied before filling in, so the caller's report is not changed.
	runs := make([]RunInfo, len(r.Summary.Runs))
	copy(runs, r.Summary.Runs)
	r.Summary.Runs = runs
	for i := range r.Summary.Runs {
		if r.Summary.Runs[i].Counters == nil {
			r.Summary.Runs[i].Counters = map[string]int{}
		}
	}
	if r.Summary.ByState == nil {
		r.Summary.ByState = map[string]int{}
	}
	if r.Summary.ByClass == nil {
		r.Summary.ByClass = map[string]int{}
	}
	for _, list := range []*[]Entry{&r.NewlyDead, &r.StillDead, &r.Recovered, &r.Moved, &r.Suspect, &r.Blocked} {
		out := make([]Entry, len(*list))
		for i, e := range *list {
			e.Evidence = orEmpty(e.Evidence)
			if e.Occurrences == nil {
				e.Occurrences = []Place{}
			}
			out[i] = e
		}
		*list = out
	}
	rs := make([]Repair, len(r.Repaired))
	for i, rp := range r.Repaired {
		rp.Repairs, rp.Alternatives, rp.Reasons = orEmpty(rp.Repairs), orEmpty(rp.Alternatives), orEmpty(rp.Reasons)
		rs[i] = rp
	}
	r.Repaired = rs
	ds := make([]DocumentGroup, len(r.Documents))
	for i, d := range r.Documents {
		if d.Links == nil {
			d.Links = []DocLink{}
		}
		ds[i] = d
	}
	r.Documents = ds
	if r.Hosts == nil {
		r.Hosts = []HostGroup{}
	}
	cs := make([]Changed, len(r.ChangedSinceCited))
	for i, c := range r.ChangedSinceCited {
		c.Removed = orEmpty(c.Removed)
		if c.Occurrences == nil {
			c.Occurrences = []Place{}
		}
		cs[i] = c
	}
	r.ChangedSinceCited = cs
	return r
}
