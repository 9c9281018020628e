package archive

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/linkrot/linkrot/store"
)

// Restore formats.
const (
	FormatHTML = "html" // the readable article as a self-contained page
	FormatText = "text" // the article's plain text
	FormatRaw  = "raw"  // the response body as it was received (decoded)
	FormatWARC = "warc" // the capture's WARC records as a .warc.gz of its own
)

// Formats lists the restore formats in the order RestoreAll writes them.
var Formats = []string{FormatHTML, FormatText, FormatRaw, FormatWARC}

// SnapshotFormats returns the formats s can be restored as.
func SnapshotFormats(s Snapshot) []string {
	var out []string
	if s.HTMLBlob != "" {
		out = append(out, FormatHTML)
	}
	if s.TextBlob != "" {
		out = append(out, FormatText)
	}
	if s.RawBlob != "" || s.WARCFile != "" {
		out = append(out, FormatRaw)
	}
	if s.WARCFile != "" {
		out = append(out, FormatWARC)
	}
	return out
}

// RestoreFileName is the file name RestoreAll gives format of s.
func RestoreFileName(format string, s Snapshot) string {
	switch format {
	case FormatHTML:
		return "article.html"
	case FormatText:
		return "article.txt"
	case FormatRaw:
		mt, _, _ := mime.ParseMediaType(s.ContentType)
		return "raw" + rawExtension(strings.ToLower(mt))
	case FormatWARC:
		return "capture.warc.gz"
	}
	return format
}

// rawExtension is a fixed table rather than mime.ExtensionsByType, whose
// answer depends on the machine's mime.types.
func rawExtension(media string) string {
	switch media {
	case "text/html":
		return ".html"
	case "application/xhtml+xml":
		return ".xhtml"
	case "application/pdf":
		return ".pdf"
	case "text/plain":
		return ".txt"
	case "text/csv":
		return ".csv"
	case "application/json":
		return ".json"
	case "application/xml", "text/xml":
		return ".xml"
	case "image/png":
		return ".png"
	case "image/jpeg":
		return ".jpg"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "image/svg+xml":
		return ".svg"
	case "application/epub+zip":
		return ".epub"
	case "application/zip":
		return ".zip"
	}
	return ".bin"
}

// find returns the good snapshot of url closest to at (zero: the latest).
func (a *Archiver) find(ctx context.Context, url string, at time.Time) (Snapshot, error) {
	var (
		s   Snapshot
		err error
	)
	if at.IsZero() {
		s, err = a.cat.LatestSnapshot(ctx, url)
	} else {
		s, err = a.closestBefore(ctx, url, at)
	}
	if errors.Is(err, store.ErrNotFound) || err == nil && !s.Good() {
		return Snapshot{}, fmt.Errorf("%w of %s", ErrNoLocalCopy, url)
	}
	if err != nil {
		return Snapshot{}, err
	}
	return s, nil
}

// closestBefore is the newest good snapshot captured at or before at: the
// page as it was then, which is what "restore as of" means. Without one,
// the earliest good one after at (the caller can tell by its time and
// should say so). A catalog that cannot list a link's snapshots gets the
// nearest either side.
func (a *Archiver) closestBefore(ctx context.Context, url string, at time.Time) (Snapshot, error) {
	lister, ok := a.cat.(interface {
		Snapshots(ctx context.Context, linkURL string, fn func(store.Snapshot) error) error
	})
	if !ok {
		return a.cat.SnapshotClosest(ctx, url, at)
	}
	var before, after *Snapshot
	err := lister.Snapshots(ctx, url, func(s store.Snapshot) error { // newest first
		if !s.Good() {
			return nil
		}
		if s.CapturedAt.After(at) {
			after = &s // the last seen is the earliest after
			return nil
		}
		before = &s
		return errStopList
	})
	if err != nil && !errors.Is(err, errStopList) {
		return Snapshot{}, err
	}
	switch {
	case before != nil:
		return *before, nil
	case after != nil:
		return *after, nil
	}
	return Snapshot{}, store.ErrNotFound
}

var errStopList = errors.New("stop listing")

// Restore writes the good snapshot of url captured closest before at
// (else the earliest after it; zero: the latest)
// to w in format and returns it. ErrNoLocalCopy if there is none;
// ErrFormatUnavailable if the snapshot lacks format. Every byte written is
// checked against its hash or WARC digest first; a damaged copy is an
// error, never silently restored.
func (a *Archiver) Restore(ctx context.Context, url string, at time.Time, format string, w io.Writer) (Snapshot, error) {
	if !validFormat(format) {
		return Snapshot{}, fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
	}
	s, err := a.find(ctx, url, at)
	if err != nil {
		return Snapshot{}, err
	}
	b, err := a.render(ctx, s, format, "")
	if err != nil {
		return s, err
	}
	if _, err := w.Write(b); err != nil {
		return s, err
	}
	return s, nil
}

func validFormat(f string) bool {
	for _, x := range Formats {
		if f == x {
			return true
		}
	}
	return false
}

// RestoreAll writes every format the snapshot of url closest to at has
// into dir (created if needed), named by RestoreFileName, plus meta.json
// describing the copy. A format that cannot be restored (a damaged blob)
// does not stop the others; the errors are returned together.
func (a *Archiver) RestoreAll(ctx context.Context, url string, at time.Time, dir string) (Snapshot, error) {
	s, err := a.find(ctx, url, at)
	if err != nil {
		return Snapshot{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return s, err
	}
	files := map[string]string{}
	var errs []error
	for _, f := range SnapshotFormats(s) {
		name := RestoreFileName(f, s)
		b, err := a.render(ctx, s, f, name)
		if err == nil {
			err = writeFileAtomic(filepath.Join(dir, name), b, false)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f, err))
			continue
		}
		files[f] = name
	}
	meta, err := json.MarshalIndent(newMetaJSON(s, files), "", "  ")
	if err != nil {
		return s, err
	}
	if err := writeFileAtomic(filepath.Join(dir, "meta.json"), append(meta, '\n'), false); err != nil {
		errs = append(errs, err)
	}
	return s, errors.Join(errs...)
}

// MetaJSON is the stable shape of meta.json (and of `snapshots --json`).
type MetaJSON struct {
	ID            int64             `json:"id"`
	LinkURL       string            `json:"link_url"`
	URL           string            `json:"url"`
	CapturedAt    time.Time         `json:"captured_at"`
	LastSeen      time.Time         `json:"last_seen"`
	SeenCount     int               `json:"seen_count"`
	Status        int               `json:"status"`
	ContentType   string            `json:"content_type"`
	Title         string            `json:"title"`
	Byline        string            `json:"byline"`
	Published     string            `json:"published"`
	SiteName      string            `json:"site_name"`
	Excerpt       string            `json:"excerpt"`
	Language      string            `json:"language"`
	Words         int               `json:"words"`
	PayloadDigest string            `json:"payload_digest"`
	ContentHash   string            `json:"content_hash"`
	Formats       []string          `json:"formats"`
	WARC          *MetaWARC         `json:"warc,omitempty"`
	Files         map[string]string `json:"files,omitempty"` // format → file name, in RestoreAll's output
}

// MetaWARC says where a snapshot's WARC records are.
type MetaWARC struct {
	File     string `json:"file"`
	Offset   int64  `json:"offset"`
	Length   int64  `json:"length"`
	Type     string `json:"type"`
	RecordID string `json:"record_id"`
}

// NewMetaJSON describes s.
func NewMetaJSON(s Snapshot) MetaJSON { return newMetaJSON(s, nil) }

func newMetaJSON(s Snapshot, files map[string]string) MetaJSON {
	m := MetaJSON{
		ID: s.ID, LinkURL: s.LinkURL, URL: s.URL, CapturedAt: s.CapturedAt, LastSeen: s.LastSeen, SeenCount: s.SeenCount,
		Status: s.Status, ContentType: s.ContentType, Title: s.Title, Byline: s.Byline,
		Published: s.Published, SiteName: s.SiteName, Excerpt: s.Excerpt, Language: s.Language,
		Words: s.Words, PayloadDigest: s.PayloadDigest, ContentHash: s.ContentHash,
		Formats: SnapshotFormats(s), Files: files,
	}
	if m.Formats == nil {
		m.Formats = []string{}
	}
	if s.WARCFile != "" {
		m.WARC = &MetaWARC{File: s.WARCFile, Offset: s.WARCOffset, Length: s.WARCLength, Type: s.WARCType, RecordID: s.WARCRecordID}
	}
	return m
}

// render produces format of s. warcName names the file a WARC copy will
// be written to, for its warcinfo record ("" when unknown).
func (a *Archiver) render(ctx context.Context, s Snapshot, format, warcName string) ([]byte, error) {
	switch format {
	case FormatHTML:
		if s.HTMLBlob == "" {
			return nil, unavailable(s, format)
		}
		frag, err := a.blobs.get(s.HTMLBlob)
		if err != nil {
			return nil, err
		}
		return renderPage(s, frag)
	case FormatText:
		if s.TextBlob == "" {
			return nil, unavailable(s, format)
		}
		return a.blobs.get(s.TextBlob)
	case FormatRaw:
		return a.rawPayload(ctx, s)
	case FormatWARC:
		return a.warcCopy(ctx, s, warcName)
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

func unavailable(s Snapshot, format string) error {
	why := ""
	switch format {
	case FormatHTML, FormatText:
		why = fmt.Sprintf(" (no readable article in this %s copy; try --format raw)", s.ContentType)
	case FormatWARC:
		why = " (warc was not in archive.formats when it was captured)"
	}
	return fmt.Errorf("%w: %s of %s captured %s%s", ErrFormatUnavailable, format, s.LinkURL,
		s.CapturedAt.UTC().Format(time.RFC3339), why)
}

// rawPayload returns the body of s from its blob or, when the blob is
// missing or damaged, from its WARC response record (checked by digest),
// so one damaged copy does not lose the page.
func (a *Archiver) rawPayload(ctx context.Context, s Snapshot) ([]byte, error) {
	var blobErr error
	if s.RawBlob != "" {
		b, err := a.blobs.get(s.RawBlob)
		if err == nil {
			return b, nil
		}
		blobErr = err
	}
	if s.WARCFile == "" {
		if blobErr != nil {
			return nil, blobErr
		}
		return nil, unavailable(s, FormatRaw)
	}
	src := s
	if s.WARCType == store.WARCRevisit {
		orig, err := a.cat.SnapshotWithPayload(ctx, s.PayloadDigest)
		if err != nil {
			return nil, errors.Join(blobErr, fmt.Errorf("the record holding the payload: %w", err))
		}
		src = orig
	}
	path, err := a.warcPath(src.WARCFile)
	if err != nil {
		return nil, errors.Join(blobErr, err)
	}
	_, rec, err := readRecordAt(path, src.WARCOffset, src.WARCLength)
	if err != nil {
		return nil, errors.Join(blobErr, fmt.Errorf("%s: %w", src.WARCFile, err))
	}
	payload, ok := httpPayload(rec.block)
	if !ok || "sha256:"+blobID(payload) != s.PayloadDigest {
		return nil, errors.Join(blobErr, fmt.Errorf("%s offset %d: payload is not the one captured", src.WARCFile, src.WARCOffset))
	}
	if blobErr != nil {
		a.log.Warn("archive: raw copy restored from the WARC record; run linkrot verify", "url", s.LinkURL, "blob_error", blobErr)
	}
	return payload, nil
}

// warcPath resolves a WARC file name from the catalog, refusing anything
// that is not a plain file name in the WARC directory.
func (a *Archiver) warcPath(name string) (string, error) {
	if name == "" || name != filepath.Base(name) || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", fmt.Errorf("invalid WARC file name %q in the catalog", name)
	}
	return filepath.Join(a.dataDir, warcDir, name), nil
}

// warcCopy returns a .warc.gz holding s's capture on its own: a new
// warcinfo record, then the response (or revisit) and request records
// copied verbatim (digests and record IDs intact) after checking them. For
// a revisit, the response record it refers to comes first, so the copy
// can be replayed without the rest of the archive.
func (a *Archiver) warcCopy(ctx context.Context, s Snapshot, name string) ([]byte, error) {
	if s.WARCFile == "" || s.WARCLength == 0 {
		return nil, unavailable(s, FormatWARC)
	}
	path, err := a.warcPath(s.WARCFile)
	if err != nil {
		return nil, err
	}
	mainRaw, main, err := readRecordAt(path, s.WARCOffset, s.WARCLength)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.WARCFile, err)
	}
	if s.WARCRecordID != "" && main.id() != s.WARCRecordID {
		return nil, fmt.Errorf("%s offset %d: record %s is not the catalog's %s", s.WARCFile, s.WARCOffset, main.id(), s.WARCRecordID)
	}
	var out bytes.Buffer
	host, _ := os.Hostname()
	zw := gzip.NewWriter(&out)
	zw.Write(warcinfoRecord(name, host, a.now()))
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if main.typ() == "revisit" {
		orig, err := a.cat.SnapshotWithPayload(ctx, s.PayloadDigest)
		if err == nil && orig.WARCRecordID == main.header.get("WARC-Refers-To") {
			opath, err := a.warcPath(orig.WARCFile)
			if err != nil {
				return nil, err
			}
			origRaw, _, err := readRecordAt(opath, orig.WARCOffset, orig.WARCLength)
			if err != nil {
				return nil, fmt.Errorf("%s (the record the revisit refers to): %w", orig.WARCFile, err)
			}
			out.Write(origRaw)
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	out.Write(mainRaw)
	if s.WARCRequestLength > 0 {
		reqRaw, _, err := readRecordAt(path, s.WARCRequestOffset, s.WARCRequestLength)
		if err != nil {
			return nil, fmt.Errorf("%s (request record): %w", s.WARCFile, err)
		}
		out.Write(reqRaw)
	}
	return out.Bytes(), nil
}

//go:embed page.html.tmpl
var pageTemplateText string

var pageTemplate = template.Must(template.New("page").Parse(pageTemplateText))

// pageCSP forbids everything but the page's own inline style and inline
// (data:) images: no script, no frame, no fetch of anything remote. The
// sanitiser already removed all of it; this is the second lock.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

// renderPage wraps the sanitised article fragment in a page of its own,
// with a banner naming the original URL and the capture time. The
// fragment was sanitised when it was captured and is trusted here; every
// other value is escaped by html/template.
func renderPage(s Snapshot, fragment []byte) ([]byte, error) {
	title := s.Title
	if title == "" {
		title = s.URL
	}
	var meta []string
	published := s.Published
	if t, err := time.Parse(time.RFC3339, published); err == nil {
		published = t.UTC().Format("2 January 2006")
	}
	for _, m := range []string{s.Byline, s.SiteName, published} {
		if m != "" {
			meta = append(meta, m)
		}
	}
	data := map[string]any{
		"CSP":      pageCSP,
		"Title":    title,
		"Lang":     s.Language,
		"URL":      s.URL,
		"LinkURL":  s.LinkURL,
		"Captured": s.CapturedAt.UTC().Format("2 January 2006, 15:04 UTC"),
		"Stamp":    s.CapturedAt.UTC().Format(time.RFC3339),
		"LastSeen": "",
		"Status":   s.Status,
		"Type":     s.ContentType,
		"Meta":     strings.Join(meta, " · "),
		"Article":  template.HTML(fragment),
	}
	if s.SeenCount > 1 && s.LastSeen.After(s.CapturedAt) {
		data["LastSeen"] = s.LastSeen.UTC().Format("2 January 2006")
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
