package archive

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// problemsOf returns the problems of kind at path (any offset when off < -1).
func problemsOf(ps []Problem, kinds []ProblemKind, path string, off int64) []Problem {
	var out []Problem
	for _, p := range ps {
		for _, k := range kinds {
			if p.Kind == k && p.Path == path && (off < -1 || p.Offset == off) {
				out = append(out, p)
			}
		}
	}
	return out
}

func TestCrashLeavesTruncatedTail(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.capture(t, htmlResponse("https://crash.example/a", articlePage("First", harbourParas...), t0), Captured)
	b := e.capture(t, htmlResponse("https://crash.example/b", articlePage("Second", harbourParas[1:]...), t0), Captured)
	if err := e.a.Close(); err != nil {
		t.Fatal(err)
	}
	// A process killed while writing b's response record.
	path := filepath.Join(e.dir, warcDir, b.WARCFile)
	cut := b.WARCOffset + b.WARCLength/2
	if err := os.Truncate(path, cut); err != nil {
		t.Fatal(err)
	}

	ps, st := e.verify(t)
	rel := "warc/" + b.WARCFile
	tr := problemsOf(ps, []ProblemKind{ProblemTruncated}, rel, b.WARCOffset)
	if len(tr) != 1 {
		t.Fatalf("verify did not report the truncated record at %s offset %d: %v", rel, b.WARCOffset, ps)
	}
	if s := tr[0].String(); !strings.Contains(s, b.WARCFile) || !strings.Contains(s, "offset "+strconv.FormatInt(b.WARCOffset, 10)) || !strings.Contains(s, "truncated") {
		t.Errorf("problem text %q does not name file and offset", s)
	}
	// The snapshot whose record was cut is named too.
	if cat := problemsOf(ps, []ProblemKind{ProblemCatalog}, rel, b.WARCOffset); len(cat) != 1 || cat[0].SnapshotID != b.ID {
		t.Errorf("catalog problem for snapshot %d: %v", b.ID, cat)
	}
	if st.Records != 4 { // warcinfo, a's two records, b's request
		t.Errorf("%d intact records, want 4", st.Records)
	}

	// The next run writes a new file and leaves the broken one alone.
	a2 := e.open(t)
	e.a = a2
	c := e.capture(t, htmlResponse("https://crash.example/c", articlePage("Third", harbourParas[2:]...), t0.Add(time.Hour)), Captured)
	if c.WARCFile == b.WARCFile {
		t.Fatalf("the new run appended to %s, whose tail is broken", b.WARCFile)
	}
	if n := fileSize(t, path); n != cut {
		t.Errorf("the broken file changed size: %d → %d", cut, n)
	}
	if got := tReadWARC(t, filepath.Join(e.dir, warcDir, c.WARCFile)); got[0].get("WARC-Type") != "warcinfo" || len(got) != 3 {
		t.Errorf("new file: %d records", len(got))
	}
	if text := e.restore(t, "https://crash.example/c", FormatText); !bytes.Contains(text, []byte(harbourParas[2])) {
		t.Error("the capture after the crash cannot be restored")
	}
	ps, _ = e.verify(t)
	if len(problemsOf(ps, []ProblemKind{ProblemTruncated, ProblemCorrupt, ProblemDigest, ProblemBadRecord, ProblemCatalog}, "warc/"+c.WARCFile, -2)) != 0 {
		t.Errorf("problems in the new file: %v", ps)
	}
	// b itself is still restorable from its blobs.
	if raw := e.restore(t, "https://crash.example/b", FormatRaw); !bytes.Contains(raw, []byte("Second")) {
		t.Error("b's raw copy")
	}
}

func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x5a
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyFindsFlippedBytes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	page := articlePage("Harbour Board Votes to Replace Breakwater", harbourParas...)
	a := e.capture(t, htmlResponse("https://flip.example/a", page, t0), Captured)
	b := e.capture(t, htmlResponse("https://flip.example/b", articlePage("Other", harbourParas[2:]...), t0), Captured)
	if ps, st := e.verify(t); len(ps) != 0 || st.Blobs != 6 || st.Records != 5 || st.Snapshots != 2 {
		t.Fatalf("clean archive: %v %+v", ps, st)
	}

	// A flipped byte in the text blob.
	textPath, _ := e.a.blobs.path(a.TextBlob)
	flipByte(t, textPath, fileSize(t, textPath)/2)
	// And one in the raw blob: restore falls back to the WARC record.
	rawPath, _ := e.a.blobs.path(a.RawBlob)
	flipByte(t, rawPath, fileSize(t, rawPath)/2)
	// And one in the middle of b's response record.
	warcPath := filepath.Join(e.dir, warcDir, b.WARCFile)
	flipByte(t, warcPath, b.WARCOffset+b.WARCLength/2)

	ps, st := e.verify(t)
	for _, p := range []string{e.a.rel(textPath), e.a.rel(rawPath)} {
		if got := problemsOf(ps, []ProblemKind{ProblemCorrupt, ProblemBlobHash}, p, -1); len(got) != 1 {
			t.Errorf("flipped blob %s: %v", p, ps)
		}
	}
	rel := "warc/" + b.WARCFile
	if got := problemsOf(ps, []ProblemKind{ProblemCorrupt, ProblemDigest}, rel, b.WARCOffset); len(got) == 0 {
		t.Errorf("flipped WARC byte at %s offset %d not reported: %v", rel, b.WARCOffset, ps)
	}
	if st.Records != 4 {
		t.Errorf("records read around the damage: %d, want 4", st.Records)
	}
	for _, p := range ps {
		t.Logf("problem: %s", p)
	}

	if _, err := e.a.Restore(ctxT(t), "https://flip.example/a", time.Time{}, FormatText, io.Discard); err == nil {
		t.Error("a damaged text blob was restored")
	}
	if raw := e.restore(t, "https://flip.example/a", FormatRaw); string(raw) != page {
		t.Error("raw copy not recovered from the WARC record")
	}
	if _, err := e.a.Restore(ctxT(t), "https://flip.example/b", time.Time{}, FormatWARC, io.Discard); err == nil {
		t.Error("a damaged WARC record was restored")
	}
}

// TestVerifyDigestMismatch rewrites a record as valid gzip with changed
// content: only the digests can tell.
func TestVerifyDigestMismatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	s := e.capture(t, htmlResponse("https://dig.example/a", articlePage("Harbour Board Votes", harbourParas...), t0), Captured)
	path := filepath.Join(e.dir, warcDir, s.WARCFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	member := data[s.WARCOffset : s.WARCOffset+s.WARCLength]
	content := gunzipAll(t, member)
	forged := bytes.Replace(content, []byte("eleven million"), []byte("twelve million"), 1)
	if bytes.Equal(forged, content) {
		t.Fatal("nothing replaced")
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(forged)
	zw.Close()
	out := append(append(append([]byte{}, data[:s.WARCOffset]...), z.Bytes()...), data[s.WARCOffset+s.WARCLength:]...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	ps, _ := e.verify(t)
	got := problemsOf(ps, []ProblemKind{ProblemDigest}, "warc/"+s.WARCFile, s.WARCOffset)
	if len(got) != 2 || got[0].RecordID != s.WARCRecordID {
		t.Errorf("want block and payload digest mismatches at offset %d: %v", s.WARCOffset, ps)
	}
}

func TestVerifyMissingFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	s := e.capture(t, htmlResponse("https://miss.example/a", articlePage("Harbour Board Votes", harbourParas...), t0), Captured)
	p, _ := e.a.blobs.path(s.HTMLBlob)
	os.Remove(p)
	os.Remove(filepath.Join(e.dir, warcDir, s.WARCFile))
	ps, _ := e.verify(t)
	if got := problemsOf(ps, []ProblemKind{ProblemMissing}, e.a.rel(p), -1); len(got) != 1 || got[0].SnapshotID != s.ID {
		t.Errorf("missing blob: %v", ps)
	}
	if got := problemsOf(ps, []ProblemKind{ProblemMissing}, "warc/"+s.WARCFile, -1); len(got) != 1 {
		t.Errorf("missing WARC file: %v", ps)
	}
	// A blob write a crash interrupted is no problem, just counted.
	os.WriteFile(filepath.Join(filepath.Dir(p), blobTempPrefix+"123"), []byte("half"), 0o644)
	if _, st := e.verify(t); st.TempFiles != 1 {
		t.Errorf("temp files %d", st.TempFiles)
	}
}

// TestScannerStrictness feeds the production reader records that break
// the format in each way it must notice.
func TestScannerStrictness(t *testing.T) {
	t.Parallel()
	good := "WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:1>\r\nWARC-Date: 2024-05-01T00:00:00Z\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n"
	if _, err := parseRecord([]byte(good)); err != nil {
		t.Fatalf("good record refused: %v", err)
	}
	for name, rec := range map[string]string{
		"version":          strings.Replace(good, "WARC/1.1", "WARC/2.0", 1),
		"no blank line":    strings.Replace(good, "\r\n\r\nhello", "\r\nhello", 1),
		"bare LF":          strings.Replace(good, "WARC-Type: resource\r\n", "WARC-Type: resource\n", 1),
		"length too long":  strings.Replace(good, "Content-Length: 5", "Content-Length: 9", 1),
		"length too short": strings.Replace(good, "Content-Length: 5", "Content-Length: 3", 1),
		"length not digit": strings.Replace(good, "Content-Length: 5", "Content-Length: +5", 1),
		"no record id":     strings.Replace(good, "WARC-Record-ID: <urn:uuid:1>\r\n", "", 1),
		"bad date":         strings.Replace(good, "2024-05-01T00:00:00Z", "yesterday", 1),
		"trailing bytes":   good + "x",
		"missing end":      strings.TrimSuffix(good, "\r\n"),
		"bad field":        strings.Replace(good, "WARC-Type: resource", "WARC Type: resource", 1),
	} {
		if _, err := parseRecord([]byte(rec)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Digests in both encodings.
	for _, d := range []string{tSHA1B32([]byte("hello")), "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"} {
		if ok, err := digestMatches(d, []byte("hello")); !ok || err != nil {
			t.Errorf("digest %s: %v %v", d, ok, err)
		}
	}
	if ok, _ := digestMatches("sha1:AAAA", []byte("hello")); ok {
		t.Error("short digest matched")
	}
}
