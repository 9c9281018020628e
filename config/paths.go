package config

// Making the paths in a Config absolute.

import (
	"os"
	"path/filepath"
	"strings"
)

func homeDir(getenv func(string) string) string {
	if getenv != nil {
		if h := getenv("HOME"); h != "" {
			return h
		}
	}
	h, _ := os.UserHomeDir()
	return h
}

// resolvePaths makes every path in cfg absolute: data_dir, sources and
// network.ca_file against base (the config file's directory) or, for values
// from the environment, against cwd; database and reports.dir against
// data_dir.
func resolvePaths(cfg *Config, base, cwd string, fromEnv map[string]bool, home string) {
	dir := func(key string) string {
		if fromEnv[key] {
			return cwd
		}
		return base
	}
	cfg.DataDir = resolvePath(dir("data_dir"), cfg.DataDir, home)
	for i, s := range cfg.Sources {
		if strings.Contains(s, "://") {
			continue // a URL source, if a later version reads them, is not a path
		}
		cfg.Sources[i] = resolvePath(dir("sources"), s, home)
	}
	cfg.Network.CAFile = resolvePath(dir("network.ca_file"), cfg.Network.CAFile, home)
	cfg.Reports.Dir = resolvePath(cfg.DataDir, cfg.Reports.Dir, home)
	if !isURL(cfg.Database) {
		cfg.Database = resolvePath(cfg.DataDir, cfg.Database, home)
	}
}

func resolvePath(base, p, home string) string {
	if p == "" {
		return ""
	}
	if home != "" && (p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, "~"+string(filepath.Separator))) {
		p = filepath.Join(home, p[1:])
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}
