package archive

import (
	"context"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/linkrot/linkrot/store"
)

// A process killed while capturing (SIGKILL, a power cut) leaves two kinds
// of leftovers that nothing refers to: temporary files (blobTempPrefix) it
// was writing, and whole blobs it renamed into place before the snapshot
// that names them reached the catalog. Verify reports both as problems;
// RemoveLeftovers deletes them. Both must run under the job lock (verify
// and every writing job hold it), since a live capture's files look the
// same until it commits.

// LeftoverGrace is how old a leftover must be before a job removes it
// when it starts: the job lock already keeps writers out, and the grace
// period also spares a writer that holds no lock (an older linkrot) or
// whose clock is off.
const LeftoverGrace = 15 * time.Minute

// Cleanup counts what RemoveLeftovers removed.
type Cleanup struct {
	TempFiles int   `json:"temp_files"`
	Blobs     int   `json:"blobs"`
	Bytes     int64 `json:"bytes"`
	// Kept counts leftovers younger than the grace period, left for later.
	Kept int `json:"kept"`
}

// referencedBlobs returns the IDs of every blob a snapshot names, as the
// 32 bytes of the hash (half the memory of the hex).
func (a *Archiver) referencedBlobs(ctx context.Context) (map[[32]byte]bool, error) {
	refs := map[[32]byte]bool{}
	err := a.cat.AllSnapshots(ctx, func(s store.Snapshot) error {
		for _, id := range []string{s.RawBlob, s.HTMLBlob, s.TextBlob} {
			if k, ok := blobKey(id); ok {
				refs[k] = true
			}
		}
		return nil
	})
	return refs, err
}

func blobKey(id string) ([32]byte, bool) {
	var k [32]byte
	if !validBlobID(id) {
		return k, false
	}
	_, err := hex.Decode(k[:], []byte(id))
	return k, err == nil
}

// isTempFile reports whether a file name is a crash's leftover write.
func isTempFile(name string) bool { return strings.HasPrefix(name, blobTempPrefix) }

// tempFilesOutsideBlobs calls fn with every temporary file under the data
// directory but outside the blob store (which walk covers).
func (a *Archiver) tempFilesOutsideBlobs(fn func(path string, info fs.FileInfo) error) error {
	blobs := filepath.Clean(a.blobs.dir)
	err := filepath.WalkDir(a.dataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			if filepath.Clean(p) == blobs {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !isTempFile(d.Name()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // gone since the listing
		}
		return fn(p, info)
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// RemoveLeftovers deletes the temporary files under the data directory and
// the blobs no snapshot names, when they are older than grace (by their
// modification time). The caller must hold the job lock. Removal errors
// other than "already gone" stop it.
func (a *Archiver) RemoveLeftovers(ctx context.Context, grace time.Duration) (Cleanup, error) {
	var c Cleanup
	refs, err := a.referencedBlobs(ctx)
	if err != nil {
		return c, err
	}
	cutoff := time.Now().Add(-grace) // file times are the real clock's
	remove := func(path string, size int64, mod time.Time, blob bool) error {
		if mod.After(cutoff) {
			c.Kept++
			return nil
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if blob {
			c.Blobs++
		} else {
			c.TempFiles++
		}
		c.Bytes += size
		a.log.Info("removed a crash leftover", "path", a.rel(path), "bytes", size)
		return nil
	}
	err = a.blobs.walk(func(id, path string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		k, ok := blobKey(id)
		if ok && refs[k] {
			return nil
		}
		if !ok && !isTempFile(filepath.Base(path)) {
			return nil // not ours: left alone
		}
		fi, err := os.Lstat(path)
		if err != nil {
			return nil
		}
		return remove(path, fi.Size(), fi.ModTime(), ok)
	})
	if err != nil {
		return c, err
	}
	err = a.tempFilesOutsideBlobs(func(path string, fi fs.FileInfo) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return remove(path, fi.Size(), fi.ModTime(), false)
	})
	return c, err
}
