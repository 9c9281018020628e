package pubarchive

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Links are the entries of a Link header, in the order the server sent
// them.
type Links []LinkEntry

// Get returns the first entry having rel (see LinkEntry.Has).
func (l Links) Get(rel string) (LinkEntry, bool) {
	for _, e := range l {
		if e.Has(rel) {
			return e, true
		}
	}
	return LinkEntry{}, false
}

// All returns every entry having rel.
func (l Links) All(rel string) []LinkEntry {
	var out []LinkEntry
	for _, e := range l {
		if e.Has(rel) {
			out = append(out, e)
		}
	}
	return out
}

// mementoSource is RemoteCopy.Source for a TimeGate: "memento:" and its
// host (with the port, if any, so two local gates stay apart).
func mementoSource(timegate string) string {
	if u, err := url.Parse(timegate); err == nil && u.Host != "" {
		return "memento:" + u.Host
	}
	return "memento:" + timegate
}

// maxGateHops bounds the redirects followed before the TimeGate itself is
// reached (http→https, a moved endpoint).
const maxGateHops = 5

// TimeGate asks the Memento TimeGate timegate (a URL prefix: rawURL is
// appended to it) for the memento of rawURL closest to at, sending at as
// Accept-Datetime; a zero at asks for the latest. It returns the memento
// and the links of the answer (original, timegate, timemap, first/last
// memento…), with their URLs made absolute.
//
// Both patterns of RFC 7089 are understood. A redirect carrying
// "Vary: accept-datetime" (or Memento links) is the negotiated answer: its
// Location is the memento, which is not fetched. A redirect without them
// is the way to the TimeGate and is followed. A 200 with Memento-Datetime
// is the 200-style TimeGate: the response is the memento itself
// (Content-Location names it) and its status is known.
//
// The memento's time comes from the datetime of its entry in the links,
// else from a Wayback-style timestamp in its URL, else from the
// Memento-Datetime of a HEAD request to it. Status is 0 (unknown) unless a
// 200-style answer or that HEAD told it. A TimeGate that knows no memento
// (404) gives an error matching ErrNoRemoteCopy.
func (r *Remote) TimeGate(ctx context.Context, timegate, rawURL string, at time.Time) (RemoteCopy, Links, error) {
	target, err := archiveTarget(rawURL)
	if err != nil {
		return RemoteCopy{}, nil, err
	}
	reqURL := timegate + target
	header := http.Header{}
	if !at.IsZero() {
		header.Set("Accept-Datetime", at.UTC().Format(http.TimeFormat))
	}
	source := mementoSource(timegate)
	for hop := 0; ; hop++ {
		fail := func(status int, err error) (RemoteCopy, Links, error) {
			return RemoteCopy{}, nil, &RemoteError{Service: svcTimeGate, URL: reqURL, Status: status, Err: err}
		}
		resp, err := r.send(ctx, r.noFollow, http.MethodGet, svcTimeGate, reqURL, header)
		if err != nil {
			return RemoteCopy{}, nil, err
		}
		// The body is a short note or, from a 200-style TimeGate, the
		// memento itself; either way only the headers matter.
		drainAndClose(resp)
		base := resp.Request.URL
		links := r.headerLinks(resp, base, reqURL)
		original := target
		if e, ok := links.Get("original"); ok && e.URL != "" {
			original = e.URL
		}

		switch code := resp.StatusCode; {
		case code == http.StatusNotFound:
			return RemoteCopy{}, links, &RemoteError{Service: svcTimeGate, URL: reqURL, Status: code, Err: ErrNoRemoteCopy}

		case code >= 300 && code < 400:
			loc := resp.Header.Get("Location")
			if loc == "" {
				return fail(code, errors.New("redirect without Location"))
			}
			locURL, err := base.Parse(loc)
			if err != nil {
				return fail(code, fmt.Errorf("bad Location %q: %w", clipMsg(loc), err))
			}
			if !negotiated(resp, links) {
				if hop >= maxGateHops {
					return fail(code, fmt.Errorf("more than %d redirects before reaching the TimeGate", maxGateHops))
				}
				reqURL = locURL.String()
				continue
			}
			c := RemoteCopy{URL: locURL.String(), Original: original, Source: source}
			if err := r.mementoTime(ctx, &c, links); err != nil {
				return fail(code, err)
			}
			return c, links, nil

		case code == http.StatusOK:
			md := resp.Header.Get("Memento-Datetime")
			if md == "" {
				return fail(code, errors.New("answered 200 without Memento-Datetime: not a TimeGate"))
			}
			t, err := parseHTTPDate(md)
			if err != nil {
				return fail(code, fmt.Errorf("bad Memento-Datetime %q", clipMsg(md)))
			}
			mURL := base.String()
			if cl := resp.Header.Get("Content-Location"); cl != "" {
				if u, err := base.Parse(cl); err == nil {
					mURL = u.String()
				}
			}
			return RemoteCopy{URL: mURL, Original: original, Time: t, Status: code, Source: source}, links, nil

		default:
			return fail(code, nil)
		}
	}
}

// negotiated tells a TimeGate's answer from an ordinary redirect: RFC 7089
// requires Vary: accept-datetime on it, and some gates forget that but
// still send Memento links.
func negotiated(resp *http.Response, links Links) bool {
	for _, v := range resp.Header.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), "accept-datetime") {
				return true
			}
		}
	}
	_, ok := links.Get("original")
	return ok
}

// headerLinks parses the Link headers of resp and resolves their URLs
// against base. A malformed header is logged and the entries before the
// fault are kept: the Location alone still answers the question.
func (r *Remote) headerLinks(resp *http.Response, base *url.URL, reqURL string) Links {
	values := resp.Header.Values("Link")
	if len(values) == 0 {
		return nil
	}
	entries, err := ParseLinkFormat(strings.Join(values, ", "))
	if err != nil {
		r.log.Warn("malformed Link header", "service", svcTimeGate, "url", reqURL, "err", err)
	}
	for i := range entries {
		entries[i].URL = resolveRef(base, entries[i].URL)
	}
	return Links(entries)
}

// resolveRef makes ref absolute against base (RFC 8288 §3.2: relative
// targets are relative to the response's URL); it is kept as written when
// it does not parse.
func resolveRef(base *url.URL, ref string) string {
	if u, err := base.Parse(ref); err == nil {
		return u.String()
	}
	return ref
}

// mementoTime fills c.Time for a memento chosen by a redirect, and c.Status
// and c.URL when it had to ask the memento itself.
func (r *Remote) mementoTime(ctx context.Context, c *RemoteCopy, links Links) error {
	for _, e := range links {
		if e.URL == c.URL && e.Has("memento") && !e.Datetime.IsZero() {
			c.Time = e.Datetime
			return nil
		}
	}
	if t, ok := waybackTimeInURL(c.URL); ok {
		c.Time = t
		return nil
	}
	// RFC 7089 guarantees only that the memento itself carries
	// Memento-Datetime, so ask it; redirects are followed, as a browser
	// would, and the final URL is the memento.
	resp, err := r.send(ctx, r.client, http.MethodHead, svcMemento, c.URL, nil)
	if err != nil {
		return fmt.Errorf("cannot tell when %s was captured: %w", c.URL, err)
	}
	drainAndClose(resp)
	md := resp.Header.Get("Memento-Datetime")
	t, err := parseHTTPDate(md)
	if md == "" || err != nil {
		return fmt.Errorf("cannot tell when %s was captured: no datetime in the links or the URL, and Memento-Datetime %q", c.URL, clipMsg(md))
	}
	c.URL, c.Time, c.Status = resp.Request.URL.String(), t, resp.StatusCode
	return nil
}

// waybackTimeInURL finds a 14-digit timestamp path segment, optionally with
// a replay modifier ("20140126200804", "20140126200804id_"), as in Wayback
// and pywb memento URLs.
func waybackTimeInURL(raw string) (time.Time, bool) {
	u, err := url.Parse(raw)
	if err != nil {
		return time.Time{}, false
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if len(seg) < 14 || strings.TrimLeft(seg[:14], "0123456789") != "" {
			continue
		}
		if strings.Trim(seg[14:], "abcdefghijklmnopqrstuvwxyz_") != "" {
			continue
		}
		if t, err := parseWaybackTime(seg[:14]); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// TimeMap reads the Memento TimeMap at timemapURL (application/link-format)
// and calls fn for each entry, mementos and the rest (original, timegate,
// self…), until fn returns false. Entries are parsed as they arrive and
// their URLs made absolute; at most 5 MiB is read. A TimeMap that does not
// exist (404) gives an error matching ErrNoRemoteCopy.
func (r *Remote) TimeMap(ctx context.Context, timemapURL string, fn func(LinkEntry) bool) error {
	fail := func(status int, err error) error {
		return &RemoteError{Service: svcTimeMap, URL: timemapURL, Status: status, Err: err}
	}
	resp, err := r.send(ctx, r.client, http.MethodGet, svcTimeMap, timemapURL,
		http.Header{"Accept": {"application/link-format"}})
	if err != nil {
		return err
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		drainAndClose(resp)
		return fail(resp.StatusCode, ErrNoRemoteCopy)
	default:
		drainAndClose(resp)
		return fail(resp.StatusCode, nil)
	}
	defer resp.Body.Close()
	// Servers label TimeMaps application/link-format or text/plain; an HTML
	// page is an error page or a login wall, and would only give a
	// confusing parse error.
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/html" {
		return fail(resp.StatusCode, errors.New("answered text/html, not a link-format TimeMap"))
	}
	base := resp.Request.URL
	err = parseLinks(newCapReader(resp.Body, maxListBody), func(e LinkEntry) bool {
		e.URL = resolveRef(base, e.URL)
		return fn(e)
	})
	if err != nil {
		return fail(0, err)
	}
	return nil
}

// findMemento is one TimeGate's part of Find. The TimeGate's answer and
// the mementos in its links are candidates. They settle the choice when
// the answer is usable and at or before firstSeen (the gate picks the
// closest, so no memento lies between) or firstSeen is zero (the gate
// answered with the latest), when a "prev memento" is at or before
// firstSeen (the one just before the answer), or when the first memento is
// after firstSeen (there is none before). Otherwise the TimeMap is read
// for the best memento.
func (r *Remote) findMemento(ctx context.Context, timegate, target string, firstSeen time.Time) ([]RemoteCopy, error) {
	c, links, err := r.TimeGate(ctx, timegate, target, firstSeen)
	if err != nil {
		return nil, err
	}
	copies := []RemoteCopy{c}
	for _, e := range links {
		// The answer's own entry would turn a status learnt from the
		// memento back into "unknown".
		if e.Has("memento") && !e.Datetime.IsZero() && e.URL != c.URL {
			copies = append(copies, RemoteCopy{URL: e.URL, Original: c.Original, Time: e.Datetime, Source: c.Source})
		}
	}
	if usable(c) && (firstSeen.IsZero() || !c.Time.After(firstSeen)) {
		return copies, nil
	}
	for _, e := range links.All("memento") {
		if e.Datetime.IsZero() || firstSeen.IsZero() {
			continue
		}
		if e.Has("prev") && !e.Datetime.After(firstSeen) {
			return copies, nil
		}
		if e.Has("first") && e.Datetime.After(firstSeen) {
			return copies, nil
		}
	}
	tm, ok := links.Get("timemap")
	if !ok || tm.URL == "" {
		return copies, nil
	}
	var best RemoteCopy
	found := false
	err = r.TimeMap(ctx, tm.URL, func(e LinkEntry) bool {
		if !e.Has("memento") || e.Datetime.IsZero() || e.URL == c.URL {
			return true
		}
		m := RemoteCopy{URL: e.URL, Original: c.Original, Time: e.Datetime, Source: c.Source}
		if !found || betterCopy(m, best, firstSeen) {
			best, found = m, true
		}
		return true
	})
	if found {
		copies = append(copies, best)
	}
	return copies, err
}
