package config

import "testing"

// The forms with a target port are what internal/fakeweb's Resolve and
// cmd/fakeweb -resolve-out write: the fake listens on random ports.
func TestParseResolveTargetPort(t *testing.T) {
	for s, want := range map[string]Resolve{
		"www.example.com:443=127.0.0.1:41234": {Host: "www.example.com", Port: 443, TargetPort: 41234},
		"www.example.com:80:127.0.0.1:8080":   {Host: "www.example.com", Port: 80, TargetPort: 8080},
		"x:443=[::1]:8443":                    {Host: "x", Port: 443, TargetPort: 8443},
		"x:443:[::1]":                         {Host: "x", Port: 443},
		"x:1:::1":                             {Host: "x", Port: 1},
		"x:1:127.0.0.1":                       {Host: "x", Port: 1},
	} {
		r, err := ParseResolve(s)
		if err != nil {
			t.Errorf("ParseResolve(%q): %v", s, err)
			continue
		}
		if r.Host != want.Host || r.Port != want.Port || r.TargetPort != want.TargetPort || !r.Addr.IsValid() {
			t.Errorf("ParseResolve(%q) = %+v, want %+v", s, r, want)
		}
	}
	for _, s := range []string{"x:443=127.0.0.1:0", "x:443=127.0.0.1:99999", "x:443=host:80", "x=443:127.0.0.1", "x:443="} {
		if r, err := ParseResolve(s); err == nil {
			t.Errorf("ParseResolve(%q) = %+v, want an error", s, r)
		}
	}
}
