// Package drift tells whether a page that still answers says what was
// cited: a similarity in [0, 1] between the readable text of the cited
// (reference) copy and the current readable text, a drifted flag when it
// falls below a threshold, and a separate replaced verdict for pages that
// became something else entirely (a parked domain, a login wall, a home
// page after a redirect).
//
// The package does no I/O. Callers give it texts, titles and URLs; every
// threshold is a parameter with an exported default, so configuration
// stays with the caller.
package drift
