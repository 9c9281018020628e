package store

// HostOf returns the host a link's URL is filed under (Link.Host): the
// lower-case host name without port, "" when it has none. Other store
// implementations call it so that every catalog files URLs alike.
func HostOf(rawURL string) string { return hostOf(rawURL) }
