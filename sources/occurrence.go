package sources

import "context"

// Role says what a URL is to the document that contains it.
type Role string

const (
	// RoleSource marks the URL a document declares as its own origin
	// ("Original url:", canonical link, front matter url).
	RoleSource Role = "source"
	// RoleCited marks every other URL in the document.
	RoleCited Role = "cited"
	// RoleCode marks a URL inside Markdown code (a fenced block or an inline
	// code span): an example rather than a citation, which reports and the
	// catalog leave out.
	RoleCode Role = "code"
)

// Occurrence is one URL found in a text, with where it was and how it was
// repaired. Start and End are byte offsets into the extractor's input and
// cover the raw text, damage included; Line and Column (1-based, column in
// bytes) are those of Start.
type Occurrence struct {
	URL          string   `json:"url"`
	Raw          string   `json:"raw"`
	Start        int      `json:"start"`
	End          int      `json:"end"`
	Line         int      `json:"line"`
	Column       int      `json:"column"`
	Role         Role     `json:"role"`
	Repaired     bool     `json:"repaired"`
	Repairs      []string `json:"repairs"`
	Confidence   float64  `json:"confidence"`
	Alternatives []string `json:"alternatives"`
	Reasons      []string `json:"reasons"`
	// Page is the 1-based page of a paged document (PDF), whose Line and
	// Column then count within that page; 0 for other formats.
	Page int `json:"page,omitempty"`
	// Title and Date (YYYY-MM-DD) are what a bookmark, feed item or sitemap
	// entry states about this one URL; "" when the format has none.
	Title string `json:"title,omitempty"`
	Date  string `json:"date,omitempty"`
}

// Evidence is what a document says about itself that helps decide a repair.
// Every field is optional.
type Evidence struct {
	Title string // the document's title, e.g. its first heading
	Date  string // the document's date as YYYY-MM-DD
	// LineWidth is the document's typical wrap width in bytes; 0 means unknown
	// and the extractor measures it from the text.
	LineWidth int

	// ctx stops a long extraction; set by ExtractDocumentContext through
	// evidenceFor, nil for ExtractText.
	ctx context.Context
}
