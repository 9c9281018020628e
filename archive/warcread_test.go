package archive

// An independent WARC reader for the tests. It shares no code with the
// writer or with the production reader (warcscan.go): its own member
// splitting, its own header parsing and its own digest code, so that a
// mistake in either is not confirmed by itself.

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/base32"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
)

type tRecord struct {
	offset, length int64 // of the gzip member
	version        string
	fields         map[string][]string // lower-case name → values
	order          []string            // names as written
	block          []byte
}

func (r tRecord) get(name string) string {
	v := r.fields[strings.ToLower(name)]
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// tReadWARC parses a whole .warc.gz strictly: every gzip member must hold
// exactly one record; it fails the test on anything else.
func tReadWARC(t *testing.T, path string) []tRecord {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := tParseWARC(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

func tParseWARC(data []byte) ([]tRecord, error) {
	var out []tRecord
	br := bytes.NewReader(data)
	for br.Len() > 0 {
		start := int64(len(data) - br.Len())
		zr, err := gzip.NewReader(br)
		if err != nil {
			return out, fmt.Errorf("offset %d: gzip header: %v", start, err)
		}
		zr.Multistream(false)
		content, err := io.ReadAll(zr)
		if err != nil {
			return out, fmt.Errorf("offset %d: gzip member: %v", start, err)
		}
		end := int64(len(data) - br.Len())
		rec, err := tParseRecord(content)
		if err != nil {
			return out, fmt.Errorf("offset %d: %v", start, err)
		}
		rec.offset, rec.length = start, end-start
		if err := tCheckDigests(rec); err != nil {
			return out, fmt.Errorf("offset %d (%s): %v", start, rec.get("WARC-Type"), err)
		}
		out = append(out, rec)
	}
	return out, nil
}

func tParseRecord(content []byte) (tRecord, error) {
	rec := tRecord{fields: map[string][]string{}}
	headEnd := bytes.Index(content, []byte("\r\n\r\n"))
	if headEnd < 0 {
		return rec, fmt.Errorf("no end of header")
	}
	lines := strings.Split(string(content[:headEnd]), "\r\n")
	rec.version = lines[0]
	if rec.version != "WARC/1.1" {
		return rec, fmt.Errorf("version line %q", rec.version)
	}
	for _, l := range lines[1:] {
		if strings.ContainsAny(l, "\r\n") {
			return rec, fmt.Errorf("bare CR or LF in %q", l)
		}
		i := strings.Index(l, ": ")
		if i <= 0 {
			return rec, fmt.Errorf("field line %q", l)
		}
		name := l[:i]
		rec.fields[strings.ToLower(name)] = append(rec.fields[strings.ToLower(name)], l[i+2:])
		rec.order = append(rec.order, name)
	}
	for _, must := range []string{"WARC-Type", "WARC-Record-ID", "WARC-Date", "Content-Length"} {
		if len(rec.fields[strings.ToLower(must)]) != 1 {
			return rec, fmt.Errorf("%s present %d times", must, len(rec.fields[strings.ToLower(must)]))
		}
	}
	n, err := strconv.Atoi(rec.get("Content-Length"))
	if err != nil {
		return rec, err
	}
	body := content[headEnd+4:]
	if len(body) != n+4 {
		return rec, fmt.Errorf("Content-Length %d but %d bytes follow the header", n, len(body))
	}
	if string(body[n:]) != "\r\n\r\n" {
		return rec, fmt.Errorf("record not ended by CRLF CRLF")
	}
	rec.block = body[:n]
	return rec, nil
}

func tSHA1B32(b []byte) string {
	h := sha1.New()
	h.Write(b)
	return "sha1:" + base32.StdEncoding.EncodeToString(h.Sum(nil))
}

func tCheckDigests(rec tRecord) error {
	if d := rec.get("WARC-Block-Digest"); d == "" {
		return fmt.Errorf("no WARC-Block-Digest")
	} else if got := tSHA1B32(rec.block); got != d {
		return fmt.Errorf("block digest %s, computed %s", d, got)
	}
	if rec.get("WARC-Type") != "response" {
		return nil
	}
	i := bytes.Index(rec.block, []byte("\r\n\r\n"))
	if i < 0 {
		return fmt.Errorf("response block without end of HTTP headers")
	}
	if d, got := rec.get("WARC-Payload-Digest"), tSHA1B32(rec.block[i+4:]); d != got {
		return fmt.Errorf("payload digest %s, computed %s", d, got)
	}
	return nil
}

// tHTTPPart splits a response block into its head and payload.
func tHTTPPart(t *testing.T, block []byte) (head string, payload []byte) {
	t.Helper()
	i := bytes.Index(block, []byte("\r\n\r\n"))
	if i < 0 {
		t.Fatalf("no HTTP header end in %q", block[:min(len(block), 200)])
	}
	return string(block[:i+2]), block[i+4:]
}
