package config

import (
	"errors"
	"fmt"
	"strings"
)

// Error is one problem with the configuration, located as precisely as is
// known: file and line for values from config.yaml, the variable for values
// from the environment. Load may return several joined together; use
// errors.As to get at the first.
type Error struct {
	File string // config file as given to Load; "" when not from a file
	Line int    // 1-based; 0 when unknown
	Env  string // LINKROT_* variable the value came from
	Key  string // dotted key ("crawler.timeout", "sources[1]"); "" for file-level problems
	Msg  string // what is wrong; names Key where there is one
}

// Error is always one line: a value with a newline (a path, a regexp) is
// escaped rather than breaking the message apart.
func (e *Error) Error() string {
	msg := strings.ReplaceAll(e.Msg, "\n", `\n`)
	switch {
	case e.Env != "":
		return e.Env + ": " + msg
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, msg)
	case e.File != "":
		return e.File + ": " + msg
	}
	return msg
}

// origin is where a key's value came from.
type origin struct {
	file string
	line int
	env  string
}

type origins map[string]origin

// at finds the origin of a key or list item ("sources[1]"): an environment
// variable replaces the whole list, so it wins over the item's own line.
func (o origins) at(key string) origin {
	if i := strings.IndexByte(key, '['); i > 0 {
		parent := o[key[:i]]
		if parent.env != "" {
			return parent
		}
		if it, ok := o[key]; ok {
			return it
		}
		return parent
	}
	return o[key]
}

// errorf builds an error about key, located where its value came from.
func (o origins) errorf(key, format string, args ...any) *Error {
	at := o.at(key)
	return &Error{File: at.file, Line: at.line, Env: at.env, Key: key, Msg: fmt.Sprintf(format, args...)}
}

// errList collects errors so that one run of Load reports every problem,
// up to a limit: a garbage file must not produce a wall of text.
type errList struct {
	errs []error
	more int
}

const maxErrors = 10

func (l *errList) add(err error) {
	if err == nil {
		return
	}
	if len(l.errs) == maxErrors {
		l.more++
		return
	}
	l.errs = append(l.errs, err)
}

func (l *errList) err() error {
	switch {
	case len(l.errs) == 0:
		return nil
	case len(l.errs) == 1:
		return l.errs[0]
	}
	errs := l.errs
	if l.more > 0 {
		errs = append(errs[:len(errs):len(errs)], fmt.Errorf("… and %d more", l.more))
	}
	return errors.Join(errs...)
}

// suggest returns the known name closest to name, or "" when none is close
// enough to be a likely typo. When nothing is close it also tries the last
// dotted segment alone, which catches a right key in the wrong section
// ("concurrency" at the top level → "crawler.concurrency").
func suggest(name string, known []string) string {
	if len(name) > 64 {
		return ""
	}
	best, bestD := "", -1
	for _, k := range known {
		d := levenshtein(name, k)
		if bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	if bestD >= 0 && bestD <= typoBudget(name) {
		return best
	}
	leaf := lastSegment(name)
	best, bestD = "", -1
	for _, k := range known {
		d := levenshtein(leaf, lastSegment(k))
		if bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	if bestD >= 0 && bestD <= typoBudget(leaf)/2 {
		return best
	}
	return ""
}

func typoBudget(s string) int {
	return min(max(1, len(s)/4), 3)
}

func lastSegment(key string) string {
	return key[strings.LastIndexByte(key, '.')+1:]
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
