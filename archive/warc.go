package archive

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/internal/atomicfile"
)

// WARCFileSize is the size past which a WARC file is closed and the next
// capture starts a new one. 100 MiB is the customary size: small enough to
// copy and check one file at a time, large enough that a collection of a
// few thousand pages stays a handful of files.
const WARCFileSize = 100 << 20

// warcDir is where the WARC files are, under the data directory.
const warcDir = "warc"

// Fixed WARC values.
const (
	warcVersion        = "WARC/1.1"
	warcDateLayout     = "2006-01-02T15:04:05Z"
	warcRevisitProfile = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
	warcConformsTo     = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
	warcHTTPResponse   = "application/http;msgtype=response"
	warcHTTPRequest    = "application/http;msgtype=request"
)

// warcField is one WARC named field. Fields are kept in a slice, not a
// map, so that records are written (and can be compared) in a fixed order.
type warcField struct{ name, value string }

// warcDigest is the customary WARC digest: "sha1:" and the base32 of the
// SHA-1. SHA-1 rather than SHA-256 because it is what every WARC tool and
// the Wayback CDX "digest" column use, so a payload can be matched against
// a public archive's capture. Deduplication decisions never rely on it:
// they compare SHA-256 (Snapshot.PayloadDigest), so a crafted SHA-1
// collision cannot make a new page point at an old record.
func warcDigest(b []byte) string {
	sum := sha1.Sum(b)
	return "sha1:" + base32.StdEncoding.EncodeToString(sum[:])
}

// newRecordID returns a WARC-Record-ID: a random (version 4) UUID URN in
// angle brackets.
func newRecordID() string {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		// crypto/rand does not fail on supported systems (Go 1.24+
		// crashes the program instead); keep the signature simple.
		panic(err)
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("<urn:uuid:%x-%x-%x-%x-%x>", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// warcDate formats t as a WARC-Date. Whole seconds: every WARC reader
// accepts them, and WARC-Refers-To-Date must repeat the referred record's
// date exactly, which the catalog's captured_at (nanoseconds) gives after
// the same truncation.
func warcDate(t time.Time) string { return t.UTC().Format(warcDateLayout) }

// buildRecord renders one WARC record: version line, the fields,
// WARC-Block-Digest and Content-Length (computed here, never given), the
// block and the closing CRLF CRLF.
func buildRecord(fields []warcField, block []byte) []byte {
	var b bytes.Buffer
	b.Grow(512 + len(block))
	b.WriteString(warcVersion + "\r\n")
	for _, f := range fields {
		b.WriteString(f.name)
		b.WriteString(": ")
		b.WriteString(f.value)
		b.WriteString("\r\n")
	}
	b.WriteString("WARC-Block-Digest: " + warcDigest(block) + "\r\n")
	b.WriteString("Content-Length: " + strconv.Itoa(len(block)) + "\r\n\r\n")
	b.Write(block)
	b.WriteString("\r\n\r\n")
	return b.Bytes()
}

// warcinfoRecord is the record every WARC file starts with.
func warcinfoRecord(filename, hostname string, at time.Time) []byte {
	var block strings.Builder
	block.WriteString("software: linkrot/" + config.Version + "\r\n")
	block.WriteString("format: WARC File Format 1.1\r\n")
	block.WriteString("conformsTo: " + warcConformsTo + "\r\n")
	if hostname != "" {
		block.WriteString("hostname: " + oneLine(hostname) + "\r\n")
	}
	fields := []warcField{
		{"WARC-Type", "warcinfo"},
		{"WARC-Record-ID", newRecordID()},
		{"WARC-Date", warcDate(at)},
	}
	if filename != "" {
		fields = append(fields, warcField{"WARC-Filename", filename})
	}
	fields = append(fields, warcField{"Content-Type", "application/warc-fields"})
	return buildRecord(fields, []byte(block.String()))
}

// oneLine keeps a header value on one line: CR and LF would end the field
// and let a hostile server write fields of its own into our records.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
}

// dropped are the response headers that describe the bytes on the wire,
// not the body we have. Body is already decoded (no gzip, no chunks), so
// keeping them would make the record lie about its own block; they are
// kept, renamed, as X-Linkrot-Orig-*, the way replay tools keep headers
// they had to change (X-Archive-Orig-*).
var dropped = []string{"Content-Encoding", "Transfer-Encoding", "Content-Length"}

// origPrefix is the prefix of a renamed header (see dropped).
const origPrefix = "X-Linkrot-Orig-"

// httpResponseHead is the status line and headers of r as the record
// stores them, ending with the blank line: the headers sorted (http.Header
// is a map, the original order is lost), Content-Length set to the length
// of the decoded body. An original Content-Length equal to it is not
// repeated.
func httpResponseHead(r Response) []byte {
	var b bytes.Buffer
	reason := http.StatusText(r.Status)
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", r.Status, reason)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	n := strconv.Itoa(len(r.Body))
	for _, k := range keys {
		canon := http.CanonicalHeaderKey(k)
		if !validHeaderName(canon) {
			continue
		}
		name := canon
		if slices.Contains(dropped, canon) {
			name = origPrefix + canon
		}
		for _, v := range r.Header[k] {
			if canon == "Content-Length" && v == n {
				continue
			}
			b.WriteString(name + ": " + oneLine(v) + "\r\n")
		}
	}
	b.WriteString("Content-Length: " + n + "\r\n\r\n")
	return b.Bytes()
}

// validHeaderName reports whether s is an HTTP token, so a header map
// filled by something other than net/http cannot break the record.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

// httpRequestBlock reconstructs the request: the crawler does not hand over
// what it sent, so this is method, target, Host and User-Agent, which is
// what identifies the request for replay tools.
func httpRequestBlock(r Response, target *url.URL) []byte {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", oneLine(method), oneLine(target.RequestURI()))
	b.WriteString("Host: " + oneLine(target.Host) + "\r\n")
	if r.UserAgent != "" {
		b.WriteString("User-Agent: " + oneLine(r.UserAgent) + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// captureRecords are one capture's records, rendered, and the IDs the
// catalog keeps.
type captureRecords struct {
	request, main []byte // main is the response or revisit record
	mainID        string
	mainType      string // store.WARCResponse or store.WARCRevisit
}

// refersTo identifies the response record a revisit record stands for.
type refersTo struct {
	recordID, targetURI string
	date                time.Time
}

// buildCapture renders the request and response records of r (fetched
// from target at at), or a revisit record instead of the response when ref
// is not nil: the payload is identical to ref's, so only the headers are
// stored, with WARC-Refers-To pointing at the record that holds it.
func buildCapture(r Response, target *url.URL, at time.Time, ref *refersTo) captureRecords {
	reqID, mainID := newRecordID(), newRecordID()
	date := warcDate(at)
	uri := target.String()
	head := httpResponseHead(r)
	payloadDigest := warcDigest(r.Body)

	out := captureRecords{mainID: mainID}
	if ref == nil {
		out.mainType = "response"
		block := make([]byte, 0, len(head)+len(r.Body))
		block = append(append(block, head...), r.Body...)
		out.main = buildRecord([]warcField{
			{"WARC-Type", "response"},
			{"WARC-Record-ID", mainID},
			{"WARC-Date", date},
			{"WARC-Target-URI", uri},
			{"WARC-Concurrent-To", reqID},
			{"WARC-Payload-Digest", payloadDigest},
			{"Content-Type", warcHTTPResponse},
		}, block)
	} else {
		// The identical-payload-digest profile: the block is the HTTP
		// headers only. No WARC-Truncated: nothing was cut, the profile
		// itself says the payload is elsewhere.
		out.mainType = "revisit"
		out.main = buildRecord([]warcField{
			{"WARC-Type", "revisit"},
			{"WARC-Record-ID", mainID},
			{"WARC-Date", date},
			{"WARC-Target-URI", uri},
			{"WARC-Concurrent-To", reqID},
			{"WARC-Profile", warcRevisitProfile},
			{"WARC-Refers-To", ref.recordID},
			{"WARC-Refers-To-Target-URI", ref.targetURI},
			{"WARC-Refers-To-Date", warcDate(ref.date)},
			{"WARC-Payload-Digest", payloadDigest},
			{"Content-Type", warcHTTPResponse},
		}, head)
	}
	out.request = buildRecord([]warcField{
		{"WARC-Type", "request"},
		{"WARC-Record-ID", reqID},
		{"WARC-Date", date},
		{"WARC-Target-URI", uri},
		{"WARC-Concurrent-To", mainID},
		{"Content-Type", warcHTTPRequest},
	}, httpRequestBlock(r, target))
	return out
}

// warcSpan is where one gzip member (one record) lies in a WARC file.
type warcSpan struct{ offset, length int64 }

// warcWriter appends records to WARC files under dir, one gzip member per
// record, starting a new file when the current one passes maxSize.
//
// Crash safety: a capture's members are compressed in memory and written
// with one write, then fsynced (when sync is set) before append returns,
// and the caller records offsets in the catalog only after that, so the
// catalog never points at bytes that are not on disk. A killed process
// leaves at most one truncated member at the end of the file it was
// writing. A writer never reopens an existing file: each one starts a new
// file at its first append, so nothing is ever written after a broken
// tail, and `verify` reports the tail by file name and offset. After a
// failed write the writer cuts the file back to its last good member
// (best effort) and abandons it; the next append starts a new file.
type warcWriter struct {
	dir      string
	maxSize  int64
	hostname string
	now      func() time.Time
	sync     bool

	f    *os.File
	name string // base name of f
	size int64  // bytes of f known to be good
	seq  int    // next serial for file names

	gz  *gzip.Writer // reused across members: a flate writer is large
	buf bytes.Buffer
}

// append writes records, in order, to one file and returns its base name
// and where each record went.
func (w *warcWriter) append(records ...[]byte) (string, []warcSpan, error) {
	w.buf.Reset()
	lens := make([]int64, len(records))
	for i, rec := range records {
		before := w.buf.Len()
		if err := w.compress(&w.buf, rec); err != nil {
			return "", nil, err
		}
		lens[i] = int64(w.buf.Len() - before)
	}
	if w.f != nil && w.size+int64(w.buf.Len()) > w.maxSize {
		if err := w.closeFile(); err != nil {
			return "", nil, err
		}
	}
	if w.f == nil {
		if err := w.openFile(); err != nil {
			return "", nil, err
		}
	}
	start := w.size
	if _, err := w.f.Write(w.buf.Bytes()); err != nil {
		w.abandon()
		return "", nil, fmt.Errorf("write %s: %w", w.name, err)
	}
	if w.sync {
		if err := w.f.Sync(); err != nil {
			w.abandon()
			return "", nil, fmt.Errorf("sync %s: %w", w.name, err)
		}
	}
	w.size += int64(w.buf.Len())
	spans := make([]warcSpan, len(records))
	off := start
	for i, n := range lens {
		spans[i] = warcSpan{offset: off, length: n}
		off += n
	}
	return w.name, spans, nil
}

// compress appends rec to dst as one complete gzip member.
func (w *warcWriter) compress(dst *bytes.Buffer, rec []byte) error {
	if w.gz == nil {
		w.gz = gzip.NewWriter(dst)
	} else {
		w.gz.Reset(dst)
	}
	if _, err := w.gz.Write(rec); err != nil {
		return err
	}
	return w.gz.Close()
}

// openFile creates a new WARC file (never an existing one) and writes its
// warcinfo record.
func (w *warcWriter) openFile() error {
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		return fmt.Errorf("warc directory: %w", err)
	}
	now := w.now().UTC()
	for {
		name := fmt.Sprintf("linkrot-%s-%05d.warc.gz", now.Format("20060102150405"), w.seq)
		w.seq++
		f, err := os.OpenFile(filepath.Join(w.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("create WARC file: %w", err)
		}
		w.f, w.name, w.size = f, name, 0
		break
	}
	var info bytes.Buffer
	err := w.compress(&info, warcinfoRecord(w.name, w.hostname, now))
	if err == nil {
		_, err = w.f.Write(info.Bytes())
	}
	if err == nil && w.sync {
		// The new directory entry must survive a power cut as well as the
		// bytes, or the catalog could name a file that is not there.
		err = syncDir(w.dir)
	}
	if err != nil {
		w.abandon()
		return fmt.Errorf("start WARC file: %w", err)
	}
	w.size = int64(info.Len())
	return nil
}

// abandon gives up on the current file after a failed write: it is cut
// back to the last complete member, so that verify finds nothing wrong,
// and closed; the next append starts a new file.
func (w *warcWriter) abandon() {
	if w.f == nil {
		return
	}
	_ = w.f.Truncate(w.size)
	_ = w.f.Close()
	w.f = nil
}

func (w *warcWriter) closeFile() error {
	if w.f == nil {
		return nil
	}
	f := w.f
	w.f = nil
	err := f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("close %s: %w", w.name, err)
	}
	return nil
}

// syncDir makes the entries of dir (new files, renames) durable.
func syncDir(dir string) error { return atomicfile.SyncDir(dir) }
