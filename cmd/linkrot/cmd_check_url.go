package main

import (
	"time"

	"github.com/linkrot/linkrot/crawler"
	"github.com/linkrot/linkrot/store"
)

// printCheckedURL prints the verdict of `check --url` with its evidence.
func printCheckedURL(g *globals, asJSON bool, res crawler.Result, state store.LinkState) error {
	p := g.printer()
	if asJSON {
		return p.JSON(struct {
			crawler.Result
			State store.LinkState `json:"state,omitempty"`
		}{res, state})
	}
	p.Printf("%s\n  class:   %s\n", res.URL, res.Class)
	if res.Status > 0 {
		p.Printf("  status:  %d\n", res.Status)
	}
	if res.FinalURL != "" && res.FinalURL != res.URL {
		p.Printf("  final:   %s\n", res.FinalURL)
	}
	for _, h := range res.Redirects {
		p.Printf("  hop:     %d %s\n", h.Status, h.URL)
	}
	if res.Title != "" {
		p.Printf("  title:   %s\n", res.Title)
	}
	p.Printf("  latency: %s, attempts %d\n", res.Latency.Round(time.Millisecond), res.Attempts)
	if res.Err != "" {
		p.Printf("  error:   %s\n", res.Err)
	}
	for _, e := range res.Evidence {
		p.Printf("  evidence: %s\n", e)
	}
	if state != "" {
		p.Printf("  state:   %s (recorded)\n", state)
	} else {
		p.Printf("  (not in the catalog; nothing recorded)\n")
	}
	return nil
}
