package main

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/linkrot/linkrot/fix"
)

// localBase is the base URL local copies are cited under: --local-base,
// else the configuration's web.base_url. --archive local without either
// could cite nothing, so it is an error that names the key to set.
func localBase(flag, configured string, mode fix.ArchiveMode) (string, error) {
	if flag != "" {
		u, err := url.Parse(flag)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", fmt.Errorf("--local-base %q: want an absolute http(s) URL", flag)
		}
		return flag, nil
	}
	if configured == "" && mode == fix.ArchiveLocal {
		return "", errors.New("--archive local cites linkrot's own copies at the public URL of `linkrot serve`, " +
			"and none is known: set web.base_url in the configuration (e.g. https://links.example.net) or pass --local-base URL")
	}
	return configured, nil
}
