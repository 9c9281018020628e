// Package ui is the one place command output goes through: results to
// stdout, warnings and diagnostics to stderr, as text or JSON lines.
package ui

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// Printer writes a command's output. It is safe for concurrent use.
type Printer struct {
	mu    sync.Mutex
	out   io.Writer
	err   io.Writer
	quiet bool
}

// New returns a Printer writing results to out and warnings to errw.
// A quiet printer drops informational messages but never results or warnings.
func New(out, errw io.Writer, quiet bool) *Printer {
	return &Printer{out: out, err: errw, quiet: quiet}
}

// Printf writes a result line to stdout.
func (p *Printer) Printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, format, args...)
}

// JSON writes v as one line of JSON to stdout.
func (p *Printer) JSON(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err = fmt.Fprintf(p.out, "%s\n", b)
	return err
}

// Infof writes an informational line (a summary, progress) to stderr unless quiet.
func (p *Printer) Infof(format string, args ...any) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.err, format+"\n", args...)
}

// Warnf writes a warning line to stderr.
func (p *Printer) Warnf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.err, "warning: "+format+"\n", args...)
}
