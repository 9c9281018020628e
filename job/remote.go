package job

import (
	"log/slog"
	"net/http"

	"github.com/linkrot/linkrot/archive"
	"github.com/linkrot/linkrot/config"
	"github.com/linkrot/linkrot/crawler"
)

// RemoteArchives is the client for the public web archives the
// configuration enables, reached through the crawler's network rules
// (resolve overrides, private-address guard, extra CAs), with the HTTP
// client it uses for downloads. The Remote is nil when no archive is
// enabled: asking none would look like "no copy exists".
func RemoteArchives(cfg *config.Config, log *slog.Logger) (*archive.Remote, *http.Client, error) {
	client, err := crawler.HTTPClient(cfg.Crawler, cfg.Network, crawler.Options{})
	if err != nil {
		return nil, nil, err
	}
	ext := cfg.Archive.External
	if !ext.Wayback.Enabled && !(ext.Memento.Enabled && len(ext.Memento.Timegates) > 0) {
		return nil, client, nil
	}
	if log == nil {
		log = slog.Default()
	}
	return archive.NewRemote(ext, client, archive.RemoteOptions{UserAgent: cfg.Crawler.UserAgentString(), Logger: log}), client, nil
}
