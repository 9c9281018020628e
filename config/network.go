package config

import (
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
)

// Resolve is one network.resolve entry: connections to Host:Port go to Addr
// whatever DNS says, like curl --resolve. Host "*" matches every host.
// TargetPort, when set, also changes the port (curl --connect-to): a test
// server on a random port can stand in for example.com:443.
type Resolve struct {
	Host       string // lower case
	Port       uint16
	Addr       netip.Addr
	TargetPort uint16 // 0: connect to Port
}

// ParseResolve parses "host:port:address", "host:port:address:port" or
// "host:port=address:port" (the form internal/fakeweb and cmd/fakeweb
// write); an IPv6 address may be written in brackets
// ("example.com:443:[::1]") and must be when a target port follows
// ("example.com:443=[::1]:8443").
func ParseResolve(s string) (Resolve, error) {
	bad := func(why string) (Resolve, error) {
		return Resolve{}, fmt.Errorf("%s is not host:port:address (%s), e.g. example.com:443:127.0.0.1 or example.com:443=127.0.0.1:8443", quote(s), why)
	}
	host, rest, ok := strings.Cut(s, ":")
	if !ok {
		return bad("no port")
	}
	port, addr, ok := strings.Cut(rest, ":")
	if eq := strings.IndexByte(rest, '='); eq >= 0 && (!ok || eq < len(port)) {
		port, addr, ok = rest[:eq], rest[eq+1:], true
	}
	if !ok {
		return bad("no address")
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host != "*" && !validHost(host) {
		return bad("bad host")
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || p == 0 {
		return bad("port must be 1-65535")
	}
	r := Resolve{Host: host, Port: uint16(p)}
	if ap, err := netip.ParseAddrPort(addr); err == nil && (strings.HasPrefix(addr, "[") || ap.Addr().Is4()) {
		// "1.2.3.4:80" or "[::1]:80"; an unbracketed "::1" stays an address.
		if ap.Port() == 0 {
			return bad("target port must be 1-65535")
		}
		r.Addr, r.TargetPort = ap.Addr(), ap.Port()
		return r, nil
	}
	if strings.HasPrefix(addr, "[") && strings.HasSuffix(addr, "]") {
		addr = addr[1 : len(addr)-1]
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return bad("address must be an IP address")
	}
	r.Addr = a
	return r, nil
}

// Resolves parses network.resolve; Load has already validated it.
func (n Network) Resolves() ([]Resolve, error) {
	out := make([]Resolve, 0, len(n.Resolve))
	for i, s := range n.Resolve {
		r, err := ParseResolve(s)
		if err != nil {
			return nil, fmt.Errorf("network.resolve[%d]: %w", i, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// SlogLevel is log.level as a slog.Level (info when the level is unknown,
// which Load does not allow).
func (l Log) SlogLevel() slog.Level {
	switch l.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
