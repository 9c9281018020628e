package config

import "time"

// The ranges Validate allows. They are wide: their job is to turn a typo
// or a misunderstanding ("retries: 1000000", "timeout: 30d") into a clear
// error at startup instead of a run that never ends or exhausts memory.
const (
	MaxConcurrency       = 1024 // crawler.concurrency: requests at once
	MaxPerHost           = 64   // crawler.per_host: requests at once to one host
	MaxRetries           = 10   // crawler.retries
	MaxRedirectsLimit    = 50   // crawler.max_redirects
	MaxDeadAfterFailures = 1000 // dead_after.failures

	MaxPerHostInterval = Duration(time.Hour)                 // crawler.per_host_interval
	MaxTimeout         = Duration(10 * time.Minute)          // crawler.timeout, per request
	MaxRetryWaitLimit  = Duration(time.Hour)                 // crawler.max_retry_wait
	MaxInterval        = Duration(10 * 365 * 24 * time.Hour) // recheck.*, dead_after.min_span, archive.min_interval

	MaxBodyLimit    = ByteSize(1 << 30) // crawler.max_body: 1 GiB
	MaxSnapshotSize = ByteSize(4 << 30) // archive.max_size: 4 GiB

	MaxBufferedLimit = ByteSize(64 << 30) // crawler.max_buffered: 64 GiB
)
