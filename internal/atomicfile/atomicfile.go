// Package atomicfile writes a file so that readers see the old content or
// the new, never a part: a temporary file beside the target, renamed over
// it. Blobs, restored copies and reports are written this way.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Options tune Write. The zero value writes mode 0644, not synced.
type Options struct {
	// Durable syncs the file before the rename and the directory after
	// it, so the write survives a power cut, not just a crash.
	Durable bool
	// TempPrefix starts the temporary file's name (default "."+base+"."),
	// so that a checker can recognise leftovers of a crash.
	TempPrefix string
	// Mode is the file's permission bits (default 0644: CreateTemp's 0600
	// would hide reports and copies from their readers).
	Mode os.FileMode
}

// Write puts data at path atomically.
func Write(path string, data []byte, o Options) error {
	dir := filepath.Dir(path)
	prefix := o.TempPrefix
	if prefix == "" {
		prefix = "." + filepath.Base(path) + "."
	}
	mode := o.Mode
	if mode == 0 {
		mode = 0o644
	}
	f, err := os.CreateTemp(dir, prefix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil && o.Durable {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, mode)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if o.Durable {
		return SyncDir(dir)
	}
	return nil
}

// SyncDir makes the entries of dir (new files, renames) durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
