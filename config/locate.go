package config

import (
	"fmt"
	"os"
	"path/filepath"
)

// FileName is the config file's name in the directories Locate searches.
const FileName = "config.yaml"

// Locate finds the config file, first match wins:
//  1. explicit (the --config flag), which must exist;
//  2. $LINKROT_CONFIG, which must exist;
//  3. ./config.yaml;
//  4. $XDG_CONFIG_HOME/linkrot/config.yaml, or ~/.config/linkrot/config.yaml
//     when XDG_CONFIG_HOME is unset or not absolute (as the XDG spec says).
//
// It returns "" and no error when there is no file; Load("", …) then gives
// the defaults with environment overrides.
func Locate(explicit string) (string, error) {
	if explicit != "" {
		return mustExist(explicit, "--config")
	}
	if p := os.Getenv(EnvConfig); p != "" {
		return mustExist(p, EnvConfig)
	}
	candidates := []string{FileName}
	if dir := userConfigDir(); dir != "" {
		candidates = append(candidates, filepath.Join(dir, "linkrot", FileName))
	}
	for _, p := range candidates {
		st, err := os.Stat(p)
		switch {
		case err == nil && !st.IsDir():
			return p, nil
		case err != nil && !os.IsNotExist(err):
			return "", fmt.Errorf("config: %w", err)
		}
	}
	return "", nil
}

func mustExist(p, from string) (string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("config file from %s: %w", from, err)
	}
	if st.IsDir() {
		return "", fmt.Errorf("config file from %s: %s is a directory", from, p)
	}
	return p, nil
}

// userConfigDir follows the XDG base directory spec on every platform, as
// CLI tools on macOS commonly do too, rather than os.UserConfigDir's
// ~/Library/Application Support.
func userConfigDir() string {
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".config")
}
