// This file keeps a run's repeated per-link failures from flooding
// stderr (issue 11 item 2): a full disk fails every capture, a damaged
// archive every reference read.

package job

import (
	"log/slog"
	"sync"
)

// warnings gathers failures by kind. Each is logged at debug level as it
// happens; the run ends with one warning per kind saying how many there
// were and what the first one was.
type warnings struct {
	mu    sync.Mutex
	order []string
	kinds map[string]*warnKind
}

type warnKind struct {
	n        int
	url, err string
}

// add notes one failure of kind (a short message, the same for every
// link) for url.
func (w *warnings) add(log *slog.Logger, kind, url string, err error) {
	log.Debug(kind, "url", url, "err", err)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.kinds == nil {
		w.kinds = map[string]*warnKind{}
	}
	k, ok := w.kinds[kind]
	if !ok {
		k = &warnKind{url: url, err: err.Error()}
		w.kinds[kind] = k
		w.order = append(w.order, kind)
	}
	k.n++
}

// flush logs one warning per kind seen since the last flush.
func (w *warnings) flush(log *slog.Logger) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, kind := range w.order {
		k := w.kinds[kind]
		if k.n == 1 {
			log.Warn(kind, "url", k.url, "err", k.err)
			continue
		}
		log.Warn(kind, "count", k.n, "first_url", k.url, "first_err", k.err, "all", "at debug level")
	}
	w.order, w.kinds = nil, nil
}
