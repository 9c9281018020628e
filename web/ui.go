package web

import (
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/internal/safeurl"
	"github.com/linkrot/linkrot/store"
)

// states are the link states in the order the UI lists them.
var states = func() []string {
	var out []string
	for _, st := range store.LinkStates {
		out = append(out, string(st))
	}
	return out
}()

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"when": when,
		"iso": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format(time.RFC3339)
		},
		"ago":      func(t time.Time) string { return ago(t, s.now()) },
		"dur":      func(d time.Duration) string { return d.Round(time.Second).String() },
		"pct":      func(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" },
		"num":      thousands,
		"join":     strings.Join,
		"linkURL":  func(u string) string { return "/link?url=" + url.QueryEscape(u) },
		"goURL":    func(u string) string { return "/go?url=" + url.QueryEscape(u) },
		"timemap":  func(u string) string { return timemapPrefix + pathURL(u) },
		"timegate": func(u string) string { return timegatePrefix + pathURL(u) },
		"memento":  mementoPath,
		"snapURL": func(sn store.Snapshot, what string) string {
			p := "/snapshot/" + strconv.FormatInt(sn.ID, 10)
			if what != "" {
				p += "/" + what
			}
			return p + "?link=" + url.QueryEscape(sn.LinkURL)
		},
		"filter": func(key string, value any) string {
			return "/links?" + url.Values{key: {fmt.Sprint(value)}}.Encode()
		},
		"formats": func(sn store.Snapshot) string {
			return strings.Join(archive.SnapshotFormats(sn), ", ")
		},
		// isWeb guards every link to a URL from outside linkrot.
		"isWeb": safeurl.Web,
	}
}

func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// ago says how long before now t was ("3 h ago"), or how long until it
// ("in 2 h").
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	suffix, prefix := " ago", ""
	if d < 0 {
		d, suffix, prefix = -d, "", "in "
	}
	var n string
	switch {
	case d < time.Minute:
		if prefix != "" {
			return "in under a minute"
		}
		return "just now"
	case d < time.Hour:
		n = fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		n = fmt.Sprintf("%d h", int(d/time.Hour))
	default:
		n = fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	return prefix + n + suffix
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
