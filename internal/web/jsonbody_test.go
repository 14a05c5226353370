package web_test

import (
	"net/http"
	"strings"
	"testing"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestJSONBodiesRefuseNUL: a JSON body whose strings hold NUL (which
// PostgreSQL cannot store in text) is refused with a message naming the
// field, on both engines, whatever route it is sent to; nothing is written.
func TestJSONBodiesRefuseNUL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client(t)
		c.login("demo-admin", demoPassword(t, f, "demo-admin"))
		tok := c.csrf("/account/tokens")
		hdr := map[string]string{"Content-Type": "application/json", "X-CSRF-Token": tok}
		cases := []struct{ path, body, field string }{
			{"/api/v1/account/tokens", `{"name":"脚本\u0000","roles":["admin"],"expires_days":1}`, "name"},
			{"/api/v1/admin/users", `{"login":"nul-user","name":"张\u0000三","dept_id":1,"roles":["reporter"],"scope":"own","password":"Abcdefg1!x"}`, "name"},
			{"/api/v1/account/tokens", `{"name":"ok","roles":["admin"],"expires_days":1,"x":{"y":["a","\u0000"]}}`, "x.y[1]"},
			{"/api/v1/account/tokens", `{"na\u0000me":"ok"}`, "字段名"},
		}
		for _, tc := range cases {
			resp, body := c.do("POST", tc.path, strings.NewReader(tc.body), hdr)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "空字符") || !strings.Contains(body, tc.field) {
				t.Errorf("POST %s %s: status %d, body %s; want 422 naming %s and 空字符", tc.path, tc.body, resp.StatusCode, body, tc.field)
			}
		}
		var n int
		if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM users WHERE login = 'nul-user'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("user written despite the refusal: %d, %v", n, err)
		}
		// An ordinary body still goes through.
		resp, body := c.do("POST", "/api/v1/account/tokens", strings.NewReader(`{"name":"脚本","roles":["admin"],"expires_days":1}`), hdr)
		if resp.StatusCode != http.StatusCreated {
			t.Errorf("ordinary token: status %d: %s", resp.StatusCode, body)
		}
	})
}
