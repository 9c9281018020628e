package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"maps"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// writeConfig writes a config.yaml into a new temp dir and returns its path.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// envMap is a fake environment: getenv plus the list of names, so tests do
// not depend on the real environment.
type envMap map[string]string

func (e envMap) get(k string) string { return e[k] }

func (e envMap) names() []string { return slices.Sorted(maps.Keys(e)) }

// loadYAML loads content as a config file with a fake environment.
func loadYAML(t *testing.T, content string, env envMap) (*Config, error) {
	t.Helper()
	return load(writeConfig(t, content), env.get, env.names())
}

func mustLoadYAML(t *testing.T, content string, env envMap) *Config {
	t.Helper()
	c, err := loadYAML(t, content, env)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return c
}

// resolvedDefault is Default() as Load resolves it for a file in dir.
func resolvedDefault(t *testing.T, dir string) *Config {
	t.Helper()
	c := Default()
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	resolvePaths(c, dir, cwd, nil, home)
	return c
}

// writeCA writes a self-signed CA certificate as PEM and returns its path.
func writeCA(t *testing.T, dir string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "linkrot test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
