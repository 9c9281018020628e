package sources

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// skippedExts are files a folder walk passes over silently: they are never
// documents we can read, and warning about every image would bury real
// warnings. A file named explicitly is always tried. PDFs are read (pdf.go).
var skippedExts = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".ico": true,
	".bmp": true, ".tif": true, ".tiff": true, ".svgz": true, ".heic": true, ".avif": true,
	".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".zst": true, ".7z": true, ".rar": true, ".tar": true,
	".mp3": true, ".mp4": true, ".m4a": true, ".mov": true, ".avi": true, ".mkv": true, ".webm": true, ".ogg": true, ".flac": true, ".wav": true,
	".woff": true, ".woff2": true, ".ttf": true, ".otf": true, ".eot": true,
	".exe": true, ".dll": true, ".so": true, ".dylib": true, ".o": true, ".a": true, ".class": true, ".jar": true, ".pyc": true, ".wasm": true,
	".db": true, ".sqlite": true, ".db-wal": true, ".db-shm": true, ".warc": true,
	".bak": true, // backups `linkrot fix --write` keeps beside the documents
	".doc": true, ".docx": true, ".xls": true, ".xlsx": true, ".ppt": true, ".pptx": true, ".odt": true, ".epub": true,
}

// WalkError is a problem with one path that does not stop a walk.
type WalkError struct {
	Path string
	Err  error
}

func (e *WalkError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *WalkError) Unwrap() error { return e.Err }

// Walk expands each argument (a file, a folder or a glob) and calls visit
// with the absolute path of every candidate document, in a stable order.
// Hidden folders and .git are skipped, symlinked folders are followed once
// (a loop is noticed and reported), and problems with one path go to warn.
// visit returning an error stops the walk.
func Walk(args []string, visit func(path string) error, warn func(*WalkError)) error {
	seenDirs := map[string]bool{}
	seenFiles := map[string]bool{}
	for _, arg := range args {
		matches := []string{arg}
		if strings.ContainsAny(arg, "*?[") {
			m, err := filepath.Glob(arg)
			if err != nil {
				warn(&WalkError{arg, fmt.Errorf("bad pattern: %w", err)})
				continue
			}
			if len(m) == 0 {
				warn(&WalkError{arg, errors.New("pattern matches no file")})
				continue
			}
			matches = m
		}
		for _, p := range matches {
			abs, err := filepath.Abs(p)
			if err != nil {
				warn(&WalkError{p, err})
				continue
			}
			if err := walkPath(abs, true, seenDirs, seenFiles, visit, warn); err != nil {
				return err
			}
		}
	}
	return nil
}

func walkPath(path string, explicit bool, seenDirs, seenFiles map[string]bool, visit func(string) error, warn func(*WalkError)) error {
	info, err := os.Stat(path) // follows symlinks
	if err != nil {
		warn(&WalkError{path, err})
		return nil
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		warn(&WalkError{path, err})
		return nil
	}
	if !info.IsDir() {
		if !info.Mode().IsRegular() {
			if explicit {
				warn(&WalkError{path, errors.New("not a regular file")})
			}
			return nil
		}
		if !explicit && skippedExts[strings.ToLower(filepath.Ext(path))] {
			return nil
		}
		if seenFiles[real] {
			return nil
		}
		// Only files reached through a symlink, or named explicitly, can be
		// met twice; remembering just those keeps memory independent of
		// the size of the collection.
		if explicit || real != path {
			seenFiles[real] = true
		}
		return visit(path)
	}
	if seenDirs[real] {
		if real != path {
			warn(&WalkError{path, fmt.Errorf("symlink loop or repeat of %s; not followed", real)})
		}
		return nil
	}
	seenDirs[real] = true
	entries, err := os.ReadDir(path)
	if err != nil {
		warn(&WalkError{path, err})
		return nil
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue // hidden files and folders, .git among them
		}
		if e.Type()&fs.ModeSymlink == 0 && !e.IsDir() && !e.Type().IsRegular() {
			continue // sockets, devices, pipes
		}
		if err := walkPath(filepath.Join(path, name), false, seenDirs, seenFiles, visit, warn); err != nil {
			return err
		}
	}
	return nil
}
