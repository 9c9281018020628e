package fakeweb

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// TLSFault makes a host's certificate fail verification in a chosen way, so
// the crawler's tls_error class can be tested with a real handshake.
type TLSFault int

const (
	// TLSOK serves a valid certificate signed by the Web's CA.
	TLSOK TLSFault = iota
	// TLSExpired serves a certificate from the Web's CA that expired a day ago.
	TLSExpired
	// TLSUntrusted serves a certificate signed by a second CA that no client
	// is given, like a self-signed or private-CA site.
	TLSUntrusted
	// TLSWrongName serves a valid certificate for another name.
	TLSWrongName
)

// wrongName is the only name a TLSWrongName certificate is valid for.
const wrongName = "wrong-name.fakeweb.test"

// authority is a certificate authority that issues leaf certificates on
// demand. One leaf key is shared by every leaf: generating a key per host
// would only cost time, and nothing here depends on keys being distinct.
type authority struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	pem     []byte
	leafKey *ecdsa.PrivateKey

	mu    sync.Mutex
	cache map[leafKey]*tls.Certificate
}

type leafKey struct {
	name    string
	expired bool
}

func newAuthority(commonName string) (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("fakeweb: CA key: %w", err)
	}
	lk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("fakeweb: leaf key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"linkrot fakeweb"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("fakeweb: CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("fakeweb: CA certificate: %w", err)
	}
	return &authority{
		cert:    cert,
		key:     key,
		pem:     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		leafKey: lk,
		cache:   make(map[leafKey]*tls.Certificate),
	}, nil
}

// serial returns a random 127-bit serial number; unique serials keep
// clients that cache certificates by issuer and serial from mixing leaves up.
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		// crypto/rand does not fail on supported platforms.
		panic(err)
	}
	return n
}

// leaf returns a certificate for name (a DNS name or an IP literal), issued
// on first use and cached afterwards.
func (a *authority) leaf(name string, expired bool) (*tls.Certificate, error) {
	k := leafKey{name, expired}
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.cache[k]; ok {
		return c, nil
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if expired {
		tmpl.NotBefore = now.Add(-48 * time.Hour)
		tmpl.NotAfter = now.Add(-24 * time.Hour)
	}
	if ip := net.ParseIP(name); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{name}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &a.leafKey.PublicKey, a.key)
	if err != nil {
		return nil, fmt.Errorf("fakeweb: certificate for %s: %w", name, err)
	}
	parsed, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("fakeweb: certificate for %s: %w", name, err)
	}
	c := &tls.Certificate{
		Certificate: [][]byte{der, a.cert.Raw},
		PrivateKey:  a.leafKey,
		Leaf:        parsed,
	}
	a.cache[k] = c
	return c, nil
}

// getCertificate picks the leaf for the SNI name of a handshake. Clients
// that dial an IP literal send no SNI; they get a certificate for the
// listener's own address.
func (w *Web) getCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := canonicalHost(hello.ServerName)
	if name == "" {
		name = "127.0.0.1"
	}
	fault := TLSOK
	if s := w.lookup(name); s != nil {
		fault = s.tlsFault()
	}
	switch fault {
	case TLSExpired:
		return w.ca.leaf(name, true)
	case TLSUntrusted:
		other, err := w.otherCA()
		if err != nil {
			return nil, err
		}
		return other.leaf(name, false)
	case TLSWrongName:
		return w.ca.leaf(wrongName, false)
	}
	return w.ca.leaf(name, false)
}

// otherCA is created only when a test asks for an untrusted certificate.
func (w *Web) otherCA() (*authority, error) {
	w.otherOnce.Do(func() {
		w.other, w.otherErr = newAuthority("fakeweb untrusted CA")
	})
	return w.other, w.otherErr
}

// CACertPEM returns the PEM-encoded certificate of the CA that signs every
// certificate this Web serves (except TLSUntrusted ones).
func (w *Web) CACertPEM() []byte {
	return append([]byte(nil), w.ca.pem...)
}

// CertPool returns a pool holding only the Web's CA, for tls.Config.RootCAs.
func (w *Web) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(w.ca.cert)
	return p
}

// CAFile writes the CA certificate to dir/fakeweb-ca.pem and returns the
// path, for the crawler's network.ca_file setting.
func (w *Web) CAFile(dir string) (string, error) {
	p := filepath.Join(dir, "fakeweb-ca.pem")
	if err := os.WriteFile(p, w.ca.pem, 0o644); err != nil {
		return "", fmt.Errorf("fakeweb: write CA file: %w", err)
	}
	return p, nil
}

// canonicalHost turns a Host header, SNI name or dial address host into the
// key sites are registered under: lower case, no port, no trailing dot, no
// IPv6 brackets.
func canonicalHost(h string) string {
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	h = strings.TrimPrefix(strings.TrimSuffix(h, "]"), "[")
	return strings.TrimSuffix(strings.ToLower(h), ".")
}
