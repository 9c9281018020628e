package config

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"regexp/syntax"
	"strings"
)

// Excluder decides whether a URL is excluded by config. It is compiled once
// from Exclude so every package applies the same rules.
type Excluder struct {
	schemes  map[string]bool
	domains  []string
	ips      map[netip.Addr]bool
	patterns []*regexp.Regexp
}

// Compile checks the exclude lists and builds an Excluder. The rules:
//   - schemes: case-insensitive URL schemes, written with or without ":";
//   - hosts: a name excludes that host and all its subdomains
//     ("example.com" also excludes "www.example.com"); an IP address
//     excludes only itself; wildcards are not accepted, since subdomains
//     are already included;
//   - patterns: Go RE2 regular expressions, matched unanchored against the
//     whole URL (use ^ and $ to anchor), as lychee and grep do. Regexps
//     rather than globs because "*" in a glob cannot say whether it may
//     cross "/" or "?", and URLs are full of both.
func (e Exclude) Compile() (*Excluder, error) {
	var errs errList
	x := compileExclude(e, func(key, format string, args ...any) {
		errs.add(origins(nil).errorf(key, format, args...))
	})
	if err := errs.err(); err != nil {
		return nil, err
	}
	return x, nil
}

func compileExclude(e Exclude, fail func(key, format string, args ...any)) *Excluder {
	x := &Excluder{schemes: map[string]bool{}, ips: map[netip.Addr]bool{}}
	for i, s := range e.Schemes {
		key := fmt.Sprintf("exclude.schemes[%d]", i)
		sc := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(s), ":"))
		if !validScheme(sc) {
			fail(key, "%s: %s is not a URL scheme (e.g. mailto)", key, quote(s))
			continue
		}
		x.schemes[sc] = true
	}
	for i, h := range e.Hosts {
		key := fmt.Sprintf("exclude.hosts[%d]", i)
		h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
		if ip, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil {
			x.ips[ip.Unmap()] = true
			continue
		}
		if strings.HasPrefix(h, "*.") || strings.HasPrefix(h, ".") {
			fail(key, "%s: write %s without the wildcard: subdomains are always included", key, quote(strings.TrimLeft(h, "*.")))
			continue
		}
		if !validHost(h) {
			fail(key, "%s: %s is not a host name (e.g. example.com, no scheme, port or path)", key, quote(h))
			continue
		}
		x.domains = append(x.domains, h)
	}
	for i, p := range e.Patterns {
		key := fmt.Sprintf("exclude.patterns[%d]", i)
		re, err := regexp.Compile(p)
		if err != nil {
			why := err.Error()
			var se *syntax.Error
			if errors.As(err, &se) {
				why = string(se.Code) // the pattern itself is already quoted
			}
			fail(key, "%s: %s is not a valid regexp: %s", key, quote(p), why)
			continue
		}
		x.patterns = append(x.patterns, re)
	}
	return x
}

// Match reports whether u is excluded, and why ("scheme mailto",
// "host example.com", "pattern ^https://intra\.") for the link's record.
func (x *Excluder) Match(u *url.URL) (reason string, excluded bool) {
	if sc := strings.ToLower(u.Scheme); x.schemes[sc] {
		return "scheme " + sc, true
	}
	if h := strings.TrimSuffix(strings.ToLower(u.Hostname()), "."); h != "" {
		if ip, err := netip.ParseAddr(h); err == nil {
			if x.ips[ip.Unmap()] {
				return "host " + h, true
			}
		} else {
			for _, d := range x.domains {
				if h == d || strings.HasSuffix(h, "."+d) {
					return "host " + d, true
				}
			}
		}
	}
	s := u.String()
	for _, re := range x.patterns {
		if re.MatchString(s) {
			return "pattern " + re.String(), true
		}
	}
	return "", false
}

// validScheme follows RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z':
		case i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// validHost accepts DNS names, including internationalized ones written in
// Unicode; it rejects what shows a URL or host:port was pasted instead.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" {
			return false
		}
	}
	for _, r := range h {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`/\:@*?#[]%,;"'<>|`, r) {
			return false
		}
	}
	return true
}
