package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/linkrot/linkrot/config"
)

func TestForbidden(t *testing.T) {
	bad := map[string]string{
		"127.0.0.1": "loopback", "127.1.2.3": "loopback", "::1": "loopback",
		"10.1.2.3": "private", "172.16.0.1": "private", "192.168.0.1": "private", "fd00::1": "private",
		"169.254.169.254": "link-local", "fe80::1": "link-local",
		"224.0.0.1": "multicast", "ff02::1": "multicast",
		"0.0.0.0": "unspecified", "::": "unspecified",
		"100.64.0.1": "shared (carrier-grade NAT)", "0.1.2.3": "reserved", "255.255.255.255": "reserved",
		"198.18.0.1": "reserved", "::ffff:10.0.0.1": "private", "64:ff9b::a00:1": "private (embedded in 64:ff9b::a00:1)",
		"2002:a00:1::": "private (embedded in 2002:a00:1::)",
	}
	for s, want := range bad {
		why, forbidden := Forbidden(netip.MustParseAddr(s))
		if !forbidden || why != want {
			t.Errorf("Forbidden(%s) = %q, %v; want %q, true", s, why, forbidden, want)
		}
	}
	for _, s := range []string{"93.184.216.34", "1.1.1.1", "2606:4700::1111", "64:ff9b::5db8:d822", "172.32.0.1", "100.128.0.1"} {
		if why, forbidden := Forbidden(netip.MustParseAddr(s)); forbidden {
			t.Errorf("Forbidden(%s) = %q", s, why)
		}
	}
}

type fixed map[string][]netip.Addr

func (f fixed) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// recorder is a Dial hook that records where it was asked to connect and
// never connects.
type recorder struct{ addrs []string }

var errRecorded = errors.New("recorded, not dialed")

func (r *recorder) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	r.addrs = append(r.addrs, addr)
	return nil, errRecorded
}

func TestDialer(t *testing.T) {
	rec := &recorder{}
	res, err := config.ParseResolve("pinned.example:443=192.0.2.10:8443")
	if err != nil {
		t.Fatal(err)
	}
	wild, _ := config.ParseResolve("*:80:192.0.2.20")
	inside, _ := config.ParseResolve("inside.example:80:10.0.0.5")
	d := New(Config{
		Resolves: []config.Resolve{res, wild, inside},
		Resolver: fixed{
			"public.example":   {netip.MustParseAddr("192.0.2.1")},
			"rebind.example":   {netip.MustParseAddr("10.9.8.7")},
			"mixed.example":    {netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("192.0.2.2")},
			"pinned.example":   {netip.MustParseAddr("192.0.2.99")},
			"unused.example":   {netip.MustParseAddr("192.0.2.98")},
			"wildcard.example": {netip.MustParseAddr("192.0.2.97")},
		},
		Dial: rec.dial,
	})
	ctx := context.Background()
	var ge *Error
	var dns *net.DNSError
	for _, tc := range []struct {
		addr   string
		dialed string // "" when nothing may be dialed
		guard  bool
		nx     bool
	}{
		{"public.example:443", "192.0.2.1:443", false, false},
		{"pinned.example:443", "192.0.2.10:8443", false, false},
		{"pinned.example:80", "192.0.2.20:80", false, false}, // the * entry
		{"wildcard.example:80", "192.0.2.20:80", false, false},
		{"rebind.example:443", "", true, false},
		{"inside.example:80", "", true, false},
		{"mixed.example:443", "192.0.2.2:443", false, false},
		{"10.0.0.1:80", "", true, false},
		{"[::1]:80", "", true, false},
		{"missing.example:443", "", false, true},
	} {
		rec.addrs = nil
		_, err := d.DialContext(ctx, "tcp", tc.addr)
		switch {
		case tc.dialed != "":
			if len(rec.addrs) != 1 || rec.addrs[0] != tc.dialed || !errors.Is(err, errRecorded) {
				t.Errorf("%s: dialed %v (%v), want %s", tc.addr, rec.addrs, err, tc.dialed)
			}
		case tc.guard:
			if len(rec.addrs) != 0 || !errors.As(err, &ge) {
				t.Errorf("%s: dialed %v, err %v; want refused by the guard", tc.addr, rec.addrs, err)
			}
		case tc.nx:
			if len(rec.addrs) != 0 || !errors.As(err, &dns) || !dns.IsNotFound {
				t.Errorf("%s: dialed %v, err %v; want NXDOMAIN", tc.addr, rec.addrs, err)
			}
		}
	}

	// allow_private lets the same addresses through.
	open := New(Config{AllowPrivate: true, Resolver: fixed{"rebind.example": {netip.MustParseAddr("10.9.8.7")}}, Dial: rec.dial})
	rec.addrs = nil
	if _, err := open.DialContext(ctx, "tcp", "rebind.example:443"); !errors.Is(err, errRecorded) || len(rec.addrs) != 1 {
		t.Errorf("allow_private: %v, dialed %v", err, rec.addrs)
	}
}

// TestControlRefusesBeforeConnect: without a hook the kernel-facing dialer
// refuses in its Control function, before any packet is sent.
func TestControlRefusesBeforeConnect(t *testing.T) {
	d := New(Config{Resolver: fixed{}})
	_, err := d.base.DialContext(context.Background(), "tcp", "127.0.0.1:9")
	var ge *Error
	if !errors.As(err, &ge) || ge.Why != "loopback" {
		t.Errorf("err %v, want the guard's", err)
	}
}

func TestResolveOnlyNeverAsksDNS(t *testing.T) {
	asked := false
	d := New(Config{
		AllowPrivate: true, ResolveOnly: true,
		Resolver: resolverFunc(func(ctx context.Context, network, host string) ([]netip.Addr, error) {
			asked = true
			return nil, errors.New("must not be called")
		}),
	})
	_, err := d.DialContext(context.Background(), "tcp", "unlisted.example.com:443")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Fatalf("err = %v, want a not-found DNS error", err)
	}
	if asked {
		t.Fatal("the resolver was asked about a name missing from network.resolve")
	}
}

type resolverFunc func(ctx context.Context, network, host string) ([]netip.Addr, error)

func (f resolverFunc) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return f(ctx, network, host)
}
