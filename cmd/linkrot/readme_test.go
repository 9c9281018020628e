package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The README is the newcomer's manual: every `linkrot COMMAND --flag` it
// shows — in code blocks, in headings and in inline code — must exist in
// the binary's command tree. A renamed flag fails here, naming the README
// line, instead of in a reader's shell.

// readmeUse is one invocation the README shows.
type readmeUse struct {
	line int
	text string // from "linkrot" to the end of the invocation
}

var (
	fence      = regexp.MustCompile("^\\s*```")
	inlineCode = regexp.MustCompile("`([^`]+)`")
	// linkrot as a command: at the start, or after a space, a shell
	// separator or a path ("go run ./cmd/linkrot add …").
	invocation = regexp.MustCompile(`(?:^|[\s;&|(/])linkrot((?:\s+[^\s]+)*)`)
	shellSep   = regexp.MustCompile(`\s(?:&&|\|\||;|\|)\s`)
	flagToken  = regexp.MustCompile(`(?:^|[\s\[|(])(--?[A-Za-z][\w-]*)`)
)

// readmeUses finds the invocations in README text.
func readmeUses(readme string) []readmeUse {
	var out []readmeUse
	inBlock := false
	for i, line := range strings.Split(readme, "\n") {
		if fence.MatchString(line) {
			inBlock = !inBlock
			continue
		}
		var spans []string
		switch {
		case inBlock:
			// A shell line: each command of it, comments dropped.
			code, _, _ := strings.Cut(line, " #")
			spans = append(spans, shellSep.Split(code, -1)...)
		default:
			for _, m := range inlineCode.FindAllStringSubmatch(line, -1) {
				spans = append(spans, m[1])
			}
		}
		for _, s := range spans {
			for _, m := range invocation.FindAllStringSubmatchIndex(s, -1) {
				if s[m[0]] == '/' && !strings.Contains(s[:m[0]], "go run") {
					continue // a path ("go test ./cmd/linkrot"), not the command
				}
				text := strings.TrimSpace(s[m[0]:])
				text = text[strings.Index(text, "linkrot"):]
				out = append(out, readmeUse{line: i + 1, text: text})
			}
		}
	}
	return out
}

// lookupFlag finds --name or -x on cmd, its parents' persistent flags
// included.
func lookupFlag(cmd *cobra.Command, tok string) *pflag.Flag {
	if name, ok := strings.CutPrefix(tok, "--"); ok {
		return cmd.Flag(name)
	}
	short := strings.TrimPrefix(tok, "-")
	if len(short) != 1 {
		return nil
	}
	for c := cmd; c != nil; c = c.Parent() {
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
			if f := fs.ShorthandLookup(short); f != nil {
				return f
			}
		}
	}
	return nil
}

// checkUse says what of u the command tree lacks, "" if nothing.
func checkUse(root *cobra.Command, u readmeUse) []string {
	fields := strings.Fields(u.text)[1:] // after "linkrot"
	cmd := root
	if len(fields) > 0 && regexp.MustCompile(`^[a-z][a-z-]*$`).MatchString(fields[0]) {
		sub, _, err := root.Find(fields[:1])
		if err != nil || sub == root {
			// prose that happens to follow the word ("linkrot keeps …")
			// is not a command; an unknown command word is.
			if len(fields) > 1 && strings.HasPrefix(fields[1], "-") {
				return []string{"command " + fields[0]}
			}
			return nil
		}
		cmd = sub
	} else if len(fields) > 0 && !strings.HasPrefix(fields[0], "-") && !strings.HasPrefix(fields[0], "[") {
		return nil // not an invocation: `linkrot` followed by something else
	}
	var missing []string
	rest := strings.Join(fields, " ")
	for _, m := range flagToken.FindAllStringSubmatch(rest, -1) {
		tok := m[1]
		if lookupFlag(cmd, tok) == nil {
			missing = append(missing, "flag "+tok+" of `"+cmd.CommandPath()+"`")
		}
	}
	return missing
}

// readmeRoot is the command tree as a user meets it: with the --help
// (and --version) flags cobra adds when it runs.
func readmeRoot() *cobra.Command {
	root := newRootCmd(&globals{})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		c.InitDefaultVersionFlag()
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return root
}

func TestReadmeCommandsExist(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	root := readmeRoot()
	uses := readmeUses(string(b))
	if len(uses) < 40 {
		t.Fatalf("found only %d invocations in README.md: the parser is broken", len(uses))
	}
	seen := map[string]bool{}
	for _, u := range uses {
		for _, miss := range checkUse(root, u) {
			if key := miss; !seen[key] {
				seen[key] = true
				t.Errorf("README.md:%d: %s does not exist (in %q)", u.line, miss, u.text)
			}
		}
	}
	// Every command of the binary is in the README.
	readme := string(b)
	for _, c := range root.Commands() {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		if !strings.Contains(readme, "linkrot "+c.Name()) {
			t.Errorf("README.md never shows `linkrot %s`", c.Name())
		}
	}
}

// TestReadmeParser: the parser finds commands and flags where the README
// writes them, and the check names what is missing.
func TestReadmeParser(t *testing.T) {
	doc := "# x\n### `linkrot fix PATH... [--diff | --write] [--nope]`\n" +
		"Use `linkrot links --state dead` or prose about linkrot keeping copies.\n" +
		"```\ngo run ./cmd/linkrot add examples/ && linkrot check --bogus -q # linkrot check --commented\n" +
		"linkrot frobnicate --x\ngo test ./cmd/linkrot -run X\n```\n"
	root := readmeRoot()
	var got []string
	for _, u := range readmeUses(doc) {
		got = append(got, checkUse(root, u)...)
	}
	want := []string{"flag --nope of `linkrot fix`", "flag --bogus of `linkrot check`", "command frobnicate"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("missing %q, want %q", got, want)
	}
}
