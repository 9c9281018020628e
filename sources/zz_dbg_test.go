package sources

import (
	"encoding/json"
	"os"
	"testing"
)

func TestDbg(t *testing.T) {
	text := os.Getenv("DBG_TEXT")
	occs := ExtractText(text, Evidence{Title: os.Getenv("DBG_TITLE"), Date: os.Getenv("DBG_DATE")})
	b, _ := json.MarshalIndent(occs, "", "  ")
	t.Log(string(b))
}
