package sources

// structuredReaders read the formats whose URLs sit in fields (feeds,
// sitemaps, bookmark exports); each sets Start/End and leaves Line/Column
// to setPositions.
var structuredReaders = map[Format]func(text string, doc *Document, opts Options) error{}

// detectStructured recognises those formats by their content.
func detectStructured(lower []byte) Format { return "" }
