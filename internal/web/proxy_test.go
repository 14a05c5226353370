package web_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// loginVia posts a login with the given forwarded headers and returns the
// response and its body.
func loginVia(t *testing.T, f *fixture, login, password string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	c := f.client(t)
	tok := c.csrf("/login")
	h := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for k, v := range hdr {
		h[k] = v
	}
	form := url.Values{"login": {login}, "password": {password}, "csrf_token": {tok}, "next": {"/plan"}}
	return c.do("POST", "/login", strings.NewReader(form.Encode()), h)
}

func sessionCookieOf(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == "sidi_session" && c.Value != "" {
			return c
		}
	}
	return nil
}

// TestTrustedProxyThrottleAndSecureCookie: behind a trusted proxy the login
// throttle counts the forwarded client address and the session cookie is
// Secure when the proxy says the client used HTTPS; from any other peer the
// same headers change nothing.
func TestTrustedProxyThrottleAndSecureCookie(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.auth.MaxFailures = 2
		pw := demoPassword(t, f, "demo-admin")
		xff := func(ip string) map[string]string { return map[string]string{"X-Forwarded-For": ip} }

		// The test server's peer is 127.0.0.1: trust it.
		f.web.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		for _, name := range []string{"ghost-1", "ghost-2"} {
			if resp, _ := loginVia(t, f, name, "wrong-password", xff("203.0.113.5")); resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("bad login: status %d", resp.StatusCode)
			}
		}
		if resp, body := loginVia(t, f, "demo-admin", pw, xff("203.0.113.5")); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "该地址登录失败次数过多") {
			t.Errorf("forwarded address not throttled: status %d", resp.StatusCode)
		}
		resp, _ := loginVia(t, f, "demo-admin", pw, map[string]string{"X-Forwarded-For": "203.0.113.6", "X-Forwarded-Proto": "https"})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("another client behind the proxy was throttled too: status %d", resp.StatusCode)
		}
		if c := sessionCookieOf(resp); c == nil || !c.Secure {
			t.Errorf("session cookie behind an HTTPS proxy not Secure: %+v", c)
		}
		if resp.Header.Get("Strict-Transport-Security") == "" {
			t.Error("no HSTS behind an HTTPS proxy")
		}
		entries, _, err := f.auth.LoginLog(t.Context(), auth.CLI("test"), auth.LoginLogFilter{Login: "ghost-1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].IP != "203.0.113.5" {
			t.Errorf("login log of ghost-1: %+v; want ip 203.0.113.5", entries)
		}

		// Not trusted: the headers are ignored, the peer is the client.
		f.web.TrustedProxies = nil
		for _, name := range []string{"ghost-3", "ghost-4"} {
			loginVia(t, f, name, "wrong-password", xff("203.0.113."+name[len(name)-1:]))
		}
		resp, body := loginVia(t, f, "demo-admin", pw, map[string]string{"X-Forwarded-For": "203.0.113.99", "X-Forwarded-Proto": "https"})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "该地址登录失败次数过多") {
			t.Errorf("spoofed X-Forwarded-For escaped the throttle: status %d", resp.StatusCode)
		}
		f.web.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} // trusts someone else
		resp, _ = loginVia(t, f, "demo-admin", pw, map[string]string{"X-Forwarded-For": "203.0.113.6", "X-Forwarded-Proto": "https"})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("untrusted peer's X-Forwarded-For believed: status %d", resp.StatusCode)
		}
		for _, c := range resp.Cookies() {
			if c.Secure {
				t.Errorf("cookie %s Secure on plain HTTP from an untrusted peer", c.Name)
			}
		}
		if resp.Header.Get("Strict-Transport-Security") != "" {
			t.Error("HSTS from an untrusted X-Forwarded-Proto")
		}
	})
}
