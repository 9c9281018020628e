package oneshot

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/linkrot/linkrot/sources"
)

// InputError is a target on the command line that cannot be used: a path
// that does not exist, a pattern that matches nothing, a malformed URL, or
// nothing to check at all. The command exits 1 on it.
type InputError struct {
	Arg string // the argument as given; "" when no single one is to blame
	Msg string
}

func (e *InputError) Error() string {
	if e.Arg == "" {
		return e.Msg
	}
	return fmt.Sprintf("%q: %s", e.Arg, e.Msg)
}

// targets are the command-line arguments sorted into documents and URLs.
type targets struct {
	paths []string // files, folders and globs, ~ expanded
	urls  []string // absolute http(s) URLs, in the order given
}

// parseTargets sorts args and checks each one can be used, so that a typo
// fails the run at once instead of passing as "nothing broken".
func parseTargets(args []string) (targets, error) {
	var t targets
	if len(args) == 0 {
		return t, &InputError{Msg: "no PATH, GLOB or URL given"}
	}
	seen := map[string]bool{}
	for _, arg := range args {
		if strings.Contains(arg, "://") {
			u, err := checkURL(arg)
			if err != nil {
				return t, &InputError{Arg: arg, Msg: err.Error()}
			}
			if !seen[u] {
				seen[u] = true
				t.urls = append(t.urls, u)
			}
			continue
		}
		p := expandHome(arg)
		if err := checkPath(p); err != nil {
			return t, &InputError{Arg: arg, Msg: err.Error()}
		}
		t.paths = append(t.paths, p)
	}
	return t, nil
}

// checkURL accepts an absolute http or https URL with a host.
func checkURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return "", fmt.Errorf("bad URL: %v", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return "", fmt.Errorf("bad URL: scheme %q is not checked (use http or https)", u.Scheme)
	}
	if u.Hostname() == "" {
		return "", errors.New("bad URL: no host")
	}
	return u.String(), nil
}

// checkPath makes sure a file, folder or glob names at least one file.
func checkPath(p string) error {
	found := false
	var first error
	err := sources.Walk([]string{p}, func(string) error {
		found = true
		return errStop
	}, func(we *sources.WalkError) {
		if first == nil {
			first = we
		}
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	switch {
	case found:
		return nil
	case first != nil && errors.Is(first, os.ErrNotExist):
		if !strings.ContainsAny(p, "*?[") {
			return errors.New("no such file or folder (URLs must start with http:// or https://)")
		}
		return first
	case first != nil:
		var we *sources.WalkError
		if errors.As(first, &we) && filepath.Clean(we.Path) == filepath.Clean(p) {
			return we.Err
		}
		return first
	default:
		return errors.New("no document to check in it")
	}
}

var errStop = errors.New("stop")

// expandHome turns a leading ~ into the home folder, for arguments that a
// shell left alone because they were quoted.
func expandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~"))
}
