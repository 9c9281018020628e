package job

import (
	"strings"
	"testing"
)

func TestInterleaverSpreadsHostsWithinItsLimit(t *testing.T) {
	il := newInterleaver[string](4)
	var got []string
	for _, v := range []string{"a1", "a2", "a3", "b1", "b2", "c1", "a4"} {
		if out, ok := il.push(v[:1], v); ok {
			got = append(got, out)
		}
		if il.n > 4 {
			t.Fatalf("holds %d items, limit 4", il.n)
		}
	}
	for {
		out, ok := il.pop()
		if !ok {
			break
		}
		got = append(got, out)
	}
	if strings.Join(got, " ") != "a1 b1 c1 a2 b2 a3 a4" {
		t.Errorf("order %v", got)
	}
}
