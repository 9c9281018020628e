// Package job is linkrot's application layer: the one place where the
// catalog (store), the crawler, the archives and the reports meet. A
// Runner, built once per process from the configuration, the catalog, a
// clock and a printer, has one method per operation that changes the
// catalog (Add, Check, CheckURL, Run, Verify, Fix, Serve); each takes the
// job lock itself. Commands parse flags, call one method and print.
//
// Files by concern: runner.go (the Runner and its operations), check.go
// (one check run), pipeline.go (rescan, check, lookups, report as one
// job), lookups.go (public-archive lookups after the checks, cached),
// lock.go (the job lock), schedule.go (serve's cron), serve.go (serve's
// HTTP lifetime), restore.go, verify.go (repair verification), feed.go.
package job
