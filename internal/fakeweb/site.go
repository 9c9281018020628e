package fakeweb

import (
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// HostMode is what happens before any HTTP is spoken with a host: name
// resolution and the TCP connection. Each mode is a real condition for a
// client that dials through Web.DialContext; see Resolve for clients that
// dial addresses themselves.
type HostMode int

const (
	// Up: the host resolves and its listeners answer. The default.
	Up HostMode = iota
	// Down: connections are accepted and immediately reset (ECONNRESET).
	Down
	// Refused: connections are refused (ECONNREFUSED), as with nothing
	// listening on the port.
	Refused
	// Blackhole: connections are accepted and then nothing is ever sent,
	// not even a TLS handshake; clients time out.
	Blackhole
	// NXDomain: the name does not resolve (*net.DNSError with IsNotFound),
	// like a host that was never registered.
	NXDomain
	// DNSFailure: resolution fails temporarily (*net.DNSError with
	// IsTemporary), like a SERVFAIL.
	DNSFailure
)

// Site is one virtual host. Its methods may be called at any time, also
// while requests are being served, so tests can change a site between runs.
// Methods return the Site to allow chaining.
type Site struct {
	web       *Web
	host      string
	generated bool // made by GenerateSites: no per-path hit counting

	mu       sync.RWMutex
	pages    map[string]Behaviour
	prefixes []prefixRoute // longest first
	fallback Behaviour
	killed   map[string]bool
	latency  time.Duration
	ownDelay bool
	mode     HostMode
	fault    TLSFault
}

type prefixRoute struct {
	prefix string
	h      Behaviour
}

func newSite(w *Web, host string) *Site {
	return &Site{web: w, host: host}
}

// Host is the site's canonical host name.
func (s *Site) Host() string { return s.host }

// Page sets the Behaviour for path. A path ending in "*" matches every path
// with that prefix ("/docs/*" matches "/docs/a/b"); exact paths win over
// prefixes, longer prefixes over shorter. The query string is not part of
// the match.
func (s *Site) Page(path string, h Behaviour) *Site {
	s.mu.Lock()
	defer s.mu.Unlock()
	if prefix, ok := strings.CutSuffix(path, "*"); ok {
		for i := range s.prefixes {
			if s.prefixes[i].prefix == prefix {
				s.prefixes[i].h = h
				return s
			}
		}
		s.prefixes = append(s.prefixes, prefixRoute{prefix, h})
		sort.SliceStable(s.prefixes, func(i, j int) bool {
			return len(s.prefixes[i].prefix) > len(s.prefixes[j].prefix)
		})
		return s
	}
	if s.pages == nil {
		s.pages = make(map[string]Behaviour)
	}
	s.pages[path] = h
	return s
}

// HTML serves a 200 HTML page at path; see the package-level HTML.
func (s *Site) HTML(path, title, body string, links ...string) *Site {
	return s.Page(path, HTML(title, body, links...))
}

// Status serves a small HTML error page with code at path.
func (s *Site) Status(path string, code int) *Site {
	return s.Page(path, Status(code))
}

// Redirect answers path with a redirect to location (absolute, or relative
// to the request).
func (s *Site) Redirect(path string, code int, location string) *Site {
	return s.Page(path, Redirect(code, location))
}

// Robots serves txt as /robots.txt (text/plain).
func (s *Site) Robots(txt string) *Site {
	return s.Page("/robots.txt", Respond(http.StatusOK, "text/plain; charset=utf-8", txt))
}

// Fallback sets the Behaviour for paths with no Page. Without one, unknown
// paths answer 404.
func (s *Site) Fallback(h Behaviour) *Site {
	s.mu.Lock()
	s.fallback = h
	s.mu.Unlock()
	return s
}

// Latency delays every response of this site by d, replacing the Web's
// global latency for it. Latency(0) makes the site fast again; use
// ClearLatency to follow the global setting again.
func (s *Site) Latency(d time.Duration) *Site {
	s.mu.Lock()
	s.latency, s.ownDelay = d, true
	s.mu.Unlock()
	return s
}

// ClearLatency makes the site follow Web.SetLatency again.
func (s *Site) ClearLatency() *Site {
	s.mu.Lock()
	s.latency, s.ownDelay = 0, false
	s.mu.Unlock()
	return s
}

// Kill makes path answer 404 whatever its Behaviour, until Revive: a link
// dying between two runs.
func (s *Site) Kill(path string) *Site {
	s.mu.Lock()
	if s.killed == nil {
		s.killed = make(map[string]bool)
	}
	s.killed[path] = true
	s.mu.Unlock()
	return s
}

// Revive undoes Kill.
func (s *Site) Revive(path string) *Site {
	s.mu.Lock()
	delete(s.killed, path)
	s.mu.Unlock()
	return s
}

// SetMode sets the host-level condition; Up, Down, Refuse, Blackhole,
// NXDomain and DNSFail are shorthands.
func (s *Site) SetMode(m HostMode) *Site {
	s.mu.Lock()
	s.mode = m
	s.mu.Unlock()
	return s
}

// Up makes the host reachable again after any other mode.
func (s *Site) Up() *Site { return s.SetMode(Up) }

// Down makes every connection to the host reset (ECONNRESET).
func (s *Site) Down() *Site { return s.SetMode(Down) }

// Refuse makes every connection to the host refused (ECONNREFUSED).
func (s *Site) Refuse() *Site { return s.SetMode(Refused) }

// Blackhole makes connections succeed but never answer.
func (s *Site) Blackhole() *Site { return s.SetMode(Blackhole) }

// NXDomain makes the name stop resolving, like an expired domain.
func (s *Site) NXDomain() *Site { return s.SetMode(NXDomain) }

// DNSFail makes resolution fail temporarily (SERVFAIL-like).
func (s *Site) DNSFail() *Site { return s.SetMode(DNSFailure) }

// Mode returns the host-level condition.
func (s *Site) Mode() HostMode {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.mode
}

// TLS sets how the host's certificate fails verification (TLSOK to fix it).
// Certificates are chosen per handshake, so this takes effect on new
// connections.
func (s *Site) TLS(f TLSFault) *Site {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
	return s
}

func (s *Site) tlsFault() TLSFault {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.fault
}

// route picks the Behaviour for path. delay < 0 means "use the Web's
// latency".
func (s *Site) route(path string) (h Behaviour, mode HostMode, delay time.Duration) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	delay = -1
	if s.ownDelay {
		delay = s.latency
	}
	return s.handlerLocked(path), s.mode, delay
}

// handler is route without the host-level parts, for SameAs.
func (s *Site) handler(path string) Behaviour {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.handlerLocked(path)
}

func (s *Site) handlerLocked(path string) Behaviour {
	if s.killed[path] {
		return NotFound()
	}
	if h, ok := s.pages[path]; ok {
		return h
	}
	for _, p := range s.prefixes {
		if strings.HasPrefix(path, p.prefix) {
			return p.h
		}
	}
	if s.fallback != nil {
		return s.fallback
	}
	return NotFound()
}
