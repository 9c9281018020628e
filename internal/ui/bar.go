package ui

import (
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Bar is a progress bar drawn on the printer's diagnostics stream. A nil
// *Bar draws nothing, so callers need not ask whether there is one.
type Bar struct {
	p   *Printer
	bar *progressbar.ProgressBar
}

// Bar returns a progress bar described by desc, or nil when the printer is
// quiet or its diagnostics do not go to a terminal (a log file would fill
// with redraws).
func (p *Printer) Bar(desc string) *Bar {
	if p.quiet || !isTerminal(p.err) {
		return nil
	}
	return &Bar{p: p, bar: progressbar.NewOptions(-1, progressbar.OptionSetWriter(p.err),
		progressbar.OptionSetDescription(desc), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())}
}

// Start sets how many steps there are.
func (b *Bar) Start(total int) {
	if b != nil {
		b.p.mu.Lock()
		b.bar.ChangeMax(total)
		b.p.mu.Unlock()
	}
}

// Add counts n steps done.
func (b *Bar) Add(n int) {
	if b != nil {
		b.p.mu.Lock()
		_ = b.bar.Add(n)
		b.p.mu.Unlock()
	}
}

// Describe changes the text before the bar ("waiting 12s on https://…").
func (b *Bar) Describe(desc string) {
	if b != nil {
		b.p.mu.Lock()
		b.bar.Describe(desc)
		b.p.mu.Unlock()
	}
}

// Finish clears the bar.
func (b *Bar) Finish() {
	if b != nil {
		b.p.mu.Lock()
		_ = b.bar.Finish()
		b.p.mu.Unlock()
	}
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && !strings.EqualFold(os.Getenv("TERM"), "dumb")
}
