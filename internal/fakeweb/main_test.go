package fakeweb

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestMain fails the run if any fakeweb goroutine (handler, accept loop,
// stream) outlives the tests: everything must stop itself on Close.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leak := leakedGoroutines(2 * time.Second); leak != "" {
			fmt.Fprintf(os.Stderr, "goroutines left running after the tests:\n%s\n", leak)
			code = 1
		}
	}
	os.Exit(code)
}

func leakedGoroutines(wait time.Duration) string {
	var leak string
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		leak = ""
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "internal/fakeweb.") && !strings.Contains(g, "internal/fakeweb.leakedGoroutines") &&
				!strings.Contains(g, "internal/fakeweb.TestMain") {
				leak += g + "\n\n"
			}
		}
		if leak == "" {
			return ""
		}
	}
	return leak
}
