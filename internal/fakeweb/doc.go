// Package fakeweb is a simulated internet on loopback for linkrot's tests
// and benchmarks: any host name, HTTP and HTTPS, every way a link can fail,
// and fake public web archives.
//
// # The network rule
//
// Tests and benchmarks never send traffic anywhere but loopback. fakeweb
// only listens on 127.0.0.1 with kernel-chosen ports, and its dialer maps
// host names to its own listeners without consulting DNS: a name that was
// not registered fails like NXDOMAIN, and an IP address that is not one of
// fakeweb's is refused, never dialed.
//
// # Sites and behaviours
//
// A Web serves virtual hosts, chosen by the Host header:
//
//	w, err := fakeweb.New()
//	defer w.Close()
//	w.Site("www.example.com").
//		HTML("/", "Home", "<p>Hello</p>", "/gone").
//		Status("/gone", 410).
//		Fallback(fakeweb.SoftNotFound())
//	resp, err := w.Client().Get("https://www.example.com/")
//
// A Behaviour is any http.Handler; the constructors (HTML, Status,
// Redirect, RedirectChain, Delay, Drip, Reset, RetryAfterSeconds,
// GzipBomb…) produce real conditions on the wire: a reset is a TCP RST, a
// slow response really is slow. Host-level conditions (Site.Down, Refuse,
// Blackhole, NXDomain, DNSFail, TLS faults) happen at resolution, connect or
// handshake time. Everything can be changed while the Web runs (Site.Kill,
// Revive, SetMode, Page), so a test can simulate links dying across several
// crawler runs. Hits, Requests and MaxConcurrent let tests assert
// politeness.
//
// # Plugging a client in
//
// In-process (tests): give the HTTP transport w.DialContext, or
// w.DialWith(dialer) to keep the client's own net.Dialer and its Control
// hook (the SSRF guard sees 127.0.0.1 and needs allow_private), and trust
// w.CertPool() (or w.CACertPEM(), or the file from w.CAFile) in RootCAs.
// Keep the transport's Proxy nil. w.Transport and w.Client are ready-made.
//
// Out of process (the linkrot binary against cmd/fakeweb): cmd/fakeweb
// writes its CA (network.ca_file) and w.Resolve's entries
// ("HOST:PORT=IP:PORT", network.resolve). A client must then treat a name
// missing from the list as not found instead of asking real DNS, or the
// network rule is broken by the first unregistered name.
package fakeweb
