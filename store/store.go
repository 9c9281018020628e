// Package store is linkrot's catalog: documents, the URLs found in them
// (links and their occurrences), and the history of checks and snapshots.
//
// Store is deliberately narrow so that a second implementation (PostgreSQL,
// for several crawler workers sharing one queue) can follow; every
// implementation must pass the conformance suite in store/storetest.
// SQLite is the default implementation (OpenSQLite).
package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned (wrapped, test with errors.Is) when a document or
// link asked for by path or URL is not in the catalog.
var ErrNotFound = errors.New("not found")

// ErrSchemaTooNew matches (with errors.Is) a *SchemaTooNewError: the database
// was written by a newer linkrot, and this one refuses to touch it.
var ErrSchemaTooNew = errors.New("database schema too new")

// ErrNotDatabase matches (with errors.Is) the error for a database path
// that holds something other than a linkrot catalog: a file that is not
// SQLite at all, or another application's SQLite database. linkrot leaves
// such a file exactly as it found it.
var ErrNotDatabase = errors.New("not a linkrot database")

// SchemaTooNewError says that the database at Path has schema version Have,
// but this linkrot only knows versions up to Want. Opening it anyway could
// silently drop data the newer version relies on, so it is refused.
type SchemaTooNewError struct {
	Have, Want int
	Path       string
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("database %s has schema version %d, newer than this linkrot supports (%d): upgrade linkrot",
		e.Path, e.Have, e.Want)
}

// Is makes errors.Is(err, ErrSchemaTooNew) work.
func (e *SchemaTooNewError) Is(target error) bool { return target == ErrSchemaTooNew }

// Roles an occurrence can have (Occurrence.Role).
const (
	RoleSource = "source" // the URL the document declares as its own origin
	RoleCited  = "cited"  // every other URL in the document
)

// Document is one scanned file.
type Document struct {
	ID        int64 // assigned by the store; ignored by SaveDocument
	Path      string
	Format    string
	Hash      string // sha256 hex of the content
	Size      int64
	ModTime   time.Time
	Title     string
	Date      string
	SourceURL string
	ScannedAt time.Time // zero means "now" in SaveDocument
	// MissingSince is when the file was first found gone; zero while it
	// exists. SaveDocument clears it.
	MissingSince time.Time
}

// Occurrence is one URL in one document, as extraction found it.
// Empty slices come back from the store as nil.
type Occurrence struct {
	URL          string
	Raw          string
	Start, End   int    // byte offsets of Raw in the document
	Line, Column int    // 1-based, of Start
	Role         string // RoleSource or RoleCited
	Repaired     bool
	Repairs      []string
	Alternatives []string
	Reasons      []string
	Confidence   float64
}

// SaveStats says what one SaveDocument changed.
type SaveStats struct {
	Occurrences int // occurrences the document has now
	// Removed counts the document's previous occurrences whose URL is no
	// longer in it (as a multiset: a URL that appeared twice and now
	// appears once counts 1). An occurrence that only moved is not removed.
	Removed  int
	NewLinks int // links that did not exist in the catalog before
}

// LinkFilter selects links; empty fields match anything. Role and
// DocumentPath look only at documents that are not missing, like the
// occurrence counts do. Host is compared case-insensitively with Link.Host.
type LinkFilter struct {
	State                    LinkState
	Role, DocumentPath, Host string
	// AttentionFirst orders LinkPage by what needs attention (dead,
	// suspect, blocked, moved, alive, unchecked, excluded), then by the
	// oldest first failure, then by URL; otherwise LinkPage goes by URL.
	AttentionFirst bool
}

// Link is one distinct URL.
type Link struct {
	ID   int64
	URL  string
	Host string // lower-case host name without port; "" when the URL has none
	// LinkStatus is its check state; State is StateUnchecked until the
	// crawler sets one.
	LinkStatus
	// Roles are the distinct roles of its occurrences, sorted; Occurrences
	// counts them. Both count only documents that are not missing, so a
	// link whose documents are all gone has 0 and no roles.
	Roles       []string
	Occurrences int
	FirstSeen   time.Time
	LastChecked time.Time // zero = never
	// NextCheck is when the link is next due. A new link is due at once:
	// NextCheck starts equal to FirstSeen.
	NextCheck time.Time
	// The last check that set its state: class name, HTTP status, error
	// text and final URL; empty until then.
	LastClass  string
	LastStatus int
	LastError  string
	FinalURL   string
}

// LinkOccurrence is one place a link is used, with its document.
type LinkOccurrence struct {
	Document   Document
	Occurrence Occurrence
}

// Store is the catalog interface. Consumers should declare the subset they
// use; this interface is what every implementation provides.
//
// Streaming methods (Documents, Links, LinkOccurrences) call fn once per row
// in order and stop at the first error fn returns, which they return
// unwrapped. fn may call any Store method, writes included. A stream sees
// the catalog as it was when the stream started.
type Store interface {
	// SaveDocument upserts doc by Path and replaces its occurrences in one
	// transaction: links are created as needed (state "unchecked",
	// first_seen = doc.ScannedAt), occurrences that vanished are removed,
	// MissingSince is cleared. Links themselves are never deleted.
	SaveDocument(ctx context.Context, doc Document, occs []Occurrence) (SaveStats, error)
	// DocumentByPath returns the document, missing or not; ErrNotFound if
	// it was never saved.
	DocumentByPath(ctx context.Context, path string) (Document, error)
	// Documents streams every document, missing ones included, by path.
	Documents(ctx context.Context, fn func(Document) error) error
	// MarkDocumentMissing records that the file is gone. Its occurrences are
	// kept (it may come back) but stop counting. Marking a document that is
	// already missing keeps the earlier time. ErrNotFound if unknown.
	MarkDocumentMissing(ctx context.Context, path string, at time.Time) error
	// Links streams the links that match f, by URL.
	Links(ctx context.Context, f LinkFilter, fn func(Link) error) error
	// LinkOccurrences streams where url is used in documents that are not
	// missing, by document path then offset. ErrNotFound if the URL is not
	// a link; a link with no current use gives no calls and nil.
	LinkOccurrences(ctx context.Context, url string, fn func(LinkOccurrence) error) error
	Close() error
}
