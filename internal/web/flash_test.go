package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestFlashMessages: a status message reaches the next page in a signed,
// short-lived cookie and shows once; text in ?msg= or a forged cookie never
// shows as an official notice, on public pages nor cached ones.
func TestFlashMessages(t *testing.T) {
	f := newFixture(t, storetest.Open(t, store.SQLite))

	// Text in the address is not a notice (the public page is cached, too).
	anon := f.client(t)
	for i := 0; i < 2; i++ {
		for _, p := range []string{"/plan?msg=" + url.QueryEscape("系统升级，请拨打400-000-0000"), "/login?msg=" + url.QueryEscape("请拨打400-000-0000")} {
			if _, body := anon.get(p); strings.Contains(body, "400-000-0000") {
				t.Fatalf("%s shows the text of ?msg=", p)
			}
		}
	}

	// A real message: logging out.
	c := f.client(t)
	c.login("demo-admin", demoPassword(t, f, "demo-admin"))
	tok := c.csrf("/plan")
	resp, _ := c.postForm("/logout", url.Values{"csrf_token": {tok}})
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || loc != "/login" {
		t.Fatalf("logout: %d %q (want a redirect to /login with no message in the address)", resp.StatusCode, loc)
	}
	var flash *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "sidi_flash" {
			flash = ck
		}
	}
	if flash == nil || !flash.HttpOnly || flash.MaxAge <= 0 || flash.MaxAge > 300 {
		t.Fatalf("flash cookie %+v: want HttpOnly and short-lived", flash)
	}
	if _, body := c.get(loc); !strings.Contains(body, "您已安全退出") {
		t.Fatal("the message does not show on the page after the redirect")
	}
	if _, body := c.get(loc); strings.Contains(body, "您已安全退出") {
		t.Fatal("the message shows a second time")
	}

	// A cookie with forged text but the signature of another message.
	good := strings.SplitN(flash.Value, ".", 2)
	forged := "57O757uf5Y2H57qn77yM6K-35ouo5omTNDAwLTAwMC0wMDAw" + "." + good[1] // "系统升级，请拨打400-000-0000"
	for _, v := range []string{forged, "garbage", good[0] + ".", "." + good[1]} {
		req, _ := http.NewRequest("GET", f.srv.URL+"/plan", nil)
		req.AddCookie(&http.Cookie{Name: "sidi_flash", Value: v})
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if strings.Contains(string(b), "400-000-0000") || strings.Contains(string(b), "您已安全退出") {
			t.Errorf("cookie %q: a message without a valid signature was shown", v)
		}
	}
}
