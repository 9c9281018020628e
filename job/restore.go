package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/pubarchive"
)

// Archiver opens the local archive, for restores; the caller closes it.
func (r *Runner) Archiver() (*archive.Archiver, error) {
	return archive.New(r.cfg.Archive, r.cfg.DataDir, r.cat, archive.Options{Now: r.now, Logger: r.log})
}

// RemoteCopy finds the best public copy of u: the one closest before at,
// or when at is zero before the link was first seen in a document (the
// page as it was cited). With dest set it downloads the copy there, within
// archive.max_size, and returns its content type.
func (r *Runner) RemoteCopy(ctx context.Context, u string, at time.Time, dest string) (c pubarchive.RemoteCopy, contentType string, err error) {
	remote, client, err := RemoteArchives(r.cfg, r.log)
	if err != nil {
		return c, "", err
	}
	if remote == nil {
		return c, "", errors.New("--remote: no public archive is enabled (archive.enabled, archive.external)")
	}
	if at.IsZero() {
		if l, err := r.cat.LinkByURL(ctx, u); err == nil {
			at = l.FirstSeen
		}
	}
	if c, err = remote.Find(ctx, u, at); err != nil {
		return c, "", fmt.Errorf("%s: %w", u, err)
	}
	if dest == "" {
		return c, "", nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL, nil)
	if err != nil {
		return c, "", err
	}
	req.Header.Set("User-Agent", r.cfg.Crawler.UserAgentString())
	resp, err := client.Do(req)
	if err != nil {
		return c, "", fmt.Errorf("downloading %s: %w", c.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return c, "", fmt.Errorf("downloading %s: status %d", c.URL, resp.StatusCode)
	}
	limit := int64(r.cfg.Archive.MaxSize)
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return c, "", fmt.Errorf("downloading %s: %w", c.URL, err)
	}
	if int64(len(body)) > limit {
		return c, "", fmt.Errorf("downloading %s: larger than archive.max_size (%s)", c.URL, r.cfg.Archive.MaxSize)
	}
	if err := os.WriteFile(dest, body, 0o644); err != nil {
		return c, "", err
	}
	return c, resp.Header.Get("Content-Type"), nil
}
