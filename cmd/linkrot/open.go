package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/job"
)

// loadConfig finds and loads the configuration the flags point at.
func (g *globals) loadConfig() (*config.Config, error) {
	path, err := config.Locate(g.configPath)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(path, g.getenv)
	if err != nil {
		return nil, err
	}
	slog.SetDefault(newLogger(g.stderr, cfg))
	return cfg, nil
}

// open is the one opening of every command: load the configuration the
// flags point at and build the application layer on its catalog.
func (g *globals) open(ctx context.Context, readOnly bool) (*job.Runner, error) {
	cfg, err := g.loadConfig()
	if err != nil {
		return nil, err
	}
	return job.Open(ctx, cfg, job.Deps{Now: g.now, Printer: g.printer(), Logger: slog.Default(), ReadOnly: readOnly})
}

func newLogger(w io.Writer, cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
