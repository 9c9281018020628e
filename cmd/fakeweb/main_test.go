package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer lets the test read what run prints while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunServesDemoAndGeneratedSites(t *testing.T) {
	dir := t.TempDir()
	opts := options{
		hosts:      3,
		links:      5,
		demo:       true,
		urlsOut:    filepath.Join(dir, "urls.txt"),
		caOut:      filepath.Join(dir, "ca.pem"),
		resolveOut: filepath.Join(dir, "resolve.txt"),
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, opts, &out) }()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "ready"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never ready:\n%s", out.String())
		}
	}

	urls, _ := os.ReadFile(opts.urlsOut)
	if !strings.Contains(string(urls), "https://site00000.fakeweb.test/p/4\n") || !strings.Contains(string(urls), "http://ok.demo.test/") {
		t.Errorf("urls file:\n%s", urls)
	}
	caPEM, _ := os.ReadFile(opts.caOut)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("CA file does not parse")
	}
	resolve, _ := os.ReadFile(opts.resolveOut)
	table := map[string]string{}
	for _, line := range strings.Fields(string(resolve)) {
		from, to, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("resolve line %q", line)
		}
		table[from] = to
	}

	// A client using only the files reaches a site over HTTPS.
	var d net.Dialer
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			to, ok := table[addr]
			if !ok {
				return nil, &net.DNSError{Err: "no such host", Name: addr, IsNotFound: true}
			}
			return d.DialContext(ctx, network, to)
		},
		TLSClientConfig: &tls.Config{RootCAs: pool},
	}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get("https://ok.demo.test/article")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "A healthy article") {
		t.Errorf("%d %s", resp.StatusCode, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop")
	}
}

func TestResolveYAML(t *testing.T) {
	dir := t.TempDir()
	opts := options{links: 2, hosts: 1, caOut: filepath.Join(dir, "ca.pem"), resolveOut: filepath.Join(dir, "r.yaml")}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // write the files, then stop at once
	if err := run(ctx, opts, io.Discard); err != nil {
		t.Fatal(err)
	}
	y, _ := os.ReadFile(opts.resolveOut)
	for _, want := range []string{"network:\n  allow_private: true\n  ca_file: \"", "  resolve:\n    - \"site00000.fakeweb.test:443=127.0.0.1:"} {
		if !strings.Contains(string(y), want) {
			t.Errorf("YAML lacks %q:\n%s", want, y)
		}
	}
	if err := run(context.Background(), options{links: 0}, io.Discard); err == nil {
		t.Error("-links 0 accepted")
	}
}
