package archive

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/linkrot/linkrot/store"
)

// ProblemKind sorts what Verify finds.
type ProblemKind int

const (
	// ProblemMissing: a file the catalog names is not there.
	ProblemMissing ProblemKind = iota + 1
	// ProblemTruncated: a WARC file ends inside a record (a write was cut
	// short, typically by a killed process).
	ProblemTruncated
	// ProblemCorrupt: a gzip member or blob that cannot be decompressed,
	// or fails its checksum.
	ProblemCorrupt
	// ProblemBadRecord: a record that breaks the WARC format.
	ProblemBadRecord
	// ProblemDigest: a WARC block or payload digest that does not match.
	ProblemDigest
	// ProblemBlobHash: a blob whose content does not hash to its name.
	ProblemBlobHash
	// ProblemCatalog: the catalog points at a record that is not there.
	ProblemCatalog
	// ProblemIO: a file that could not be read.
	ProblemIO
	// ProblemTempFile: a temporary file a killed write left behind
	// (`verify --repair` removes it).
	ProblemTempFile
	// ProblemUnreferenced: a blob no snapshot names, the remains of a
	// capture killed before it reached the catalog (`verify --repair`
	// removes it).
	ProblemUnreferenced
)

var problemNames = map[ProblemKind]string{
	ProblemMissing: "missing", ProblemTruncated: "truncated", ProblemCorrupt: "corrupt",
	ProblemBadRecord: "bad_record", ProblemDigest: "digest_mismatch", ProblemBlobHash: "blob_mismatch",
	ProblemCatalog: "catalog_mismatch", ProblemIO: "io_error",
	ProblemTempFile: "temp_file", ProblemUnreferenced: "unreferenced_blob",
}

// Repairable reports whether `verify --repair` (RemoveLeftovers) fixes
// the problem.
func (k ProblemKind) Repairable() bool { return k == ProblemTempFile || k == ProblemUnreferenced }

func (k ProblemKind) String() string {
	if s, ok := problemNames[k]; ok {
		return s
	}
	return fmt.Sprintf("problem(%d)", int(k))
}

// MarshalText makes JSON output use the stable names.
func (k ProblemKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Problem is one thing wrong with the archive.
type Problem struct {
	Kind ProblemKind `json:"kind"`
	// Path is the file, relative to the data directory with forward
	// slashes ("warc/linkrot-….warc.gz", "blobs/ab/cdef…").
	Path string `json:"path"`
	// Offset is the byte offset of the damaged record in a WARC file, -1
	// when the problem is not at a place in a file.
	Offset     int64  `json:"offset"`
	RecordID   string `json:"record_id,omitempty"`
	SnapshotID int64  `json:"snapshot_id,omitempty"`
	URL        string `json:"url,omitempty"` // the link of the snapshot concerned
	Detail     string `json:"detail"`
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Path)
	if p.Offset >= 0 {
		fmt.Fprintf(&b, " offset %d", p.Offset)
	}
	fmt.Fprintf(&b, ": %s: %s", p.Kind, p.Detail)
	if p.RecordID != "" {
		b.WriteString(" (record " + p.RecordID + ")")
	}
	if p.SnapshotID != 0 {
		fmt.Fprintf(&b, " (snapshot %d of %s)", p.SnapshotID, p.URL)
	}
	return b.String()
}

// VerifyStats counts what Verify read.
type VerifyStats struct {
	WARCFiles int   `json:"warc_files"`
	Records   int   `json:"records"`
	WARCBytes int64 `json:"warc_bytes"`
	Blobs     int   `json:"blobs"`
	BlobBytes int64 `json:"blob_bytes"`
	Snapshots int   `json:"snapshots"`
	// TempFiles are files a crash left half-written (in the blob store
	// or elsewhere in the data directory); nothing refers to them.
	TempFiles int `json:"temp_files"`
	// Unreferenced are whole blobs no snapshot names.
	Unreferenced int `json:"unreferenced_blobs"`
	Problems     int `json:"problems"`
}

// Verify re-reads every WARC file record by record with the strict reader
// (gzip members, version line, fields, Content-Length, CRLF CRLF, block and
// payload digests; every file must start with warcinfo), re-hashes every
// blob, and checks that every snapshot in the catalog points at blobs that
// exist and at intact records with the IDs it expects. A crash's leftovers
// are problems too: temporary files anywhere in the data directory and
// blobs no snapshot names (see RemoveLeftovers). Each problem goes
// to report as it is found. The error is for what stops the check itself
// (the catalog cannot be read); problems are counted in the stats.
func (a *Archiver) Verify(ctx context.Context, report func(Problem)) (VerifyStats, error) {
	var st VerifyStats
	emit := func(p Problem) {
		st.Problems++
		if report != nil {
			report(p)
		}
	}
	index, err := a.verifyWARC(ctx, &st, emit)
	if err != nil {
		return st, err
	}
	refs, err := a.referencedBlobs(ctx)
	if err != nil {
		return st, err
	}
	if err := a.verifyBlobs(ctx, &st, refs, emit); err != nil {
		return st, err
	}
	err = a.tempFilesOutsideBlobs(func(path string, fi fs.FileInfo) error {
		st.TempFiles++
		emit(Problem{Kind: ProblemTempFile, Path: a.rel(path), Offset: -1,
			Detail: fmt.Sprintf("temporary file of %d bytes left by an interrupted write, from %s", fi.Size(), fi.ModTime().UTC().Format("2006-01-02 15:04:05 UTC"))})
		return nil
	})
	if err != nil {
		return st, err
	}
	if err := a.verifyCatalog(ctx, &st, index, emit); err != nil {
		return st, err
	}
	return st, nil
}

// recordIndex is, per WARC file, the record ID at each offset where an
// intact record starts.
type recordIndex map[string]map[int64]string

func (a *Archiver) verifyWARC(ctx context.Context, st *VerifyStats, emit func(Problem)) (recordIndex, error) {
	dir := filepath.Join(a.dataDir, warcDir)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return recordIndex{}, nil
	}
	if err != nil {
		return nil, err
	}
	index := recordIndex{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".warc.gz") {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st.WARCFiles++
		rel := warcDir + "/" + name
		offsets := map[int64]string{}
		index[name] = offsets
		first := true
		err := scanMembers(filepath.Join(dir, name), func(m scannedMember) bool {
			st.WARCBytes += m.length
			if m.err != nil {
				kind := ProblemCorrupt
				var me *memberError
				if errors.As(m.err, &me) && me.truncated {
					kind = ProblemTruncated
				}
				detail := m.err.Error()
				if kind == ProblemCorrupt && m.length > 0 {
					detail += fmt.Sprintf(" (%d bytes unreadable)", m.length)
				}
				emit(Problem{Kind: kind, Path: rel, Offset: m.offset, Detail: detail})
				first = false
				return true
			}
			st.Records++
			rec, err := parseRecord(m.content)
			if err != nil {
				emit(Problem{Kind: ProblemBadRecord, Path: rel, Offset: m.offset, Detail: err.Error()})
				first = false
				return true
			}
			if first && rec.typ() != "warcinfo" {
				emit(Problem{Kind: ProblemBadRecord, Path: rel, Offset: m.offset, RecordID: rec.id(),
					Detail: "the file does not start with a warcinfo record"})
			}
			first = false
			bad := checkDigests(rec)
			for _, d := range bad {
				emit(Problem{Kind: ProblemDigest, Path: rel, Offset: m.offset, RecordID: rec.id(), Detail: d})
			}
			if len(bad) == 0 {
				offsets[m.offset] = rec.id()
			}
			return true
		})
		if err != nil {
			emit(Problem{Kind: ProblemIO, Path: rel, Offset: -1, Detail: err.Error()})
		}
	}
	return index, nil
}

func (a *Archiver) verifyBlobs(ctx context.Context, st *VerifyStats, refs map[[32]byte]bool, emit func(Problem)) error {
	return a.blobs.walk(func(id, path string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rel := a.rel(path)
		if id == "" {
			if isTempFile(filepath.Base(path)) {
				st.TempFiles++
				detail := "temporary file left by an interrupted write"
				if fi, err := os.Lstat(path); err == nil {
					detail = fmt.Sprintf("temporary file of %d bytes left by an interrupted write, from %s", fi.Size(), fi.ModTime().UTC().Format("2006-01-02 15:04:05 UTC"))
				}
				emit(Problem{Kind: ProblemTempFile, Path: rel, Offset: -1, Detail: detail})
			}
			return nil
		}
		st.Blobs++
		if k, _ := blobKey(id); !refs[k] {
			st.Unreferenced++
			emit(Problem{Kind: ProblemUnreferenced, Path: rel, Offset: -1, Detail: "no snapshot names this blob (a capture killed before it was recorded)"})
		}
		f, err := os.Open(path)
		if err != nil {
			emit(Problem{Kind: ProblemIO, Path: rel, Offset: -1, Detail: err.Error()})
			return nil
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil {
			st.BlobBytes += fi.Size()
		}
		content, err := readBlobFile(f)
		switch {
		case err != nil:
			emit(Problem{Kind: ProblemCorrupt, Path: rel, Offset: -1, Detail: "cannot decompress: " + err.Error()})
		case blobID(content) != id:
			emit(Problem{Kind: ProblemBlobHash, Path: rel, Offset: -1,
				Detail: "content hashes to " + blobID(content)[:16] + "…, not to its name"})
		}
		return nil
	})
}

func (a *Archiver) verifyCatalog(ctx context.Context, st *VerifyStats, index recordIndex, emit func(Problem)) error {
	type missingFile struct {
		count int
		first store.Snapshot
	}
	missingWARC := map[string]*missingFile{}
	missingBlob := map[string]bool{}
	err := a.cat.AllSnapshots(ctx, func(s store.Snapshot) error {
		st.Snapshots++
		for _, id := range []string{s.RawBlob, s.HTMLBlob, s.TextBlob} {
			if id == "" || missingBlob[id] {
				continue
			}
			p, err := a.blobs.path(id)
			if err != nil {
				emit(Problem{Kind: ProblemCatalog, Path: blobDir, Offset: -1, SnapshotID: s.ID, URL: s.LinkURL, Detail: err.Error()})
				continue
			}
			if _, err := os.Stat(p); err != nil {
				missingBlob[id] = true
				emit(Problem{Kind: ProblemMissing, Path: a.rel(p), Offset: -1, SnapshotID: s.ID, URL: s.LinkURL,
					Detail: "blob named in the catalog is not there"})
			}
		}
		if s.WARCFile == "" {
			return nil
		}
		offsets, ok := index[s.WARCFile]
		if !ok {
			if m := missingWARC[s.WARCFile]; m != nil {
				m.count++
			} else {
				missingWARC[s.WARCFile] = &missingFile{count: 1, first: s}
			}
			return nil
		}
		rel := warcDir + "/" + s.WARCFile
		check := func(off, length int64, wantID, what string) {
			if length == 0 {
				return
			}
			id, ok := offsets[off]
			switch {
			case !ok:
				emit(Problem{Kind: ProblemCatalog, Path: rel, Offset: off, SnapshotID: s.ID, URL: s.LinkURL,
					Detail: "no intact " + what + " record where the catalog says"})
			case wantID != "" && id != wantID:
				emit(Problem{Kind: ProblemCatalog, Path: rel, Offset: off, SnapshotID: s.ID, URL: s.LinkURL, RecordID: id,
					Detail: "the record there is not the catalog's " + wantID})
			}
		}
		check(s.WARCOffset, s.WARCLength, s.WARCRecordID, s.WARCType)
		check(s.WARCRequestOffset, s.WARCRequestLength, "", "request")
		return nil
	})
	if err != nil {
		return err
	}
	files := make([]string, 0, len(missingWARC))
	for f := range missingWARC {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		m := missingWARC[f]
		emit(Problem{Kind: ProblemMissing, Path: warcDir + "/" + f, Offset: -1, SnapshotID: m.first.ID, URL: m.first.LinkURL,
			Detail: fmt.Sprintf("WARC file named by %d snapshot(s) in the catalog is not there", m.count)})
	}
	return nil
}

// rel names path relative to the data directory, with forward slashes.
func (a *Archiver) rel(path string) string {
	if r, err := filepath.Rel(a.dataDir, path); err == nil {
		return filepath.ToSlash(r)
	}
	return path
}
