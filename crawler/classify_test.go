package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/linkrot/linkrot/internal/netguard"
)

// TestClassifyError: errors as net/http and the dialer wrap them; the
// class comes from types and values, whatever the text says.
func TestClassifyError(t *testing.T) {
	wrap := func(err error) error {
		return &url.Error{Op: "Get", URL: "http://x.example/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: err}}
	}
	sys := func(call string, errno syscall.Errno) error { return wrap(os.NewSyscallError(call, errno)) }
	cases := []struct {
		err      error
		deadline bool
		want     Class
	}{
		{wrap(&net.DNSError{Err: "no such host", Name: "x.example", IsNotFound: true}), false, ClassDNSNXDomain},
		{wrap(&net.DNSError{Err: "server misbehaving", Name: "x.example", IsTemporary: true}), false, ClassDNSError},
		{wrap(&net.DNSError{Err: "i/o timeout", Name: "x.example", IsTimeout: true}), true, ClassTimeout},
		{sys("connect", syscall.ECONNREFUSED), false, ClassConnRefused},
		{sys("connect", syscall.EHOSTUNREACH), false, ClassConnRefused},
		{sys("connect", syscall.ENETUNREACH), false, ClassNetworkDown},
		{sys("read", syscall.ECONNRESET), false, ClassConnReset},
		{sys("write", syscall.EPIPE), false, ClassConnReset},
		{&url.Error{Op: "Get", URL: "u", Err: io.EOF}, false, ClassConnReset},
		{fmt.Errorf("reading body: %w", io.ErrUnexpectedEOF), false, ClassConnReset},
		{&url.Error{Op: "Get", URL: "u", Err: context.DeadlineExceeded}, false, ClassTimeout},
		{errors.New("anything at all"), true, ClassTimeout},
		{wrap(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), false, ClassTLSError},
		{wrap(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"}), false, ClassTLSError},
		{wrap(x509.CertificateInvalidError{Reason: x509.Expired}), false, ClassTLSError},
		{wrap(tls.RecordHeaderError{Msg: "not TLS"}), false, ClassTLSError},
		{&url.Error{Op: "Get", URL: "u", Err: &net.OpError{Op: "remote error", Err: errors.New("tls: handshake failure")}}, false, ClassTLSError},
		{wrap(&netguard.Error{Host: "x", Addr: netip.MustParseAddr("10.0.0.1"), Why: "private"}), false, ClassPrivateAddress},
		{&url.Error{Op: "Get", URL: "u", Err: &errTooLarge{What: "body", Limit: 1}}, false, ClassTooLarge},
		{&url.Error{Op: "Get", URL: "u", Err: &redirectError{Limit: 10, Hops: 11}}, false, ClassTooManyRedirects},
		// Text that looks like something else does not fool it.
		// Nothing ends unknown: what no case explains is a protocol error.
		{errors.New("connection refused: no such host (timeout)"), false, ClassProtocolError},
		{wrap(&protocolError{err: errors.New("malformed HTTP response")}), false, ClassProtocolError},
		{wrap(&net.OpError{Op: "dial", Err: &net.AddrError{Err: "invalid port", Addr: "127.0.0.1:99999"}}), false, ClassProtocolError},
	}
	for i, c := range cases {
		if got := classifyError(c.err, c.deadline); got != c.want {
			t.Errorf("%d: classifyError(%v, %v) = %s, want %s", i, c.err, c.deadline, got, c.want)
		}
	}
}

func TestChallenge(t *testing.T) {
	h := func(kv ...string) map[string][]string {
		m := map[string][]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = []string{kv[i+1]}
		}
		return m
	}
	if challenge(403, h("Cf-Mitigated", "challenge"), "", nil) == "" {
		t.Error("cf-mitigated header not seen")
	}
	if challenge(200, h(), "Just a moment...", nil) == "" {
		t.Error("challenge title not seen")
	}
	if challenge(503, h(), "Service", []byte(`<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1"></script>`)) == "" {
		t.Error("503 challenge marker not seen")
	}
	if challenge(503, h(), "Down for maintenance", []byte("<p>Back soon.</p>")) != "" {
		t.Error("plain 503 taken for a challenge")
	}
	if challenge(200, h(), "Article", []byte(`challenge-platform`)) != "" {
		t.Error("markers in a 200 page taken for a challenge")
	}
}
