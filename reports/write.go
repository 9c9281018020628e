package reports

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/linkrot/linkrot/internal/atomicfile"
)

// Write renders r in each of formats and stores the files in dir (made if
// needed): report-<run>-<time>.<ext>, named after the report's last run
// and its time (UTC), plus a latest.<ext> copy that always holds the
// newest one. It returns the paths written, the dated file then its
// latest copy for each format.
//
// Every format is rendered before anything is written, and each file is
// written to a temporary name and renamed into place, so a failed render
// writes nothing and a reader (a web server publishing latest.html) never
// sees half a file.
func Write(dir string, formats []string, r Report) ([]string, error) {
	if len(formats) == 0 {
		return nil, nil
	}
	rendered := make([][]byte, len(formats))
	for i, f := range formats {
		if !slices.Contains(Formats, f) {
			return nil, fmt.Errorf("report format %q: want one of %s", f, strings.Join(Formats, ", "))
		}
		var buf bytes.Buffer
		if err := Render(&buf, f, r); err != nil {
			return nil, err
		}
		rendered[i] = buf.Bytes()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("reports directory: %w", err)
	}
	stamp := r.GeneratedAt.UTC().Format("20060102T150405Z")
	var paths []string
	for i, f := range formats {
		for _, name := range []string{
			fmt.Sprintf("report-%d-%s.%s", r.Selection.LastRun, stamp, Ext(f)),
			"latest." + Ext(f),
		} {
			p := filepath.Join(dir, name)
			if err := writeFileAtomic(p, rendered[i]); err != nil {
				return paths, err
			}
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// writeFileAtomic writes a report so that a reader never sees half of it.
func writeFileAtomic(path string, data []byte) error {
	if err := atomicfile.Write(path, data, atomicfile.Options{}); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	return nil
}
