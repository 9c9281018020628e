package reports

import (
	"github.com/linkrot/linkrot/internal/safeurl"
)

// passOn returns r with every URL that came from outside linkrot and is
// not safe to pass on (safeurl.Check) removed: public archive copies,
// redirect targets (moved_to, final_url) and a snapshot's fetched URL.
// Each removal is logged as a warning. Render calls it for every format,
// so no writer ever sees such a URL; it copies what it changes and leaves
// the caller's report alone.
//
// A link's own URL (Entry.URL, the catalog's key, as a document wrote it)
// is kept, because the report is about it; each writer shows it as inert
// text when it is not a web URL (never a Markdown or HTML link, and a CSV
// cell that cannot start a formula).
func passOn(r Report) Report {
	for _, list := range []*[]Entry{&r.NewlyDead, &r.StillDead, &r.Recovered, &r.Moved, &r.Suspect, &r.Blocked} {
		out := make([]Entry, len(*list))
		for i, e := range *list {
			e.MovedTo = safeurl.Filter(e.MovedTo, "moved_to of "+e.URL)
			e.FinalURL = safeurl.Filter(e.FinalURL, "final_url of "+e.URL)
			if e.ArchiveCopy != nil && safeurl.Filter(e.ArchiveCopy.URL, "public archive copy of "+e.URL) == "" {
				e.ArchiveCopy = nil
			}
			if e.Snapshot != nil && e.Snapshot.URL != "" && safeurl.Filter(e.Snapshot.URL, "snapshot of "+e.URL) == "" {
				sn := *e.Snapshot
				sn.URL = ""
				e.Snapshot = &sn
			}
			out[i] = e
		}
		*list = out
	}
	ds := make([]DocumentGroup, len(r.Documents))
	for i, d := range r.Documents {
		links := make([]DocLink, len(d.Links))
		for j, l := range d.Links {
			l.MovedTo = safeurl.Filter(l.MovedTo, "moved_to of "+l.URL)
			links[j] = l
		}
		if d.Links != nil {
			d.Links = links
		}
		ds[i] = d
	}
	if r.Documents != nil {
		r.Documents = ds
	}
	return r
}
