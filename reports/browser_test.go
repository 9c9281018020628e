package reports_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkrot/linkrot/internal/testkit"
)

// The HTML report in a real browser (headless Chromium): its own script
// runs under its Content-Security-Policy, sorting works, the page still
// has every table with scripts off, and it draws something. Chromium is
// looked for on PATH; without it the test is skipped on a developer's
// machine but fails on CI (CI is set there), so CI never passes without
// having run it.

// browse runs Chromium headless on the file page with extra flags and
// returns what it printed on stdout.
func browse(t *testing.T, bin, page string, flags ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--no-first-run", "--disable-extensions", "--disable-background-networking",
		"--user-data-dir=" + t.TempDir()}, flags...)
	args = append(args, "file://"+page)
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", flags, err, stderr.Bytes())
	}
	return stdout.Bytes()
}

func TestHTMLReportInBrowser(t *testing.T) {
	t.Parallel()
	bin := testkit.Chromium(t, "the HTML report")
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	html := render(t, "html", fullReport())
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}

	// Scripts on: the page's script marks the document, which it can only
	// do if the policy let it run.
	dom := string(browse(t, bin, page, "--dump-dom"))
	if !regexp.MustCompile(`<html[^>]*class="js"`).MatchString(dom) {
		t.Errorf("the report's own script did not run under its policy:\n%.400s", dom)
	}
	// Sorting: the same page, without its policy so that a test script may
	// click the hosts table's "Host" heading twice (descending order).
	harness := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy"[^>]*>`).ReplaceAllString(html, "")
	harness = strings.Replace(harness, "</body>", `<script>
var th = document.querySelector("#hosts th");
th.click(); th.click();
var out = document.createElement("pre"); out.id = "sorted";
out.textContent = Array.prototype.map.call(document.querySelectorAll("#hosts tbody tr"), function (r) { return r.cells[0].textContent; }).join(",");
document.body.appendChild(out);
</script></body>`, 1)
	sortPage := filepath.Join(dir, "sort.html")
	if err := os.WriteFile(sortPage, []byte(harness), 0o644); err != nil {
		t.Fatal(err)
	}
	dom = string(browse(t, bin, sortPage, "--dump-dom"))
	if !strings.Contains(dom, `<pre id="sorted">odd.example,news.example.com</pre>`) {
		t.Errorf("sorting the hosts by name, descending: %s", regexp.MustCompile(`<pre id="sorted">[^<]*</pre>`).FindString(dom))
	}

	// Scripts off: the same page with its policy forbidding every script
	// (--blink-settings=scriptEnabled=false would also stop --dump-dom).
	// The tables are all there, unsorted but whole.
	noScript := regexp.MustCompile(`script-src [^;]*;`).ReplaceAllString(html, "script-src 'none';")
	if noScript == html {
		t.Fatal("no script-src in the policy to turn off")
	}
	noScriptPage := filepath.Join(dir, "noscript.html")
	if err := os.WriteFile(noScriptPage, []byte(noScript), 0o644); err != nil {
		t.Fatal(err)
	}
	dom = string(browse(t, bin, noScriptPage, "--dump-dom"))
	if strings.Contains(dom, `class="js"`) || strings.Count(dom, "<table") != strings.Count(html, "<table") ||
		!strings.Contains(dom, "notes/a.txt:3:5") {
		t.Errorf("with scripts off: js mark %v, %d tables of %d", strings.Contains(dom, `class="js"`),
			strings.Count(dom, "<table"), strings.Count(html, "<table"))
	}

	// A screenshot, for a person to look at (LINKROT_SCREENSHOT=path keeps
	// it), that is not blank.
	shot := os.Getenv("LINKROT_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(dir, "report.png")
	}
	browse(t, bin, page, "--window-size=1300,2200", "--screenshot="+shot)
	if b, n := drawn(t, shot); b.Dx() < 1000 || n < 10 {
		t.Errorf("screenshot %v with %d colours: the page drew nothing", b, n)
	}
}

// drawn returns a PNG's bounds and how many colours a sample of its pixels
// has: a blank page has one or two.
func drawn(t *testing.T, path string) (image.Rectangle, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	colors := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colors[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
		}
	}
	return b, len(colors)
}
