// Package fix rewrites documents so that their references survive,
// changing nothing but the URLs in them (and, next to a dead URL, the
// reference to its archived copy).
//
// It is in two parts. Planning (Document, Plan) is pure: given a
// document's bytes, its format and one Edit per URL occurrence (from the
// catalog: offsets, the URL, its repair evidence, whether its link is dead
// or moved, the archived copy to cite), it returns the Changes to make, as
// byte splices of the original content, and notes on what it leaves
// alone. Applying (Apply), diffing (Diff) and writing (Run) do the I/O.
//
// # What is changed
//
// Damaged URL text becomes the repaired URL when the damage is real for
// the format and the repair is trusted: confidence at least
// store.VerifyBelow (0.6), or verified on the web. "Real" means a reader
// of the document would get a different URL from the text as written:
//
//   - plain text decodes nothing, so HTML entities in it are damage;
//   - Markdown and HTML decode entities, so "&amp;" in them is correct and
//     never rewritten; in an HTML attribute browsers also drop tabs and
//     newlines and trim spaces, so only what survives that is damage;
//   - a URL written without a scheme stays without one, a relative href
//     stays relative, trailing punctuation stays outside the URL, and a
//     URL defanged on purpose ("hxxp://", "[.]") is never refanged.
//
// A doubtful repair (low confidence, not verified) is left alone, and so is
// everything else about that occurrence: a dead link under a doubtful
// repair may be dead only because the repair is wrong.
//
// # Dead links: the forms
//
// A dead link keeps its original URL visible and gains its archived copy:
//
//	text:     https://orig [archived: https://web.archive.org/web/2014…/https://orig]
//	Markdown: [text](https://web.archive.org/web/2014…/https://orig) (original: <https://orig>)
//	          <https://orig> and bare URLs become
//	          <https://web.archive.org/web/2014…/https://orig> (original: <https://orig>)
//	          [ref]: https://web.archive.org/… "original: https://orig"
//	HTML:     <a href="https://orig" data-originalurl="https://orig"
//	             data-versionurl="https://web.archive.org/…" data-versiondate="2014-01-26">
//	          (Robust Links; the href is kept). A bare URL in HTML text gets the
//	          text form, escaped.
//
// In Markdown the link target becomes the copy, because that is what a
// reader clicks, and the original follows the link in plain view rather
// than in a title, which readers rarely see. A reference definition cannot
// be followed by text, so there the original goes in the title (a
// definition that has a title already is left alone, with a note). In HTML
// the href is kept, as Robust Links intends: the page still says what it
// cites, and the copy is one attribute away for any tool that reads them.
// Elements other than <a> and <area> cannot carry the attributes and are
// left alone, with a note. So are URLs in Markdown code, front matter and
// inline HTML, where any added text would change the meaning.
//
// A moved link (permanent redirect) is pointed at its new URL only when
// the caller asks (Edit.MovedTo, set by `fix --moved`): the new URL is a
// judgement of the site's, and some redirects go to a generic page.
//
// # Running twice changes nothing
//
// The forms are recognised: a URL followed by " [archived: ", an <a> with
// data-versionurl, a Markdown URL inside "(original: <…>)" or a title
// "original: …", and the copies themselves (the URL after "[archived: ",
// a link target followed by "(original: "), which are never annotated in
// turn. A repaired URL, once written, reads back as itself.
package fix
