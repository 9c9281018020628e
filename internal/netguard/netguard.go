// Package netguard is the dialer every outgoing link check goes through. It
// applies network.resolve overrides, resolves names, and refuses addresses
// inside private networks unless network.allow_private is set.
//
// The check happens at dial time, after DNS, on the address actually
// connected to: a public-looking name that resolves to 10.0.0.1 (DNS
// rebinding, or a document pointing the crawler at an intranet) is refused
// just like the literal address would be. Links come from documents anyone
// may have written, so the crawler must not become a way to probe the
// network it runs in.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/linkrot/linkrot/config"
)

// Error is returned (wrapped in a *net.OpError) when a connection is
// refused because of where it would go. errors.As finds it.
type Error struct {
	Host string     // the name that was asked for
	Addr netip.Addr // the address it resolved to
	Why  string     // "loopback", "private", "link-local", …
}

func (e *Error) Error() string {
	if e.Host != "" && e.Host != e.Addr.String() {
		return fmt.Sprintf("refusing to connect to %s (%s address) for %s; set network.allow_private to allow it", e.Addr, e.Why, e.Host)
	}
	return fmt.Sprintf("refusing to connect to %s (%s address); set network.allow_private to allow it", e.Addr, e.Why)
}

// Resolver looks names up; *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// DialFunc has the signature of net.Dialer.DialContext.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Config is how a Dialer reaches hosts.
type Config struct {
	AllowPrivate bool
	Resolves     []config.Resolve // host:port overrides, like curl --resolve
	// Resolver looks names up; nil means net.DefaultResolver, unless Dial
	// is set (see Dial).
	Resolver Resolver
	// Dial, when set, makes the final connection instead of a net.Dialer:
	// a test hook such as a simulated internet's dialer. It sits under the
	// resolve overrides and the guard: it receives an "ip:port" whenever
	// an override or a resolver produced one. With Dial set and Resolver
	// nil, names without an override are passed to Dial unresolved (the
	// hook resolves them itself) and the guard checks the address the
	// connection ended up at, before any byte is sent.
	Dial DialFunc
	// ResolveOnly makes a name without an override fail as not found
	// instead of being looked up: a run against a simulated internet must
	// not ask real DNS about the first name it does not know.
	ResolveOnly bool
}

// Dialer dials through the guard. The zero value is not usable; use New.
type Dialer struct {
	allowPrivate bool
	static       map[hostPort]config.Resolve
	resolver     Resolver
	hook         DialFunc
	base         *net.Dialer
	resolveOnly  bool
}

type hostPort struct {
	host string
	port uint16
}

// New returns a Dialer for cfg.
func New(cfg Config) *Dialer {
	d := &Dialer{
		allowPrivate: cfg.AllowPrivate,
		static:       make(map[hostPort]config.Resolve, len(cfg.Resolves)),
		resolver:     cfg.Resolver,
		hook:         cfg.Dial,
		resolveOnly:  cfg.ResolveOnly,
		base:         &net.Dialer{KeepAlive: 30 * time.Second},
	}
	for _, r := range cfg.Resolves {
		k := hostPort{r.Host, r.Port}
		if _, dup := d.static[k]; !dup { // first entry wins, as with curl
			d.static[k] = r
		}
	}
	if !cfg.AllowPrivate {
		// Checked again by the kernel-facing dialer itself: whatever path
		// produced the address, the connect call sees the final one.
		d.base.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return err
			}
			if why, bad := Forbidden(ap.Addr()); bad {
				return &Error{Addr: ap.Addr().Unmap(), Why: why}
			}
			return nil
		}
	}
	if d.resolver == nil && d.hook == nil {
		d.resolver = net.DefaultResolver
	}
	return d
}

// DialContext connects to addr ("host:port"). Its signature matches
// http.Transport.DialContext.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	opErr := func(err error) error { return &net.OpError{Op: "dial", Net: network, Err: err} }
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, opErr(err)
	}
	port64, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, opErr(fmt.Errorf("bad port %q", portStr))
	}
	port := uint16(port64)
	name := strings.TrimSuffix(strings.ToLower(host), ".")

	var targets []netip.AddrPort
	switch r, ok := d.override(name, port); {
	case ok:
		tp := port
		if r.TargetPort != 0 {
			tp = r.TargetPort
		}
		targets = []netip.AddrPort{netip.AddrPortFrom(r.Addr, tp)}
	default:
		if ip, err := netip.ParseAddr(name); err == nil {
			targets = []netip.AddrPort{netip.AddrPortFrom(ip, port)}
			break
		}
		if d.resolveOnly {
			return nil, opErr(&net.DNSError{Err: "no such host (not in network.resolve, and network.resolve_only is set)", Name: name, IsNotFound: true})
		}
		if d.resolver == nil {
			// The hook resolves the name; check where it connected.
			c, err := d.hook(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			if err := d.checkConn(name, c); err != nil {
				c.Close()
				return nil, opErr(err)
			}
			return c, nil
		}
		ips, err := d.resolver.LookupNetIP(ctx, lookupNetwork(network), name)
		if err != nil {
			return nil, opErr(err)
		}
		if len(ips) == 0 {
			return nil, opErr(&net.DNSError{Err: "no such host", Name: name, IsNotFound: true})
		}
		for _, ip := range ips {
			targets = append(targets, netip.AddrPortFrom(ip, port))
		}
	}

	var lastErr error
	allowed := targets[:0:0]
	for _, t := range targets {
		if why, bad := Forbidden(t.Addr()); bad && !d.allowPrivate {
			lastErr = &Error{Host: name, Addr: t.Addr().Unmap(), Why: why}
			continue
		}
		allowed = append(allowed, t)
	}
	if len(allowed) == 0 {
		return nil, opErr(lastErr)
	}
	for _, t := range allowed {
		c, err := d.dialOne(ctx, network, name, t)
		if err == nil {
			return c, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

// override finds the network.resolve entry for host:port. An exact entry
// may name an IP literal (a simulated site registered under one); "*"
// stands for names only, since a literal needs no resolving.
func (d *Dialer) override(host string, port uint16) (config.Resolve, bool) {
	if r, ok := d.static[hostPort{host, port}]; ok {
		return r, true
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return config.Resolve{}, false
	}
	r, ok := d.static[hostPort{"*", port}]
	return r, ok
}

func (d *Dialer) dialOne(ctx context.Context, network, name string, t netip.AddrPort) (net.Conn, error) {
	t = netip.AddrPortFrom(t.Addr().Unmap(), t.Port())
	if d.hook == nil {
		c, err := d.base.DialContext(ctx, network, t.String())
		if err != nil {
			var ge *Error
			if errors.As(err, &ge) {
				ge.Host = name
			}
		}
		return c, err
	}
	c, err := d.hook(ctx, network, t.String())
	if err != nil {
		return nil, err
	}
	if err := d.checkConn(name, c); err != nil {
		c.Close()
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	return c, nil
}

// checkConn applies the guard to a connection a hook made.
func (d *Dialer) checkConn(name string, c net.Conn) error {
	if d.allowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		return fmt.Errorf("netguard: cannot tell where %s connected (%s): %w", name, c.RemoteAddr(), err)
	}
	if why, bad := Forbidden(ap.Addr()); bad {
		return &Error{Host: name, Addr: ap.Addr().Unmap(), Why: why}
	}
	return nil
}

func lookupNetwork(network string) string {
	switch network {
	case "tcp4", "udp4":
		return "ip4"
	case "tcp6", "udp6":
		return "ip6"
	}
	return "ip"
}

// Ranges that are not on the public internet besides those netip knows
// (IsPrivate, IsLoopback, …).
var (
	sharedPrefix = netip.MustParsePrefix("100.64.0.0/10") // carrier-grade NAT
	reserved     = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
		netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
		netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
		netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
		netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
		netip.MustParsePrefix("100::/64"),        // discard-only
		netip.MustParsePrefix("2001:db8::/32"),   // documentation
		netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
		netip.MustParsePrefix("::ffff:0:0:0/96"), // IPv4-translated (SIIT)
	}
	nat64   = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4  = netip.MustParsePrefix("2002::/16")
	teredo  = netip.MustParsePrefix("2001::/32")
	v4Embed = []netip.Prefix{nat64, sixTo4}
)

// Forbidden reports whether a is an address the crawler must not connect
// to without network.allow_private, and what kind it is. IPv6 forms that
// embed an IPv4 address (mapped, NAT64, 6to4) are judged by that address.
func Forbidden(a netip.Addr) (why string, forbidden bool) {
	a = a.Unmap()
	if a.Is6() {
		for _, p := range v4Embed {
			if p.Contains(a) {
				b := a.As16()
				var v4 [4]byte
				if p == sixTo4 {
					copy(v4[:], b[2:6])
				} else {
					copy(v4[:], b[12:16])
				}
				if why, bad := Forbidden(netip.AddrFrom4(v4)); bad {
					return why + " (embedded in " + a.String() + ")", true
				}
			}
		}
		if teredo.Contains(a) {
			return "reserved", true // tunnels to arbitrary IPv4 hosts
		}
	}
	switch {
	case !a.IsValid():
		return "invalid", true
	case a.IsUnspecified():
		return "unspecified", true
	case a.IsLoopback():
		return "loopback", true
	case a.IsPrivate():
		return "private", true
	case a.IsLinkLocalUnicast():
		return "link-local", true
	case a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast(), a.IsMulticast():
		return "multicast", true
	case sharedPrefix.Contains(a):
		return "shared (carrier-grade NAT)", true
	}
	for _, p := range reserved {
		if p.Contains(a) {
			return "reserved", true
		}
	}
	return "", false
}
