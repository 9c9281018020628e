package web

import (
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/linkrot/linkrot/store"
)

// wantsHTML says whether an Accept header asks for a web page rather than
// link-format: it names text/html and does not name link-format. Clients
// that send nothing, or */*, get link-format as before.
func wantsHTML(accept string) bool {
	html := false
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		switch mt {
		case "application/link-format":
			return false
		case "text/html", "application/xhtml+xml":
			html = true
		}
	}
	return html
}

type timemapView struct {
	L        store.Link
	Mementos []timemapRow
	Self     string // the TimeMap's own address
}

type timemapRow struct {
	At   time.Time
	Path string // the memento's address
}

// timemapPage is the TimeMap as a page, newest copy first.
func (s *Server) timemapPage(w http.ResponseWriter, r *http.Request, l store.Link, ms []memento) {
	v := timemapView{L: l, Self: timemapPrefix + pathURL(l.URL)}
	for i := len(ms) - 1; i >= 0; i-- {
		v.Mementos = append(v.Mementos, timemapRow{At: ms[i].At, Path: mementoPath(ms[i].At, l.URL)})
	}
	s.render(w, r, http.StatusOK, "timemap.html", "TimeMap of "+l.URL, v)
}
