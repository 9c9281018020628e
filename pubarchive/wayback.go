package pubarchive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Wayback timestamps are YYYYMMDDhhmmss in UTC; shorter prefixes mean the
// start of the period ("2014" is 1 January 2014).
const waybackLayout = "20060102150405"

// parseWaybackTime reads a 1–14 digit Wayback timestamp.
func parseWaybackTime(s string) (time.Time, error) {
	if len(s) == 0 || len(s) > 14 || strings.TrimLeft(s, "0123456789") != "" {
		return time.Time{}, fmt.Errorf("wayback timestamp %q: want 1 to 14 digits, YYYYMMDDhhmmss", clipMsg(s))
	}
	// Month and day pad with 01, the rest with 0.
	t, err := time.Parse(waybackLayout, s+"00000101000000"[len(s):])
	if err != nil {
		return time.Time{}, fmt.Errorf("wayback timestamp %q: not a valid date", s)
	}
	return t, nil
}

func waybackStamp(t time.Time) string { return t.UTC().Format(waybackLayout) }

// waybackReplayBase derives the replay prefix from the CDX endpoint: the
// Wayback Machine serves /cdx/search/cdx and /web/ on one host
// (web.archive.org), and so do pywb and fakeweb. For a CDX URL of another
// shape, /web/ at the root of its host is the best guess.
func waybackReplayBase(cdxURL string) string {
	u, err := url.Parse(cdxURL)
	if err != nil || u.Host == "" {
		return ""
	}
	prefix := ""
	if i := strings.Index(u.Path, "/cdx/"); i >= 0 {
		prefix = u.Path[:i]
	}
	return u.Scheme + "://" + u.Host + prefix + "/web/"
}

// waybackStatus is the capture status, which the APIs send as a string
// ("200", or "-" for revisits); a number is accepted too.
type waybackStatus int

func (s *waybackStatus) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case string:
		*s = waybackStatus(parseCaptureStatus(v))
	case float64:
		*s = waybackStatus(v)
	}
	return nil
}

// parseCaptureStatus: "200" → 200; "-" (revisit), "" or junk → 0, unknown.
func parseCaptureStatus(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 999 {
		return 0
	}
	return n
}

// WaybackAvailable asks the Wayback availability API for the capture
// closest to at (either side; zero at: the latest). ok is false when
// nothing is archived: archived_snapshots without "closest", or with
// available:false. The copy's Status is whatever the capture got, not
// necessarily 200.
func (r *Remote) WaybackAvailable(ctx context.Context, rawURL string, at time.Time) (c RemoteCopy, ok bool, err error) {
	target, err := archiveTarget(rawURL)
	if err != nil {
		return RemoteCopy{}, false, err
	}
	endpoint := r.cfg.Wayback.AvailabilityURL
	if endpoint == "" {
		return RemoteCopy{}, false, errors.New(svcAvailability + ": no availability_url configured")
	}
	q := url.Values{"url": {target}}
	if !at.IsZero() {
		q.Set("timestamp", waybackStamp(at))
	}
	reqURL, err := withQuery(endpoint, q)
	if err != nil {
		return RemoteCopy{}, false, &RemoteError{Service: svcAvailability, URL: endpoint, Err: err}
	}
	fail := func(status int, err error) (RemoteCopy, bool, error) {
		return RemoteCopy{}, false, &RemoteError{Service: svcAvailability, URL: reqURL, Status: status, Err: err}
	}
	resp, err := r.send(ctx, r.client, http.MethodGet, svcAvailability, reqURL, http.Header{"Accept": {"application/json"}})
	if err != nil {
		return RemoteCopy{}, false, err
	}
	if resp.StatusCode != http.StatusOK {
		drainAndClose(resp)
		return fail(resp.StatusCode, nil)
	}
	defer resp.Body.Close()

	var body waybackAvailability
	raw, err := io.ReadAll(newCapReader(resp.Body, maxJSONBody))
	if err != nil {
		return fail(0, err)
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return fail(0, jsonProblem(err))
	}
	if body.Snapshots == nil {
		return fail(0, fmt.Errorf("no archived_snapshots in the answer %q", clipMsg(string(bytes.TrimSpace(raw)))))
	}
	cl := body.Snapshots.Closest
	if cl == nil || !cl.Available {
		return RemoteCopy{}, false, nil
	}
	t, err := parseWaybackTime(cl.Timestamp)
	if err != nil {
		return fail(0, fmt.Errorf("closest snapshot: %w", err))
	}
	if cl.URL == "" {
		return fail(0, errors.New("closest snapshot has no url"))
	}
	return RemoteCopy{
		URL:      cl.URL,
		Original: waybackOriginal(cl.URL, cl.Timestamp, target),
		Time:     t,
		Status:   int(cl.Status),
		Source:   "wayback",
	}, true, nil
}

// waybackAvailability is the answer of the availability API:
// {"archived_snapshots":{"closest":{"available":true,"url":…,"timestamp":…,"status":"200"}}}.
type waybackAvailability struct {
	Snapshots *struct {
		Closest *struct {
			Available bool          `json:"available"`
			URL       string        `json:"url"`
			Timestamp string        `json:"timestamp"`
			Status    waybackStatus `json:"status"`
		} `json:"closest"`
	} `json:"archived_snapshots"`
}

// jsonProblem words a decoding error for people: where, and what was
// wrong, without Go type names.
func jsonProblem(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return errors.New("bad JSON: truncated")
	case errors.As(err, &syn):
		return fmt.Errorf("bad JSON at byte %d: %v", syn.Offset, err)
	case errors.As(err, &typ):
		want := map[reflect.Kind]string{reflect.Struct: "an object", reflect.Slice: "an array", reflect.String: "a string",
			reflect.Bool: "true or false"}[typ.Type.Kind()]
		if want == "" {
			want = typ.Type.Kind().String()
		}
		if typ.Field != "" {
			return fmt.Errorf("bad JSON: %s %s where %s was expected", typ.Field, typ.Value, want)
		}
		return fmt.Errorf("bad JSON: %s where %s was expected", typ.Value, want)
	}
	return fmt.Errorf("bad JSON: %w", err)
}

// waybackOriginal takes the captured URL out of a replay URL
// (".../web/<timestamp>[modifier]/<original>"), because the archive may
// have captured another form of it (https, www.); else it returns def.
func waybackOriginal(replay, stamp, def string) string {
	i := strings.Index(replay, "/"+stamp)
	if i < 0 {
		return def
	}
	rest := replay[i+1+len(stamp):]
	if j := strings.IndexByte(rest, '/'); j >= 0 && strings.Contains(rest[j+1:], "://") {
		return rest[j+1:]
	}
	return def
}

// WaybackCDX lists the Wayback captures of rawURL, oldest first, calling fn
// for each until it returns false. It reads the JSON output (a header row,
// then one row per capture) and uses the header to find the fields, so
// their order does not matter. A revisit row (statuscode "-": the same
// bytes as an earlier capture) gets the status of the earlier capture with
// the same digest, because Wayback replays it as that capture; 0 when that
// capture was not in the answer. At most 5 MiB of answer is read.
func (r *Remote) WaybackCDX(ctx context.Context, rawURL string, fn func(RemoteCopy) bool) error {
	target, err := archiveTarget(rawURL)
	if err != nil {
		return err
	}
	return r.cdx(ctx, target, nil, fn)
}

// cdxColumns are the positions of the fields linkrot uses; -1 if absent.
type cdxColumns struct {
	n                                             int
	timestamp, original, status, digest, mimetype int
}

func cdxHeader(row []string) (cdxColumns, bool) {
	cols := cdxColumns{n: len(row), timestamp: -1, original: -1, status: -1, digest: -1, mimetype: -1}
	for i, name := range row {
		switch name {
		case "timestamp":
			cols.timestamp = i
		case "original":
			cols.original = i
		case "statuscode":
			cols.status = i
		case "digest":
			cols.digest = i
		case "mimetype":
			cols.mimetype = i
		}
	}
	return cols, cols.timestamp >= 0 && cols.original >= 0
}

// cdx runs one CDX query for target with extra parameters (from, to,
// limit, filter) and streams the rows to fn.
func (r *Remote) cdx(ctx context.Context, target string, extra url.Values, fn func(RemoteCopy) bool) error {
	endpoint := r.cfg.Wayback.CDXURL
	if endpoint == "" {
		return errors.New(svcCDX + ": no cdx_url configured")
	}
	q := url.Values{"url": {target}, "output": {"json"}}
	for k, v := range extra {
		q[k] = v
	}
	reqURL, err := withQuery(endpoint, q)
	if err != nil {
		return &RemoteError{Service: svcCDX, URL: endpoint, Err: err}
	}
	fail := func(status int, err error) error {
		return &RemoteError{Service: svcCDX, URL: reqURL, Status: status, Err: err}
	}
	resp, err := r.send(ctx, r.client, http.MethodGet, svcCDX, reqURL, http.Header{"Accept": {"application/json"}})
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		drainAndClose(resp)
		return fail(resp.StatusCode, nil)
	}
	defer resp.Body.Close()

	dec := json.NewDecoder(newCapReader(resp.Body, maxListBody))
	tok, err := dec.Token()
	if err == io.EOF {
		return nil // an empty body: the Wayback CDX server's way of saying "no captures" at times
	}
	if err != nil {
		return fail(0, jsonProblem(err))
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fail(0, fmt.Errorf("expected a JSON array of rows, found %v", tok))
	}
	var (
		cols    cdxColumns
		haveHdr bool
		digests = make(map[string]int) // digest → status of its first non-revisit capture
	)
	for n := 1; dec.More(); n++ {
		var row []string
		if err := dec.Decode(&row); err != nil {
			return fail(0, fmt.Errorf("row %d: %w", n, jsonProblem(err)))
		}
		if len(row) == 0 {
			// An empty row comes before a resume key (showResumeKey);
			// the captures are over.
			return nil
		}
		if !haveHdr {
			haveHdr = true
			var ok bool
			if cols, ok = cdxHeader(row); !ok {
				return fail(0, fmt.Errorf("row 1 is not a header naming timestamp and original: %q", row))
			}
			continue
		}
		if len(row) != cols.n {
			return fail(0, fmt.Errorf("row %d has %d fields, the header %d", n, len(row), cols.n))
		}
		c, err := r.cdxCopy(row, cols, digests)
		if err != nil {
			return fail(0, fmt.Errorf("row %d: %w", n, err))
		}
		if !fn(c) {
			return nil
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail(0, fmt.Errorf("after the last row: %w", jsonProblem(err)))
	}
	return nil
}

func (r *Remote) cdxCopy(row []string, cols cdxColumns, digests map[string]int) (RemoteCopy, error) {
	stamp := row[cols.timestamp]
	t, err := parseWaybackTime(stamp)
	if err != nil {
		return RemoteCopy{}, err
	}
	original := row[cols.original]
	status := 0
	if cols.status >= 0 {
		status = parseCaptureStatus(row[cols.status])
	}
	if cols.digest >= 0 {
		d := row[cols.digest]
		revisit := (cols.status >= 0 && row[cols.status] == "-") || (cols.mimetype >= 0 && row[cols.mimetype] == "warc/revisit")
		if revisit {
			status = digests[d]
		} else if _, seen := digests[d]; !seen {
			digests[d] = status
		}
	}
	return RemoteCopy{
		URL:      r.replay + stamp + "/" + original,
		Original: original,
		Time:     t,
		Status:   status,
		Source:   "wayback",
	}, nil
}

// cdxWindow is how many rows one side of a precise choice reads. Rows of
// redirects and errors are filtered out by the server, so the window is
// spent on candidates.
const cdxWindow = 1000

// cdxNotError is a CDX filter that drops 3xx, 4xx and 5xx captures but
// keeps revisits ("-"), which may be copies of a 200.
const cdxNotError = "!statuscode:[3-5].."

// findWayback is the Wayback source of Find. The availability API answers
// with the capture closest to firstSeen on either side; when that is a 200
// at or before firstSeen it is already the closest one before (a later one
// would be closer), and with a zero firstSeen a 200 latest capture is the
// latest 200. Otherwise the CDX API makes the precise choice: the last 200
// up to firstSeen, else the first 200 after it.
func (r *Remote) findWayback(ctx context.Context, target string, firstSeen time.Time) ([]RemoteCopy, error) {
	var copies []RemoteCopy
	var errs []error
	c, ok, err := r.WaybackAvailable(ctx, target, firstSeen)
	switch {
	case err != nil:
		errs = append(errs, err)
	case ok && c.Status == http.StatusOK:
		copies = append(copies, c)
		if firstSeen.IsZero() || !c.Time.After(firstSeen) {
			return copies, nil
		}
	}

	// The last window up to firstSeen, then, if it has no 200, the first
	// window after it; without firstSeen, the last window of all.
	window := strconv.Itoa(cdxWindow)
	queries := []url.Values{{"limit": {"-" + window}}}
	if !firstSeen.IsZero() {
		stamp := waybackStamp(firstSeen)
		queries = []url.Values{{"to": {stamp}, "limit": {"-" + window}}, {"from": {stamp}, "limit": {window}}}
	}
	for _, q := range queries {
		q.Set("filter", cdxNotError)
		var best RemoteCopy
		found := false
		err := r.cdx(ctx, target, q, func(c RemoteCopy) bool {
			if c.Status == http.StatusOK && (!found || betterCopy(c, best, firstSeen)) {
				best, found = c, true
			}
			return true
		})
		if err != nil {
			return copies, errors.Join(append(errs, err)...)
		}
		if found {
			return append(copies, best), errors.Join(errs...)
		}
	}
	return copies, errors.Join(errs...)
}
