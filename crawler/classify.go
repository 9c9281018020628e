package crawler

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/linkrot/linkrot/internal/netguard"
)

// classifyError sorts a failed request into a Class. It is the only place
// that does, and it looks only at error types and values (errors.As and
// errors.Is), never at message text, which changes between Go versions.
// deadline is true when the attempt's own deadline passed: then whatever
// broke, it broke because time ran out.
//
// An error none of the cases explains is a protocol error: the network
// delivered (no DNS, connect, TLS, reset or timeout failure), so what
// failed is the exchange itself — net/http could not read the server's
// answer as HTTP. No error ends in ClassUnknown.
func classifyError(err error, deadline bool) Class {
	if err == nil {
		return ClassUnknown
	}
	var (
		guard *netguard.Error
		big   *errTooLarge
		redir *redirectError
		dns   *net.DNSError
		proto *protocolError
		addr  *net.AddrError
	)
	switch {
	case errors.As(err, &guard):
		return ClassPrivateAddress
	case errors.As(err, &proto), errors.As(err, &addr):
		// A bad address (an out-of-range port) is the link's own
		// breakage, not the network's.
		return ClassProtocolError
	case errors.As(err, &big):
		return ClassTooLarge
	case errors.As(err, &redir):
		return ClassTooManyRedirects
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return ClassDNSNXDomain
		}
		if deadline {
			return ClassTimeout
		}
		return ClassDNSError
	case deadline, errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return ClassTimeout
	case isTLSError(err):
		return ClassTLSError
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.ENETDOWN):
		// Our own side has no route out: the checker's outage, not the
		// link's.
		return ClassNetworkDown
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH):
		return ClassConnRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// A reset, or a connection closed before the response was
		// complete (an empty reply, a body cut short).
		return ClassConnReset
	}
	return ClassProtocolError
}

// protocolError is a response that could not be read as HTTP: a malformed
// or missing status line, an HTTP/0.9 answer (a body with no status line),
// garbage. The transport marks it from what the connection received: bytes
// came, and net/http refused them with an untyped error.
type protocolError struct{ err error }

func (e *protocolError) Error() string {
	return "the server's answer is not HTTP: " + e.err.Error()
}

func (e *protocolError) Unwrap() error { return e.err }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isTLSError(err error) bool {
	var (
		unknownCA  x509.UnknownAuthorityError
		hostname   x509.HostnameError
		invalid    x509.CertificateInvalidError
		roots      x509.SystemRootsError
		constraint x509.ConstraintViolationError
		verify     *tls.CertificateVerificationError
		record     tls.RecordHeaderError
		alert      tls.AlertError
		ech        *tls.ECHRejectionError
	)
	if errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &roots) || errors.As(err, &constraint) || errors.As(err, &verify) ||
		errors.As(err, &record) || errors.As(err, &alert) || errors.As(err, &ech) {
		return true
	}
	// crypto/tls reports alerts over TCP as a *net.OpError whose Op is
	// "remote error" (the peer's alert) or "local error" (ours), with an
	// unexported alert type inside: the Op field is the only handle.
	var op *net.OpError
	for e := err; errors.As(e, &op); e = op.Err {
		if op.Op == "remote error" || op.Op == "local error" {
			return true
		}
		if op.Err == nil {
			break
		}
	}
	return false
}

// methodIndependent: failures that a GET would only repeat, so a HEAD that
// ends this way needs no confirmation.
func methodIndependent(c Class) bool {
	switch c {
	case ClassDNSNXDomain, ClassConnRefused, ClassTLSError, ClassPrivateAddress, ClassNetworkDown:
		return true
	}
	return false
}

// retryable: failures that may pass on the next attempt.
func retryable(c Class) bool {
	switch c {
	case ClassTimeout, ClassConnReset, ClassDNSError:
		return true
	}
	return false
}

// blockedStatus: answers that mean "not for you" rather than "not here".
func blockedStatus(code int) bool {
	switch code {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusProxyAuthRequired,
		http.StatusTooManyRequests, 999:
		return true
	}
	return false
}

// challenge looks for a bot challenge (Cloudflare and similar) in a
// response: the marker it found, or "".
func challenge(status int, h http.Header, title string, body []byte) string {
	if v := h.Get("Cf-Mitigated"); strings.EqualFold(v, "challenge") {
		return "cf-mitigated: challenge"
	}
	t := strings.ToLower(strings.TrimSpace(title))
	switch {
	case t == "just a moment..." || t == "just a moment…":
		return "challenge page titled " + quoteShort(title)
	case strings.HasPrefix(t, "attention required!") && strings.Contains(t, "cloudflare"):
		return "challenge page titled " + quoteShort(title)
	case t == "ddos-guard" || t == "checking your browser…" || t == "checking your browser before accessing":
		return "challenge page titled " + quoteShort(title)
	}
	if status == http.StatusServiceUnavailable || status == http.StatusForbidden || status == http.StatusTooManyRequests {
		b := body
		if len(b) > 64<<10 {
			b = b[:64<<10]
		}
		for _, m := range challengeMarkers {
			if strings.Contains(string(b), m) {
				return "challenge marker " + quoteShort(m) + " in a " + http.StatusText(status) + " page"
			}
		}
	}
	return ""
}

// challengeMarkers are strings that bot-challenge pages carry in their
// HTML (scripts and element ids), not in visible text.
var challengeMarkers = []string{
	"challenge-platform", "_cf_chl_opt", "cf-chl-", "id=\"challenge-running\"",
	"id=\"challenge-form\"", "ddos-guard", "/_Incapsula_Resource", "px-captcha",
	"captcha-delivery.com",
}
