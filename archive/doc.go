// Package archive keeps local copies of pages while they are alive and
// hands them back when they are gone.
//
// # What a capture stores
//
// Archiver.Capture takes a response the crawler already fetched (the job
// converts crawler.Result into a Response; archive does not import the
// crawler) and, when it is new, stores:
//
//   - WARC 1.1 records (format "warc") in data_dir/warc/linkrot-<time>-<serial>.warc.gz:
//     a request record, reconstructed from method, URL and User-Agent, and
//     a response record with the status line, headers and body, each its
//     own gzip member, after a warcinfo record that starts every file.
//     Files rotate at WARCFileSize. Since Response.Body is decoded,
//     Content-Encoding and Transfer-Encoding (and a Content-Length that no
//     longer fits) are renamed X-Linkrot-Orig-* and Content-Length is set
//     to the body's length, so each record is true to its own bytes and
//     needs no WARC-Truncated. Digests are sha1 base32, as WARC tools and
//     the Wayback CDX expect.
//   - the readable article (format "readable"), made with go-readability
//     after decoding the charset (header, BOM, <meta>): sanitised HTML and
//     plain text, plus title, byline, published time, site name, excerpt,
//     language and word count in the catalog.
//   - the raw payload, always, so that raw restores and deduplication do
//     not depend on the WARC files (and a damaged copy of either is not
//     the only one).
//
// HTML, text and raw payload are blobs: content-addressed by SHA-256,
// gzip-compressed, in data_dir/blobs/ab/cdef…, written to a temporary file
// and renamed, so the same content is stored once however often it is
// captured.
//
// # When a capture stores something
//
// Only 2xx responses to GET with a complete body within archive.max_size
// are captured (Skipped otherwise: the job already filters failures and
// soft-404s, this is a second line). A response is compared with the
// link's latest good snapshot: the readable text's hash for HTML, the
// payload's otherwise. The same content is Unchanged: the snapshot's
// LastSeen and SeenCount move, and nothing else is written (no WARC revisit
// record either: a sighting is a catalog fact, and writing a record per
// nightly check would grow the WARC files with nothing to replay). New
// content within archive.min_interval of the latest snapshot is TooSoon.
// Otherwise it is Captured; if the exact payload was captured before (by
// this link or another), the WARC gets a revisit record
// (identical-payload-digest profile, WARC-Refers-To the earlier response)
// instead of a second copy of the body, and the blobs already exist.
//
// A failed response never replaces a good copy: nothing but 2xx is ever
// stored, and the catalog's "latest" and "closest" only consider 2xx
// snapshots.
//
// # Crash safety
//
// Blobs are renamed into place, WARC members are appended and fsynced, and
// only then is the snapshot added to the catalog, so the catalog never
// names bytes that are not on disk. A killed process can leave orphan
// blobs and records (harmless) and at most one truncated member at the end
// of the WARC file it was writing; each Archiver starts a new file at its
// first capture and never appends to an existing one, and Verify reports
// the truncated tail by file and offset.
//
// Durability is per capture, not per batch: each blob is fsynced before
// its rename and its directory after it, and the WARC file after the
// capture's records, all before the catalog row is committed. Batching
// would have to hold back the catalog rows too (or the catalog could name
// bytes a power cut lost), and the cost is small next to fetching: on the
// development VM, BenchmarkCapture measured about 175-280 captures/s with
// fsync against 250-600/s without (the disk there is noisy), while a
// polite crawler fetches a few pages a second per host.
package archive
