package crawler

import (
	"net/http"
	"time"

	"github.com/linkrot/linkrot/config"
)

// HTTPClient is a plain client through the same network rules as the
// checker (network.resolve, resolve_only, the private-address guard, extra
// CAs, no proxy), without its pacing or classification: for talking to
// public web archives, which are services, not links under check.
func HTTPClient(cc config.Crawler, nc config.Network, opts Options) (*http.Client, error) {
	rt, err := newRoundTripper(cc, nc, opts)
	if err != nil {
		return nil, err
	}
	return &http.Client{Transport: rt.base, Timeout: time.Duration(cc.Timeout)}, nil
}
