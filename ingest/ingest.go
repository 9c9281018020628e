// Package ingest joins sources and the catalog: it walks documents, extracts
// their URLs and stores them, one document at a time so memory does not grow
// with the size of a collection.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/linkrot/linkrot/sources"
	"github.com/linkrot/linkrot/store"
)

// Catalog is the part of the store that ingesting needs.
type Catalog interface {
	SaveDocument(ctx context.Context, doc store.Document, occs []store.Occurrence) (store.SaveStats, error)
	DocumentByPath(ctx context.Context, path string) (store.Document, error)
	Documents(ctx context.Context, fn func(store.Document) error) error
	MarkDocumentMissing(ctx context.Context, path string, at time.Time) error
}

// DefaultMaxSize bounds one document: a larger file is reported, not read.
const DefaultMaxSize = 64 << 20

// Options tune Add. Zero values are sensible.
type Options struct {
	Now     func() time.Time // the clock; time.Now when nil
	MaxSize int64            // DefaultMaxSize when 0
	// Warn receives one message per file that could not be used fully.
	Warn func(path string, err error)
	// Progress is called after each document.
	Progress func(path string, outcome Outcome)
}

// Outcome is what happened to one document.
type Outcome int

const (
	Unchanged Outcome = iota
	Added
	Updated
	Skipped
)

func (o Outcome) String() string {
	return [...]string{"unchanged", "added", "updated", "skipped"}[o]
}

// Stats counts what Add did.
type Stats struct {
	Documents   int `json:"documents"`
	Added       int `json:"added"`
	Updated     int `json:"updated"`
	Unchanged   int `json:"unchanged"`
	Skipped     int `json:"skipped"`
	Missing     int `json:"missing"`
	Occurrences int `json:"occurrences"`
	Removed     int `json:"removed"`
	NewLinks    int `json:"new_links"`
	Warnings    int `json:"warnings"`
}

// Add ingests the documents named by args (files, folders, globs) and notes
// documents stored under the given folders that are gone from disk.
func Add(ctx context.Context, cat Catalog, args []string, opts Options) (Stats, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxSize <= 0 {
		opts.MaxSize = DefaultMaxSize
	}
	var st Stats
	warn := func(path string, err error) {
		st.Warnings++
		if opts.Warn != nil {
			opts.Warn(path, err)
		}
	}
	var missingFiles []string
	err := sources.Walk(args, func(path string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		outcome, err := addOne(ctx, cat, path, opts, &st, warn)
		if err != nil {
			return err
		}
		if opts.Progress != nil {
			opts.Progress(path, outcome)
		}
		return nil
	}, func(we *sources.WalkError) {
		if errors.Is(we.Err, fs.ErrNotExist) {
			missingFiles = append(missingFiles, we.Path)
		}
		warn(we.Path, we.Err)
	})
	if err != nil {
		return st, err
	}
	var roots []string
	for _, arg := range args {
		if abs, err := filepath.Abs(arg); err == nil {
			if info, err := os.Stat(abs); err == nil && info.IsDir() {
				roots = append(roots, abs)
			}
		}
	}
	n, err := markMissing(ctx, cat, roots, missingFiles, opts.Now())
	st.Missing = n
	return st, err
}

// addOne reads, extracts and stores one document. Only catalog errors are
// returned; a bad file is a warning.
func addOne(ctx context.Context, cat Catalog, path string, opts Options, st *Stats, warn func(string, error)) (Outcome, error) {
	st.Documents++
	content, info, err := readLimited(path, opts.MaxSize)
	if err != nil {
		st.Skipped++
		warn(path, err)
		return Skipped, nil
	}
	sum := sha256.Sum256(content)
	hash := hex.EncodeToString(sum[:])
	prev, err := cat.DocumentByPath(ctx, path)
	switch {
	case err == nil && prev.Hash == hash && prev.MissingSince.IsZero():
		st.Unchanged++
		return Unchanged, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return Skipped, fmt.Errorf("looking up %s: %w", path, err)
	}
	doc, err := sources.ExtractDocumentContext(ctx, path, content, sources.Options{})
	if ctxErr := ctx.Err(); ctxErr != nil {
		return Skipped, ctxErr // stopped mid-document: the finished ones are saved
	}
	if err != nil {
		st.Skipped++
		warn(path, err)
		return Skipped, nil
	}
	for _, w := range doc.Warnings {
		warn(path, errors.New(w))
	}
	rec := store.Document{
		Path: path, Format: string(doc.Format), Hash: hash, Size: int64(len(content)),
		ModTime: info.ModTime(), Title: doc.Title, Date: doc.Date, SourceURL: doc.SourceURL,
		ScannedAt: opts.Now(),
	}
	saved, err := cat.SaveDocument(ctx, rec, toStore(doc.Occurrences))
	if err != nil {
		return Skipped, fmt.Errorf("saving %s: %w", path, err)
	}
	st.Occurrences += saved.Occurrences
	st.Removed += saved.Removed
	st.NewLinks += saved.NewLinks
	if prev.Path != "" {
		st.Updated++
		return Updated, nil
	}
	st.Added++
	return Added, nil
}

func readLimited(path string, max int64) ([]byte, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if info.Size() > max {
		return nil, nil, fmt.Errorf("file is %d bytes, over the %d-byte limit for one document", info.Size(), max)
	}
	content, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(content)) > max {
		return nil, nil, fmt.Errorf("file grew past the %d-byte limit for one document while being read", max)
	}
	return content, info, nil
}

// markMissing notes stored documents that no longer exist: those under a
// scanned folder, and those named explicitly that are gone. Their
// occurrences are kept, so nothing is lost if they come back.
func markMissing(ctx context.Context, cat Catalog, roots, files []string, now time.Time) (int, error) {
	var gone []string
	if len(roots) > 0 {
		err := cat.Documents(ctx, func(d store.Document) error {
			if !d.MissingSince.IsZero() || !under(d.Path, roots) {
				return nil
			}
			if _, err := os.Stat(d.Path); errors.Is(err, fs.ErrNotExist) {
				gone = append(gone, d.Path)
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("listing documents: %w", err)
		}
	}
	for _, f := range files {
		if d, err := cat.DocumentByPath(ctx, f); err == nil && d.MissingSince.IsZero() {
			gone = append(gone, f)
		}
	}
	for _, p := range gone {
		if err := cat.MarkDocumentMissing(ctx, p, now); err != nil {
			return 0, fmt.Errorf("marking %s missing: %w", p, err)
		}
	}
	return len(gone), nil
}

func under(path string, roots []string) bool {
	for _, r := range roots {
		if strings.HasPrefix(path, r+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// toStore converts occurrences for the catalog. URLs in Markdown code are
// examples, not citations: they are left out, so no run checks them and no
// report lists them.
func toStore(occs []sources.Occurrence) []store.Occurrence {
	out := make([]store.Occurrence, 0, len(occs))
	for _, o := range occs {
		if o.Role == sources.RoleCode {
			continue
		}
		if !strings.Contains(o.URL, "://") {
			// The catalog holds URLs a crawler can fetch; text that named
			// only a host gets the web's usual scheme, and says so.
			o.URL = "https://" + o.URL
			o.Repaired = true
			o.Repairs = append(o.Repairs[:len(o.Repairs):len(o.Repairs)], "added scheme https://")
		}
		if _, err := url.Parse(o.URL); err != nil {
			// Written with a stray '%' ("…/100%/"): extract shows it as
			// written, the catalog holds the form a client can request.
			if f, ferr := sources.FetchURL(o.URL); ferr == nil {
				o.URL = f
				o.Repaired = true
				o.Repairs = append(o.Repairs[:len(o.Repairs):len(o.Repairs)], "percent-encoded stray characters")
			}
		}
		out = append(out, store.Occurrence{
			URL: o.URL, Raw: o.Raw, Start: o.Start, End: o.End, Line: o.Line, Column: o.Column,
			Role: string(o.Role), Repaired: o.Repaired, Repairs: o.Repairs,
			Alternatives: o.Alternatives, Reasons: o.Reasons, Confidence: o.Confidence,
		})
	}
	return out
}
