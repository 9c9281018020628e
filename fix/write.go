package fix

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// errChangedMeanwhile is returned by replaceFile when the file no longer
// holds what the changes were planned from.
var errChangedMeanwhile = errors.New("changed while being fixed; run `linkrot add` and try again")

// replaceFile writes data over the file at path, which must still hold
// old, so that at every moment the file is either entirely old or
// entirely data: a temporary file in the same directory is written,
// synced and renamed over it, and the directory synced. The file keeps its
// permissions. A symlink is followed and its target replaced, so the link
// stays a link. With backup, old is first saved beside the target as
// FILE.bak (or FILE.2.bak, … : a backup is never overwritten, so the
// oldest one is the file before any fix); its name is returned.
//
// A file with several hard links loses the link: the rename gives the
// path a new inode.
func replaceFile(path string, old, data []byte, backup bool) (string, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", err
	}
	info, err := os.Stat(real)
	if err != nil {
		return "", err
	}
	mode := info.Mode().Perm()
	dir, base := filepath.Split(real)
	if dir == "" {
		dir = "."
	}

	// The temporary file is hidden (a leading dot), so that a walk of the
	// folder made while it exists, or left behind by a crash, never takes
	// it for a document.
	tmp, err := os.CreateTemp(dir, "."+base+".linkrot-fix-*")
	if err != nil {
		return "", err
	}
	tmpName := tmp.Name()
	keep := false
	defer func() {
		if !keep {
			os.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}

	var bak string
	if backup {
		if bak, err = writeBackup(real, old, mode); err != nil {
			return "", fmt.Errorf("backup: %w", err)
		}
	}
	// Last look before the rename: an editor may have saved the file since
	// it was read. (A write in the instant between this and the rename
	// cannot be excluded without locks editors do not take.)
	now, err := os.ReadFile(real)
	if err != nil || !bytes.Equal(now, old) {
		if bak != "" {
			os.Remove(bak)
		}
		if err != nil {
			return "", err
		}
		return "", errChangedMeanwhile
	}
	if err := os.Rename(tmpName, real); err != nil {
		if bak != "" {
			os.Remove(bak)
		}
		return "", err
	}
	keep = true
	syncDir(dir)
	return bak, nil
}

// writeBackup saves content as the first free one of FILE.bak, FILE.2.bak,
// FILE.3.bak… beside real. Creating it exclusively means two fixes at
// once cannot write one backup over the other.
func writeBackup(real string, content []byte, mode fs.FileMode) (string, error) {
	for n := 1; n < 1000; n++ {
		name := real + ".bak"
		if n > 1 {
			name = real + "." + strconv.Itoa(n) + ".bak"
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if _, err := f.Write(content); err != nil {
			f.Close()
			os.Remove(name)
			return "", err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			os.Remove(name)
			return "", err
		}
		if err := f.Close(); err != nil {
			os.Remove(name)
			return "", err
		}
		return name, nil
	}
	return "", fmt.Errorf("%s.bak and 998 numbered backups exist already", real)
}

// syncDir makes a rename in dir durable. Not every system can sync a
// directory; the rename itself has happened either way, so failure here
// is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
