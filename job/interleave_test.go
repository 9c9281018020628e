package job

import (
	"strings"
	"testing"
)

func drain(il *interleaver[string], got []string) []string {
	for {
		out, ok := il.pop()
		if !ok {
			return got
		}
		got = append(got, out)
	}
}

func TestInterleaverSpreadsHostsWithinItsLimit(t *testing.T) {
	il := newInterleaver[string](4, 8)
	var got []string
	for _, v := range []string{"a1", "a2", "a3", "b1", "b2", "c1", "a4"} {
		if out, ok := il.push(v[:1], v); ok {
			got = append(got, out)
		}
		if il.n > 4 {
			t.Fatalf("holds %d items, limit 4", il.n)
		}
	}
	got = drain(il, got)
	if strings.Join(got, " ") != "a1 b1 c1 a2 b2 a3 a4" {
		t.Errorf("order %v", got)
	}
}

func TestInterleaverRotatesOnlyActiveHosts(t *testing.T) {
	il := newInterleaver[string](100, 2)
	for _, v := range []string{"a1", "a2", "b1", "b2", "c1", "c2", "d1"} {
		if _, ok := il.push(v[:1], v); ok {
			t.Fatal("nothing should be emitted under the limit")
		}
	}
	got := drain(il, nil)
	// a and b take turns; c takes a's place when a is done, then d b's.
	if strings.Join(got, " ") != "a1 b1 a2 b2 c1 d1 c2" {
		t.Errorf("order %v", got)
	}
}
