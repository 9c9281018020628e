package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/store"
)

// Response is one fetched page as the archive needs it. The job fills it
// from the crawler's result.
type Response struct {
	URL       string // the link's URL, as asked for
	FinalURL  string // the URL that answered, after redirects ("" = URL)
	Status    int
	Header    http.Header
	Body      []byte // decoded (no Content-Encoding) and complete
	FetchedAt time.Time
	Method    string // "" = GET
	UserAgent string
	// Replaced is the check's content verdict when it found the page
	// replaced (drift.Reason's name): the copy is stored marked, so it
	// never becomes the latest good copy.
	Replaced string
	// ArticleText, when set, is ReadableText's article text of this very
	// body (the check's content verdict read it already): when it is the
	// latest copy's text, the capture is "unchanged" without parsing the
	// page again.
	ArticleText string
}

// Snapshot is one saved copy, as the catalog keeps it.
type Snapshot = store.Snapshot

// Outcome says what Capture did.
type Outcome int

const (
	// Captured: a new snapshot was stored.
	Captured Outcome = iota + 1
	// Unchanged: the content is that of the latest snapshot, which was
	// marked seen again; nothing new was stored.
	Unchanged
	// TooSoon: the content changed, but archive.min_interval has not
	// passed since the latest snapshot; nothing was stored.
	TooSoon
	// Skipped: the response is not capturable (not 2xx, not a GET, no
	// body, larger than archive.max_size, or the archive is disabled).
	Skipped
)

var outcomeNames = map[Outcome]string{
	Captured: "captured", Unchanged: "unchanged", TooSoon: "too_soon", Skipped: "skipped",
}

func (o Outcome) String() string {
	if s, ok := outcomeNames[o]; ok {
		return s
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// Catalog is the part of the store the archive needs (*store.SQLite has
// it).
type Catalog interface {
	AddSnapshot(ctx context.Context, s store.Snapshot) (int64, error)
	LatestSnapshot(ctx context.Context, linkURL string) (store.Snapshot, error)
	SnapshotClosest(ctx context.Context, linkURL string, t time.Time) (store.Snapshot, error)
	SnapshotWithPayload(ctx context.Context, digest string) (store.Snapshot, error)
	MarkSeenUnchanged(ctx context.Context, id int64, at time.Time) error
	Snapshots(ctx context.Context, linkURL string, fn func(store.Snapshot) error) error
	AllSnapshots(ctx context.Context, fn func(store.Snapshot) error) error
}

// Options are what the configuration does not say. The zero value is
// fine.
type Options struct {
	Now    func() time.Time // dates captures without FetchedAt; time.Now by default
	Logger *slog.Logger     // nil: no logging
}

// Archiver captures, restores and verifies snapshots under one data
// directory. It is safe for concurrent use. Capture's WARC writes and
// catalog additions are serialised; readability runs outside the lock.
// Two captures of the same link at once (which the job never makes) could
// both be stored.
type Archiver struct {
	cfg          config.Archive
	dataDir      string
	cat          Catalog
	now          func() time.Time
	log          *slog.Logger
	blobs        *blobStore
	keepWARC     bool
	keepReadable bool
	minInterval  time.Duration
	maxSize      int64

	// sync makes every capture durable before Capture returns (fsync of
	// blobs, their directories and the WARC file). On by default; the
	// benchmark turns it off to measure what it costs.
	sync bool

	mu       sync.Mutex
	warc     *warcWriter // nil until the first capture that writes WARC
	fileSize int64       // WARC rotation size; WARCFileSize unless a test shrinks it
	closed   bool
}

// ErrNoLocalCopy is returned (wrapped, with the URL) by Restore and
// RestoreAll when the URL has no good local snapshot.
var ErrNoLocalCopy = errors.New("no local copy")

// ErrFormatUnavailable is returned (wrapped) when the snapshot does not
// have the format asked for: no readable text for a PDF, no WARC when
// warc was not in archive.formats.
var ErrFormatUnavailable = errors.New("format not kept for this copy")

// New returns an Archiver keeping its files under dataDir (created when
// the first capture needs it) and its catalog in cat.
func New(cfg config.Archive, dataDir string, cat Catalog, opts Options) (*Archiver, error) {
	if dataDir == "" {
		return nil, errors.New("archive: empty data directory")
	}
	if cat == nil {
		return nil, errors.New("archive: no catalog")
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	a := &Archiver{
		cfg:          cfg,
		dataDir:      abs,
		cat:          cat,
		now:          opts.Now,
		log:          opts.Logger,
		keepWARC:     slices.Contains(cfg.Formats, "warc") || len(cfg.Formats) == 0,
		keepReadable: slices.Contains(cfg.Formats, "readable") || len(cfg.Formats) == 0,
		minInterval:  time.Duration(cfg.MinInterval),
		maxSize:      int64(cfg.MaxSize),
		sync:         true,
		fileSize:     WARCFileSize,
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.maxSize <= 0 {
		a.maxSize = int64(config.Default().Archive.MaxSize)
	}
	a.blobs = &blobStore{dir: filepath.Join(abs, blobDir), sync: true}
	return a, nil
}

// Close finishes the current WARC file. Capture fails after Close;
// Restore and Verify still work.
func (a *Archiver) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.closed = true
	if a.warc == nil {
		return nil
	}
	return a.warc.closeFile()
}

// notCapturable says why r cannot be captured, or "".
func (a *Archiver) notCapturable(r Response) string {
	switch {
	case !a.cfg.Enabled:
		return "archive disabled"
	case r.Status < 200 || r.Status > 299:
		return fmt.Sprintf("status %d", r.Status)
	case r.Method != "" && r.Method != http.MethodGet:
		return "method " + r.Method
	case len(r.Body) == 0:
		return "no body"
	case int64(len(r.Body)) > a.maxSize:
		return fmt.Sprintf("body of %d bytes is larger than archive.max_size %s", len(r.Body), config.ByteSize(a.maxSize))
	case r.URL == "":
		return "no URL"
	}
	return ""
}

// Capture stores r as a snapshot of link linkID when it is new (see the
// package documentation for the rules) and returns what it did with the
// snapshot concerned: the new one (Captured), or the latest one
// (Unchanged, TooSoon). Skipped comes with a zero Snapshot and a nil
// error: an uncapturable response is not a failure. r.URL must be the
// link's URL.
func (a *Archiver) Capture(ctx context.Context, linkID int64, r Response) (Outcome, Snapshot, error) {
	if why := a.notCapturable(r); why != "" {
		a.log.Debug("archive: not capturing", "url", r.URL, "why", why)
		return Skipped, Snapshot{}, nil
	}
	final := r.FinalURL
	if final == "" {
		final = r.URL
	}
	target, err := url.Parse(final)
	if err != nil || target.Host == "" {
		a.log.Debug("archive: not capturing", "url", r.URL, "why", "unusable final URL "+final)
		return Skipped, Snapshot{}, nil
	}
	at := r.FetchedAt
	if at.IsZero() {
		at = a.now()
	}
	at = at.UTC()
	sum := sha256.Sum256(r.Body)
	rawID := hex.EncodeToString(sum[:])
	payload := "sha256:" + rawID

	latest, err := a.newest(ctx, r.URL)
	have := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, Snapshot{}, fmt.Errorf("capture %s: %w", r.URL, err)
	}
	// Identical bytes need no parsing to be called unchanged.
	if have && latest.PayloadDigest == payload {
		return a.unchanged(ctx, latest, at)
	}

	if have && r.ArticleText != "" && latest.ContentHash == textHash(r.ArticleText) {
		return a.unchanged(ctx, latest, at)
	}

	ct, media := mediaType(r.Header, r.Body)
	var (
		art    article
		hasArt bool
	)
	switch {
	case isHTML(media):
		art, hasArt = extractArticle(r.Body, ct, target)
	case media == "text/plain":
		text := tidyText(string(decodeText(r.Body, ct, false)))
		art = article{text: text, words: len(strings.Fields(text))}
		hasArt = art.words > 0
	}
	hash := payload
	if hasArt {
		hash = textHash(art.text)
	}
	if have && latest.ContentHash == hash {
		return a.unchanged(ctx, latest, at)
	}
	if have && at.Sub(latest.CapturedAt) < a.minInterval {
		return TooSoon, latest, nil
	}

	sn := Snapshot{
		LinkID: linkID, LinkURL: r.URL, URL: target.String(), CapturedAt: at,
		Status: r.Status, ContentType: ct, PayloadDigest: payload, ContentHash: hash,
		Title: art.title, Byline: art.byline, Published: art.published, SiteName: art.siteName,
		Excerpt: art.excerpt, Language: art.language, Words: art.words, Replaced: r.Replaced,
	}
	if err := a.storeBlobs(&sn, r.Body, art, hasArt); err != nil {
		return 0, Snapshot{}, fmt.Errorf("capture %s: %w", r.URL, err)
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return 0, Snapshot{}, fmt.Errorf("capture %s: archiver closed", r.URL)
	}
	if a.keepWARC {
		if err := a.writeWARC(ctx, &sn, r, target, at); err != nil {
			return 0, Snapshot{}, fmt.Errorf("capture %s: %w", r.URL, err)
		}
	}
	// Only now, with every byte it names on disk, does the catalog learn
	// of the snapshot.
	id, err := a.cat.AddSnapshot(ctx, sn)
	if err != nil {
		return 0, Snapshot{}, fmt.Errorf("capture %s: %w", r.URL, err)
	}
	sn.ID = id
	sn.LastSeen, sn.SeenCount = sn.CapturedAt, 1
	return Captured, sn, nil
}

// errFound stops a snapshot stream at its first row.
var errFound = errors.New("found")

// newest is the link's newest copy, replaced or not: change detection
// compares with what the page showed last, so a parked page seen again is
// "unchanged", not captured anew on every check.
func (a *Archiver) newest(ctx context.Context, linkURL string) (Snapshot, error) {
	var s Snapshot
	err := a.cat.Snapshots(ctx, linkURL, func(sn Snapshot) error {
		if sn.Status < 200 || sn.Status > 299 {
			return nil
		}
		s = sn
		return errFound
	})
	switch {
	case errors.Is(err, errFound):
		return s, nil
	case err == nil:
		return Snapshot{}, fmt.Errorf("newest snapshot of %s: %w", linkURL, store.ErrNotFound)
	}
	return Snapshot{}, err
}

func (a *Archiver) unchanged(ctx context.Context, latest Snapshot, at time.Time) (Outcome, Snapshot, error) {
	if err := a.cat.MarkSeenUnchanged(ctx, latest.ID, at); err != nil {
		return 0, Snapshot{}, fmt.Errorf("capture %s: %w", latest.LinkURL, err)
	}
	latest.SeenCount++
	if at.After(latest.LastSeen) {
		latest.LastSeen = at
	}
	return Unchanged, latest, nil
}

// setSync turns fsync on or off (see Archiver.sync); call it before the
// first capture.
func (a *Archiver) setSync(on bool) {
	a.sync = on
	a.blobs.sync = on
}

// storeBlobs writes the raw payload and, with format "readable", the
// article's HTML and text.
func (a *Archiver) storeBlobs(sn *Snapshot, body []byte, art article, hasArt bool) error {
	var err error
	if sn.RawBlob, _, err = a.blobs.put(body); err != nil {
		return err
	}
	if !a.keepReadable || !hasArt {
		return nil
	}
	if len(art.html) > 0 {
		if sn.HTMLBlob, _, err = a.blobs.put(art.html); err != nil {
			return err
		}
	}
	if sn.TextBlob, _, err = a.blobs.put([]byte(art.text)); err != nil {
		return err
	}
	return nil
}

// writeWARC appends the capture's records and fills in where they went.
// The caller holds a.mu.
func (a *Archiver) writeWARC(ctx context.Context, sn *Snapshot, r Response, target *url.URL, at time.Time) error {
	var ref *refersTo
	orig, err := a.cat.SnapshotWithPayload(ctx, sn.PayloadDigest)
	switch {
	case err == nil && orig.WARCRecordID != "":
		ref = &refersTo{recordID: orig.WARCRecordID, targetURI: orig.URL, date: orig.CapturedAt}
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return err
	}
	if a.warc == nil {
		host, _ := os.Hostname()
		a.warc = &warcWriter{dir: filepath.Join(a.dataDir, warcDir), maxSize: a.fileSize, hostname: host, now: a.now, sync: a.sync}
	}
	recs := buildCapture(r, target, at, ref)
	file, spans, err := a.warc.append(recs.request, recs.main)
	if err != nil {
		return err
	}
	sn.WARCFile = file
	sn.WARCRequestOffset, sn.WARCRequestLength = spans[0].offset, spans[0].length
	sn.WARCOffset, sn.WARCLength = spans[1].offset, spans[1].length
	sn.WARCRecordID = recs.mainID
	sn.WARCType = recs.mainType
	return nil
}
