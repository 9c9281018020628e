package archive

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// The strict reader: it accepts exactly what WARC 1.1 (and 1.0) allow in a
// .warc.gz file whose records are each their own gzip member, and says
// precisely what is wrong with anything else. verify and restore use it;
// it shares nothing with the writer, so a bug in one is not hidden by the
// same bug in the other (the tests add a third, independent reader).

// maxRecordSize bounds one decompressed record, so a corrupt or hostile
// file cannot make the reader allocate without limit. Records are never
// larger than archive.max_size plus headers; 1 GiB is far above any sane
// max_size.
const maxRecordSize = 1 << 30

// warcHeader is a record's named fields, in order.
type warcHeader []warcField

// get returns the first value of name (case-insensitive), or "".
func (h warcHeader) get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			return f.value
		}
	}
	return ""
}

// warcRecord is one parsed record.
type warcRecord struct {
	version string
	header  warcHeader
	block   []byte
}

func (r warcRecord) typ() string { return r.header.get("WARC-Type") }
func (r warcRecord) id() string  { return r.header.get("WARC-Record-ID") }

// errRecord is a record that does not follow the format.
type errRecord struct{ msg string }

func (e *errRecord) Error() string { return e.msg }

func badRecord(format string, args ...any) error {
	return &errRecord{msg: fmt.Sprintf(format, args...)}
}

// parseRecord parses the decompressed content of one gzip member, which
// must hold exactly one record and nothing else.
func parseRecord(data []byte) (warcRecord, error) {
	var rec warcRecord
	line, rest, ok := cutLine(data)
	if !ok {
		return rec, badRecord("no version line")
	}
	switch string(line) {
	case "WARC/1.1", "WARC/1.0":
		rec.version = string(line)
	default:
		return rec, badRecord("bad version line %q", truncate(string(line), 40))
	}
	seen := map[string]bool{}
	for {
		line, rest, ok = cutLine(rest)
		if !ok {
			return rec, badRecord("header not ended by an empty line")
		}
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			// A continuation line (folded value), which WARC allows.
			if len(rec.header) == 0 {
				return rec, badRecord("continuation line before any field")
			}
			last := &rec.header[len(rec.header)-1]
			last.value += " " + strings.TrimSpace(string(line))
			continue
		}
		name, value, ok := strings.Cut(string(line), ":")
		if !ok || !validHeaderName(name) {
			return rec, badRecord("bad header line %q", truncate(string(line), 60))
		}
		key := strings.ToLower(name)
		if seen[key] && key != "warc-concurrent-to" {
			return rec, badRecord("field %s repeated", name)
		}
		seen[key] = true
		rec.header = append(rec.header, warcField{name, strings.TrimSpace(value)})
	}
	for _, f := range []string{"WARC-Type", "WARC-Record-ID", "WARC-Date", "Content-Length"} {
		if rec.header.get(f) == "" {
			return rec, badRecord("mandatory field %s missing", f)
		}
	}
	if id := rec.id(); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, ">") || !strings.Contains(id, ":") {
		return rec, badRecord("WARC-Record-ID %q is not a bracketed URI", truncate(id, 60))
	}
	if _, err := time.Parse(time.RFC3339Nano, rec.header.get("WARC-Date")); err != nil {
		return rec, badRecord("bad WARC-Date %q", rec.header.get("WARC-Date"))
	}
	cl := rec.header.get("Content-Length")
	n, err := strconv.ParseInt(cl, 10, 64)
	if err != nil || n < 0 || strings.TrimLeft(cl, "0123456789") != "" {
		return rec, badRecord("bad Content-Length %q", cl)
	}
	if int64(len(rest)) < n {
		return rec, badRecord("block shorter (%d bytes) than Content-Length %d", len(rest), n)
	}
	rec.block, rest = rest[:n], rest[n:]
	if !bytes.Equal(rest, []byte("\r\n\r\n")) {
		if len(rest) < 4 || !bytes.HasPrefix(rest, []byte("\r\n\r\n")) {
			return rec, badRecord("block not followed by CRLF CRLF (Content-Length wrong?)")
		}
		return rec, badRecord("%d bytes after the record in the same gzip member", len(rest)-4)
	}
	return rec, nil
}

// cutLine splits off a line ended by CRLF; a bare LF is not a line end.
func cutLine(b []byte) (line, rest []byte, ok bool) {
	i := bytes.Index(b, []byte("\r\n"))
	if i < 0 {
		return nil, b, false
	}
	line = b[:i]
	if bytes.IndexByte(line, '\n') >= 0 {
		return nil, b, false
	}
	return line, b[i+2:], true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// checkDigests recomputes the record's block digest and, for a response,
// its payload digest (the entity body after the HTTP headers), and returns
// what does not match. A revisit's payload is elsewhere, so only its
// block is checked.
func checkDigests(rec warcRecord) []string {
	var bad []string
	if d := rec.header.get("WARC-Block-Digest"); d != "" {
		if ok, err := digestMatches(d, rec.block); err != nil {
			bad = append(bad, "WARC-Block-Digest: "+err.Error())
		} else if !ok {
			bad = append(bad, "WARC-Block-Digest does not match the block")
		}
	}
	if d := rec.header.get("WARC-Payload-Digest"); d != "" && rec.typ() == "response" {
		payload, ok := httpPayload(rec.block)
		switch {
		case !ok:
			bad = append(bad, "response block has no end of HTTP headers")
		default:
			if ok, err := digestMatches(d, payload); err != nil {
				bad = append(bad, "WARC-Payload-Digest: "+err.Error())
			} else if !ok {
				bad = append(bad, "WARC-Payload-Digest does not match the payload")
			}
		}
	}
	return bad
}

// httpPayload returns what follows the HTTP headers in a response block.
func httpPayload(block []byte) ([]byte, bool) {
	i := bytes.Index(block, []byte("\r\n\r\n"))
	if i < 0 {
		return nil, false
	}
	return block[i+4:], true
}

// digestMatches checks a labelled digest ("sha1:BASE32", "sha256:hex", …)
// against b. Base32 and hex are both seen in the wild; the length tells
// them apart.
func digestMatches(digest string, b []byte) (bool, error) {
	algo, value, ok := strings.Cut(digest, ":")
	if !ok {
		return false, fmt.Errorf("%q has no algorithm label", truncate(digest, 60))
	}
	var h hash.Hash
	switch strings.ToLower(algo) {
	case "sha1":
		h = sha1.New()
	case "sha256", "sha-256":
		h = sha256.New()
	default:
		return false, fmt.Errorf("unknown algorithm %q", algo)
	}
	h.Write(b)
	sum := h.Sum(nil)
	var want []byte
	var err error
	if len(value) == hex.EncodedLen(len(sum)) {
		want, err = hex.DecodeString(strings.ToLower(value))
	} else {
		want, err = base32.StdEncoding.DecodeString(strings.ToUpper(value))
	}
	if err != nil || len(want) != len(sum) {
		return false, fmt.Errorf("cannot decode %q", truncate(digest, 60))
	}
	return bytes.Equal(want, sum), nil
}

// countingReader counts the bytes the gzip reader takes. Because it is an
// io.ByteReader, the decompressor reads through it byte by byte and never
// past the end of a member, so the count is the exact member boundary.
type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// memberError is a gzip member that could not be read.
type memberError struct {
	truncated bool  // the file ended inside the member
	resync    bool  // the member's end is unknown: the next one must be searched for
	err       error // the cause
}

func (e *memberError) Error() string {
	if e.truncated {
		return "the file ends inside this record: " + e.err.Error()
	}
	return "corrupt gzip member: " + e.err.Error()
}

func (e *memberError) Unwrap() error { return e.err }

// classifyGzipErr sorts a decompression error: the file ended (the last
// record was cut short), the member's checksum failed (its end is known),
// or its data is garbage (its end is not).
func classifyGzipErr(err error) *memberError {
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &memberError{truncated: true, err: err}
	case errors.Is(err, gzip.ErrChecksum):
		return &memberError{err: err}
	case errors.As(err, &corrupt), errors.Is(err, gzip.ErrHeader):
		return &memberError{resync: true, err: err}
	default:
		return &memberError{resync: true, err: err}
	}
}

// scannedMember is one gzip member of a WARC file: where it is and what it
// held, or why it could not be read.
type scannedMember struct {
	offset, length int64
	content        []byte
	err            error // a *memberError, or an I/O error
}

// scanMembers reads the gzip members of the file at path one by one and
// calls fn with each. After a member whose end cannot be known (corrupt
// deflate data, a bad header) it searches the file for the next gzip
// header that starts a readable member, so one damaged record does not
// hide the rest; the damaged stretch is reported once. fn returning false
// stops the scan.
func scanMembers(path string, fn func(scannedMember) bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	cr := &countingReader{r: bufio.NewReaderSize(f, 256<<10)}
	var z gzip.Reader
	off := int64(0)
	for off < size {
		m, next := readMember(&z, cr, off)
		if m.err == nil {
			if !fn(m) {
				return nil
			}
			off = next
			continue
		}
		var me *memberError
		if !errors.As(m.err, &me) || !me.resync {
			if !fn(m) {
				return nil
			}
			if errors.As(m.err, &me) && me.truncated || next <= off {
				return nil
			}
			off = next
			continue
		}
		// Find the next member that reads cleanly.
		q := off
		for {
			q, err = findGzipMagic(f, q+1, size)
			if err != nil {
				return err
			}
			if q < 0 {
				m.length = size - off
				fn(m)
				return nil
			}
			if _, err := f.Seek(q, io.SeekStart); err != nil {
				return err
			}
			cr.r.Reset(f)
			cr.n = q
			probe, pnext := readMember(&z, cr, q)
			if probe.err != nil {
				continue
			}
			m.length = q - off
			if !fn(m) || !fn(probe) {
				return nil
			}
			off = pnext
			break
		}
	}
	return nil
}

// readMember decompresses the member starting at off (where cr is) and
// returns it with the offset just past it.
func readMember(z *gzip.Reader, cr *countingReader, off int64) (scannedMember, int64) {
	m := scannedMember{offset: off}
	if err := z.Reset(cr); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		m.err = classifyGzipErr(err)
		m.length = cr.n - off
		return m, cr.n
	}
	z.Multistream(false)
	content, err := io.ReadAll(io.LimitReader(z, maxRecordSize+1))
	m.length = cr.n - off
	if err != nil {
		m.err = classifyGzipErr(err)
		return m, cr.n
	}
	if len(content) > maxRecordSize {
		m.err = &memberError{resync: true, err: fmt.Errorf("record larger than %d bytes", maxRecordSize)}
		return m, cr.n
	}
	m.content = content
	return m, cr.n
}

var gzipMagic = []byte{0x1f, 0x8b, 0x08}

// findGzipMagic returns the offset of the next gzip header at or after
// from, or -1.
func findGzipMagic(f *os.File, from, size int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for from < size {
		n, err := f.ReadAt(buf, from)
		if n == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				return -1, nil
			}
			return -1, err
		}
		if i := bytes.Index(buf[:n], gzipMagic); i >= 0 {
			return from + int64(i), nil
		}
		if n < len(gzipMagic) {
			return -1, nil
		}
		// Step back so a magic split across two reads is still found.
		from += int64(n - len(gzipMagic) + 1)
	}
	return -1, nil
}

// readRecordAt reads the record in the gzip member at off, length bytes
// long, of the WARC file at path, checks that the member is exactly that
// long and the record well formed with matching digests, and returns the
// member's compressed bytes (to copy verbatim) and the record.
func readRecordAt(path string, off, length int64) ([]byte, warcRecord, error) {
	if off < 0 || length <= 0 || length > maxRecordSize {
		return nil, warcRecord{}, fmt.Errorf("bad record location %d+%d", off, length)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, warcRecord{}, err
	}
	defer f.Close()
	raw := make([]byte, length)
	if _, err := f.ReadAt(raw, off); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, warcRecord{}, fmt.Errorf("offset %d: %w", off, &memberError{truncated: true, err: io.ErrUnexpectedEOF})
		}
		return nil, warcRecord{}, err
	}
	// bytes.Reader is an io.ByteReader: the member is read exactly.
	br := bytes.NewReader(raw)
	z, err := gzip.NewReader(br)
	if err != nil {
		return nil, warcRecord{}, fmt.Errorf("offset %d: %w", off, classifyGzipErr(err))
	}
	z.Multistream(false)
	content, err := io.ReadAll(z)
	if err != nil {
		return nil, warcRecord{}, fmt.Errorf("offset %d: %w", off, classifyGzipErr(err))
	}
	if br.Len() != 0 {
		return nil, warcRecord{}, fmt.Errorf("offset %d: the member is %d bytes shorter than the catalog says", off, br.Len())
	}
	rec, err := parseRecord(content)
	if err != nil {
		return nil, warcRecord{}, fmt.Errorf("offset %d: %w", off, err)
	}
	if bad := checkDigests(rec); len(bad) > 0 {
		return nil, warcRecord{}, fmt.Errorf("offset %d: %s", off, strings.Join(bad, "; "))
	}
	return raw, rec, nil
}
