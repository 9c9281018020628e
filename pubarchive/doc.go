// Package pubarchive asks public web archives (the Wayback Machine's
// availability and CDX APIs, Memento TimeGates and TimeMaps) for copies of
// pages. It only reads from them over HTTP; the application layer (job)
// decides when to ask and caches the answers in the catalog.
package pubarchive
