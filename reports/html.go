package reports

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"io"
	"time"

	"github.com/linkrot/linkrot/internal/safeurl"
)

// The HTML report is one self-contained file: the style and the script are
// inline and nothing is loaded from anywhere, so it can be mailed, kept
// next to the catalog or opened offline. Its Content-Security-Policy
// allows exactly that: no network at all, and only this style and this
// script (by their hashes), so text from documents or from the web that
// ends up in the page can never run or load anything even if escaping
// missed it. Tables are plain HTML; the script only makes them sortable,
// so the page works with scripts off.

//go:embed report.html.tmpl
var htmlTemplate string

//go:embed report.css
var htmlStyle string

//go:embed report.js
var htmlScript string

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"when":     when,
	"whenT":    whenT,
	"day":      day,
	"duration": duration,
	"status":   statusText,
	"counts":   func(m map[string]int) string { return counts(m, stateOrder...) },
	"classes":  func(m map[string]int) string { return counts(m, "ok", "redirect") },
	"iso": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	},
	"note":      statusNote,
	"web":       safeurl.Web,
	"deadTable": func(list []Entry, newly bool) deadTable { return deadTable{list, newly} },
}).Parse(htmlTemplate))

// deadTable is what the "dead" template is given: a list, and whether its
// links are newly dead (they are marked).
type deadTable struct {
	List  []Entry
	Newly bool
}

// htmlCSP is the page's policy, with the hashes of htmlStyle and htmlScript.
var htmlCSP = "default-src 'none'; style-src '" + cspHash(htmlStyle) + "'; script-src '" + cspHash(htmlScript) +
	"'; img-src data:; base-uri 'none'; form-action 'none'"

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

type htmlView struct {
	R      Report
	Title  string
	CSP    string
	Style  template.CSS
	Script template.JS
}

func renderHTML(w io.Writer, r Report) error {
	// Rendered into memory first so that a template error leaves no half
	// page behind.
	var buf bytes.Buffer
	err := htmlTmpl.Execute(&buf, htmlView{
		R: r.complete(), Title: r.title(), CSP: htmlCSP,
		// Both are constants of this package, not data: trusted as is.
		Style: template.CSS(htmlStyle), Script: template.JS(htmlScript),
	})
	if err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}
