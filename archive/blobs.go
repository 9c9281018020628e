package archive

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/linkrot/linkrot/internal/atomicfile"
)

// blobDir is where blobs are, under the data directory.
const blobDir = "blobs"

// blobTempPrefix starts the names of blobs being written; a crash can
// leave one behind, and nothing ever points at it.
const blobTempPrefix = ".tmp-"

// errBlobCorrupt is returned (wrapped) by get when a blob's content does
// not hash to its name.
var errBlobCorrupt = errors.New("blob content does not match its hash")

// blobStore keeps content-addressed, gzip-compressed blobs: the ID is the
// SHA-256 (hex) of the uncompressed content, the file is
// dir/<first two hex digits>/<the other 62>. The same content is stored
// once however often it is captured. Files are written to a temporary
// name and renamed into place, so a blob is either whole or absent.
type blobStore struct {
	dir  string
	sync bool // fsync the file and its directory before put returns
}

var gzipPool = sync.Pool{New: func() any { return gzip.NewWriter(io.Discard) }}

// blobID returns the ID content would be stored under.
func blobID(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// validBlobID reports whether id is 64 lower-case hex digits; anything
// else (a tampered catalog) must not become a path.
func validBlobID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (b *blobStore) path(id string) (string, error) {
	if !validBlobID(id) {
		return "", fmt.Errorf("invalid blob id %q", truncate(id, 70))
	}
	return filepath.Join(b.dir, id[:2], id[2:]), nil
}

// put stores content and returns its ID and the bytes written to disk (0
// when the blob was there already).
func (b *blobStore) put(content []byte) (string, int64, error) {
	id := blobID(content)
	p, _ := b.path(id)
	// An existing file is trusted without reading it (verify checks
	// them all), except an empty one: the classic remains of a crash
	// between creating a file and its data reaching the disk.
	if fi, err := os.Stat(p); err == nil && fi.Size() > 0 {
		return id, 0, nil
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, fmt.Errorf("blob %s: %w", id, err)
	}
	var buf bytes.Buffer
	buf.Grow(len(content)/3 + 64)
	zw := gzipPool.Get().(*gzip.Writer)
	zw.Reset(&buf)
	_, err := zw.Write(content)
	if err == nil {
		err = zw.Close()
	}
	gzipPool.Put(zw)
	if err != nil {
		return "", 0, fmt.Errorf("blob %s: %w", id, err)
	}
	if err := writeFileAtomic(p, buf.Bytes(), b.sync); err != nil {
		return "", 0, fmt.Errorf("blob %s: %w", id, err)
	}
	return id, int64(buf.Len()), nil
}

// writeFileAtomic writes data to a temporary file beside path (named with
// blobTempPrefix, so verify can spot a crash's leftovers) and renames it
// into place, syncing when durable is set.
func writeFileAtomic(path string, data []byte, durable bool) error {
	return atomicfile.Write(path, data, atomicfile.Options{Durable: durable, TempPrefix: blobTempPrefix})
}

// get returns the content of blob id, checked against its hash.
func (b *blobStore) get(id string) ([]byte, error) {
	p, err := b.path(id)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	content, err := readBlobFile(f)
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", id, err)
	}
	if blobID(content) != id {
		return nil, fmt.Errorf("blob %s: %w", id, errBlobCorrupt)
	}
	return content, nil
}

func readBlobFile(r io.Reader) ([]byte, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// walk calls fn with the ID and path of every blob file, and with the path
// of every file in the blob directory that is not one (id "").
func (b *blobStore) walk(fn func(id, path string) error) error {
	err := filepath.WalkDir(b.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(b.dir, p)
		if err != nil {
			return err
		}
		id := strings.ReplaceAll(filepath.ToSlash(rel), "/", "")
		if !validBlobID(id) || len(filepath.Base(p)) != 62 {
			id = ""
		}
		return fn(id, p)
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil // no blob was ever written
	}
	return err
}
