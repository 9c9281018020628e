package fakeweb

import (
	"net/http"
	"time"
)

// Answers that break HTTP, for Raw: what a misconfigured or hostile server
// sends instead of a response.
const (
	// BadStatusLine has a status code that is not a number.
	BadStatusLine = "HTTP/1.1 2OO OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nok"
	// NoStatusLine starts with headers.
	NoStatusLine = "Content-Type: text/html\r\nContent-Length: 2\r\n\r\nok"
	// HTTP09 is an HTTP/0.9 answer: the document alone, then the close.
	HTTP09 = "<html><head><title>Old</title></head><body><p>An HTTP/0.9 server.</p></body></html>\n"
	// Garbage is bytes that are nothing at all.
	Garbage = "\x00\x13\x37\xff\xfe\x80garbage\x01\x02\r\n\r\n"
	// BadStatusCode has a five-digit status code.
	BadStatusCode = "HTTP/1.1 20000 OK\r\nContent-Length: 2\r\n\r\nok"
)

// Raw reads the request, writes reply as it is on the bare connection and
// closes it: no status line or headers are added.
func Raw(reply string) Behaviour {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		c, buf, err := http.NewResponseController(rw).Hijack()
		if err != nil {
			abort()
		}
		buf.WriteString(reply)
		buf.Flush()
		// Let the client read it before the close.
		wait(r, 50*time.Millisecond)
		c.Close()
	})
}
