package sources

import "fmt"

// Spaces around the dots of a host ("www . cisco . com/c/en/…"): some
// writers space a host to keep it from being linked, and PDF text
// extraction spaces it by accident. The dots are joined only when the
// rebuilt host ends in a known TLD and is followed by a path, or was
// introduced by a scheme.

// spacedDot returns the length of " . " at s[i] (one or two blanks on
// each side of the dot, a label character after it), or 0.
func spacedDot(s string, i int) int {
	j := i
	for j < len(s) && j-i < 2 && s[j] == ' ' {
		j++
	}
	if j == i || j >= len(s) || s[j] != '.' {
		return 0
	}
	j++
	k := j
	for k < len(s) && k-j < 2 && s[k] == ' ' {
		k++
	}
	if k == j || k >= len(s) || !isAlnum(s[k]) {
		return 0
	}
	return k - i
}

// spacedHostEnd follows a chain of spaced dots from s[i], where a host
// label ended, and returns the host it rebuilds from host and where the
// chain's last label ends; ok is false when there is no chain.
func spacedHostEnd(s string, i int, host string) (string, int, bool) {
	rebuilt, end := host, i
	for links := 0; links < 8; links++ {
		n := spacedDot(s, end)
		if n == 0 {
			break
		}
		k := end + n
		for k < len(s) && (isAlnum(s[k]) || s[k] == '-') {
			k++
		}
		rebuilt += "." + s[end+n:k]
		end = k
	}
	return rebuilt, end, end > i
}

// joinSpacedHost joins a spaced host at s[stop] into the URL being built
// and returns where scanning goes on; ok is false when the spaces stay.
func (e *extractor) joinSpacedHost(stop int) (int, bool) {
	b := &e.b
	if !b.inHost() || b.hostEmpty() || b.sawPort {
		return 0, false
	}
	host := b.host()
	rebuilt, end, ok := spacedHostEnd(e.s, stop, host)
	if !ok || !hostComplete(rebuilt) || !(b.hasScheme || end < len(e.s) && e.s[end] == '/') {
		return 0, false
	}
	for pos := stop; pos < end; {
		n := spacedDot(e.s, pos)
		if n == 0 {
			break
		}
		b.add('.', pos+n)
		pos += n
		for pos < end && (isAlnum(e.s[pos]) || e.s[pos] == '-') {
			b.add(e.s[pos], pos+1)
			pos++
		}
	}
	e.decisions = append(e.decisions, decision{
		taken: true, spaced: true, score: 6, conf: confidenceOf(6),
		reasons: []string{fmt.Sprintf("spaces around the dots of host %q", rebuilt)},
	})
	return end, true
}
