package web

import (
	"crypto/tls"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func mustProxies(t *testing.T, v ...string) []netip.Prefix {
	t.Helper()
	ps, err := ParseTrustedProxies(v...)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestForwardedFor(t *testing.T) {
	lan := mustProxies(t, "10.0.0.0/8", "fd00::/8")
	cases := []struct {
		name    string
		remote  string
		xff     []string
		proxies []netip.Prefix
		want    string
	}{
		{"no proxies: header ignored", "198.51.100.7:5555", []string{"203.0.113.9"}, nil, "198.51.100.7"},
		{"spoofed header from an untrusted peer", "198.51.100.7:5555", []string{"203.0.113.9"}, lan, "198.51.100.7"},
		{"trusted peer, one hop", "10.1.2.3:443", []string{"203.0.113.9"}, lan, "203.0.113.9"},
		{"trusted peer, no header", "10.1.2.3:443", nil, lan, "10.1.2.3"},
		{"client-supplied left entries are skipped", "10.1.2.3:443", []string{"1.1.1.1, 203.0.113.9"}, lan, "203.0.113.9"},
		{"multiple trusted hops walked from the right", "10.1.2.3:443", []string{"1.1.1.1, 203.0.113.9, 10.9.9.9", "10.8.8.8"}, lan, "203.0.113.9"},
		{"all hops trusted: the leftmost", "10.1.2.3:443", []string{"10.5.5.5, 10.9.9.9"}, lan, "10.5.5.5"},
		{"garbage right of the client falls back to the peer", "10.1.2.3:443", []string{"203.0.113.9, not-an-ip"}, lan, "10.1.2.3"},
		{"garbage left of the client does not matter", "10.1.2.3:443", []string{"<script>, 203.0.113.9"}, lan, "203.0.113.9"},
		{"empty entry falls back to the peer", "10.1.2.3:443", []string{"203.0.113.9,"}, lan, "10.1.2.3"},
		{"ipv6 peer and client", "[fd00::1]:443", []string{"2001:db8::5"}, lan, "2001:db8::5"},
		{"ipv6 untrusted peer", "[2001:db8::1]:443", []string{"203.0.113.9"}, lan, "2001:db8::1"},
		{"ipv4-mapped peer counts as ipv4", "[::ffff:10.1.2.3]:443", []string{"203.0.113.9"}, lan, "203.0.113.9"},
		{"ipv4-mapped forwarded address unmapped", "10.1.2.3:443", []string{"::ffff:203.0.113.9"}, lan, "203.0.113.9"},
		{"bare ip proxy is a /32", "127.0.0.1:1", []string{"203.0.113.9"}, mustProxies(t, "127.0.0.1"), "203.0.113.9"},
		{"bare ip proxy does not cover its neighbour", "127.0.0.2:1", []string{"203.0.113.9"}, mustProxies(t, "127.0.0.1"), "127.0.0.2"},
		{"peer without port", "10.1.2.3", []string{"203.0.113.9"}, lan, "203.0.113.9"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := forwardedFor(c.remote, c.xff, c.proxies); got != c.want {
				t.Errorf("forwardedFor(%q, %q) = %q; want %q", c.remote, c.xff, got, c.want)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	ps, err := ParseTrustedProxies("10.0.0.0/8, 192.168.1.7", "::1,fd00::/8", "10.1.2.3/8")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.168.1.7/32", "::1/128", "fd00::/8", "10.0.0.0/8"}
	if len(ps) != len(want) {
		t.Fatalf("got %v; want %v", ps, want)
	}
	for i := range want {
		if ps[i].String() != want[i] {
			t.Errorf("%d: %s; want %s", i, ps[i], want[i])
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0", "fe80::1%eth0", "1.2.3.4/", "::ffff:10.0.0.0/8"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestIsTLS(t *testing.T) {
	s := &Server{TrustedProxies: mustProxies(t, "10.0.0.0/8")}
	cases := []struct {
		remote, proto string
		tls           bool
		want          bool
	}{
		{"10.1.2.3:1", "https", false, true},
		{"10.1.2.3:1", "http, HTTPS", false, true},
		{"10.1.2.3:1", "https, http", false, false}, // the client's claim, overruled by the proxy
		{"10.1.2.3:1", "http", false, false},
		{"10.1.2.3:1", "", false, false},
		{"198.51.100.7:1", "https", false, false},
		{"198.51.100.7:1", "", true, true},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		if c.proto != "" {
			r.Header.Set("X-Forwarded-Proto", c.proto)
		}
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		if got := s.isTLS(r); got != c.want {
			t.Errorf("%s proto %q tls %v: %v; want %v", c.remote, c.proto, c.tls, got, c.want)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.2.3:1"
	r.Header.Set("X-Forwarded-Proto", "https")
	if (&Server{}).isTLS(r) {
		t.Error("X-Forwarded-Proto believed without trusted proxies")
	}
}
