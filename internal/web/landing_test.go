package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestLoginLandsOnDesk: a sign-in that names no page lands on 我的工作台,
// which shows each role its own work: reporting for departments, its
// declarations and the way to declare for an enterprise.
func TestLoginLandsOnDesk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedDemo(t, auth.CLI("test"))
		cases := []struct {
			login      string
			want, lack []string
		}{
			{"demo-reporter-samr", []string{"待办事项", "当前报送周期", "下载本单位报送表格", "本单位的任务"}, []string{"本企业的标准自我声明"}},
			{"demo-supervisor", []string{"待办事项", "当前报送周期"}, []string{"本企业的标准自我声明", "下载本单位报送表格"}},
			{"demo-enterprise", []string{"本企业的标准自我声明", `href="/declarations/new"`, "声明执行的标准"}, []string{"当前报送周期", "待办事项", "报送表格", "本单位的任务"}}, // no empty table of its body's tasks
		}
		for _, c := range cases {
			cl := f.client(t)
			tok := cl.csrf("/login")
			resp, _ := cl.postForm("/login", url.Values{"login": {c.login}, "password": {auth.DemoPassword}, "csrf_token": {tok}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/my" {
				t.Errorf("%s signs in to %d %q, want 303 /my", c.login, resp.StatusCode, resp.Header.Get("Location"))
				continue
			}
			_, page := cl.get("/my")
			for _, w := range c.want {
				if !strings.Contains(page, w) {
					t.Errorf("%s's desk lacks %q", c.login, w)
				}
			}
			for _, w := range c.lack {
				if strings.Contains(page, w) {
					t.Errorf("%s's desk shows %q", c.login, w)
				}
			}
			// Signed in, /login goes to the desk too; a named page still wins.
			if resp, _ := cl.get("/login"); resp.Header.Get("Location") != "/my" {
				t.Errorf("%s: /login while signed in goes to %q", c.login, resp.Header.Get("Location"))
			}
			if resp, _ := cl.get("/login?next=/plan"); resp.Header.Get("Location") != "/plan" {
				t.Errorf("%s: /login?next=/plan goes to %q", c.login, resp.Header.Get("Location"))
			}
		}
	})
}
