package config

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// EnvPrefix starts every environment variable that overrides a key.
const EnvPrefix = "LINKROT_"

// EnvTestPrefix starts the variables linkrot's own tests and benchmarks
// read (LINKROT_TEST_POSTGRES, the server the PostgreSQL tests use, set by
// CI for the whole test run). They are not settings, and a linkrot started
// by those tests must not refuse to run because of them.
const EnvTestPrefix = "LINKROT_TEST_"

// EnvConfig names the config file (see Locate); it is not a key, so Load
// does not reject it as unknown.
const EnvConfig = "LINKROT_CONFIG"

// maxFileSize bounds what Load reads: a config is a few KiB, and anything
// much larger is a wrong path, not a config.
const maxFileSize = 1 << 20

// Load builds the configuration: Default(), then the YAML file at path, then
// LINKROT_* variables read through getenv, then path resolution and
// validation.
//
// An empty path means there is no file: defaults and environment only, with
// relative paths resolved against the working directory. Relative paths in
// the file are resolved against the file's directory; relative paths from
// the environment against the working directory, as a shell user expects.
// ~ and ~/… are expanded to the home directory.
//
// getenv may be nil (no overrides); an empty value counts as unset. Because
// a getenv function cannot list variables, unknown LINKROT_* names are found
// by listing os.Environ and reading each through getenv.
//
// Problems with the content are all returned together, each an *Error
// (several are joined with errors.Join); a file that cannot be read gives
// a wrapped os error (errors.Is(err, fs.ErrNotExist)). Load does not look
// at LINKROT_CONFIG: finding the file is Locate's job.
func Load(path string, getenv func(string) string) (*Config, error) {
	return load(path, getenv, environNames())
}

func environNames() []string {
	var names []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, EnvPrefix) {
			names = append(names, name)
		}
	}
	return names
}

func load(path string, getenv func(string) string, envNames []string) (*Config, error) {
	var data []byte
	base := ""
	if path != "" {
		var err error
		if data, err = readFile(path); err != nil {
			return nil, err
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		base = filepath.Dir(abs)
	}
	return loadBytes(path, data, base, getenv, envNames)
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, &Error{File: path, Msg: "is a directory, not a config file"}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, &Error{File: path, Msg: "larger than 1 MiB, so not a linkrot config file"}
	}
	return data, nil
}

// loadBytes is Load after the file is read. base is the directory that
// relative paths in the file are resolved against ("" = working directory).
func loadBytes(name string, data []byte, base string, getenv func(string) string, envNames []string) (*Config, error) {
	cfg := Default()
	o := origins{}
	var errs errList
	if err := parse(name, data, cfg, o, &errs); err != nil {
		return nil, err
	}
	fromEnv := applyEnv(cfg, getenv, envNames, o, &errs)
	if err := errs.err(); err != nil {
		return nil, err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if base == "" {
		base = cwd
	}
	resolvePaths(cfg, base, cwd, fromEnv, homeDir(getenv))
	cfg.Crawler.UserAgent = expandVersion(cfg.Crawler.UserAgent)
	if err := cfg.validate(o); err != nil {
		return nil, err
	}
	return cfg, nil
}
