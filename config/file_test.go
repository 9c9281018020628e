package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// rootConfig is the documented default config at the repository root.
const rootConfig = "../config.yaml"

func TestDefaultIsValid(t *testing.T) {
	c := resolvedDefault(t, t.TempDir())
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	// Unresolved defaults are valid too: callers may use Default() as is.
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestRootConfigMatchesDefault keeps config.yaml and Default() from
// drifting apart.
func TestRootConfigMatchesDefault(t *testing.T) {
	c, err := Load(rootConfig, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	want := resolvedDefault(t, dir)
	if !reflect.DeepEqual(c, want) {
		for _, k := range leaves {
			got, w := reflect.ValueOf(c).Elem().FieldByIndex(k.index), reflect.ValueOf(want).Elem().FieldByIndex(k.index)
			if !reflect.DeepEqual(got.Interface(), w.Interface()) {
				t.Errorf("%s: config.yaml has %#v, Default() has %#v", k.key, got.Interface(), w.Interface())
			}
		}
	}
}

// TestRootConfigHasEveryKey makes sure every key is written out in
// config.yaml with its environment variable in a comment.
func TestRootConfigHasEveryKey(t *testing.T) {
	data, err := os.ReadFile(rootConfig)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := prefix + n.Content[i].Value
			present[key] = true
			walk(n.Content[i+1], key+".")
		}
	}
	walk(doc.Content[0], "")
	for _, k := range Keys() {
		if !present[k] {
			t.Errorf("config.yaml lacks key %s", k)
		}
		if !strings.Contains(string(data), "# env: "+EnvName(k)+"\n") && !strings.Contains(string(data), "# env: "+EnvName(k)+" (") {
			t.Errorf("config.yaml does not document %s", EnvName(k))
		}
	}
}

// TestMarshalRoundTrip checks that a Config printed as YAML (for example
// by a "show config" command) loads back to the same values.
func TestMarshalRoundTrip(t *testing.T) {
	dir := t.TempDir()
	c := resolvedDefault(t, dir)
	c.Recheck.Suspect = Duration(36 * 3600e9)
	c.Crawler.MaxBody = 1536 * KiB
	c.Exclude.Patterns = []string{`^https://x\.`, "a,b"}
	out, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"suspect: 1d12h\n", "max_body: 1536KiB\n", "alive: 7d\n"} {
		if !strings.Contains(string(out), s) {
			t.Errorf("marshalled config lacks %q:\n%s", s, out)
		}
	}
	back, err := loadBytes("config.yaml", out, dir, nil, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("round trip changed the config:\n%s", out)
	}
}

func TestKeys(t *testing.T) {
	keys := Keys()
	for _, want := range []string{"database", "crawler.per_host_interval", "archive.external.wayback.cdx_url", "archive.external.save", "web.auth.password_hash", "network.ca_file", "log.format"} {
		if !slices.Contains(keys, want) {
			t.Errorf("Keys() lacks %s", want)
		}
	}
	for _, k := range keys {
		if k == "crawler" || k == "archive.external" {
			t.Errorf("Keys() lists section %s", k)
		}
	}
}
