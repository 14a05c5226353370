package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestEnterprisePages: the directory list searches names (former ones too)
// and codes; an enterprise's page shows its public sections to everyone
// and its users only to staff and its own users.
func TestEnterprisePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		admin := auth.CLI("test")
		f.seedDemo(t, admin)
		text := func(q string) string {
			t.Helper()
			var s string
			if err := db.Reader().QueryRowContext(ctx, q).Scan(&s); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return s
		}
		own := text(`SELECT e.credit_code FROM enterprises e JOIN user_enterprise u ON u.enterprise_id = e.id JOIN users us ON us.id = u.user_id WHERE us.login = 'demo-enterprise' ORDER BY e.id LIMIT 1`)
		other := text(`SELECT credit_code FROM enterprises WHERE id NOT IN (SELECT enterprise_id FROM user_enterprise) ORDER BY id LIMIT 1`)
		operator := text(`SELECT e.credit_code FROM enterprises e JOIN bases b ON b.operator_id = e.id ORDER BY e.id LIMIT 1`)
		dir := f.set.Standards.Directory()
		e, err := dir.ByCreditCode(ctx, operator)
		if err != nil {
			t.Fatal(err)
		}
		renamed, err := dir.Rename(ctx, admin, e.ID, e.Name+"（更名后）", "")
		if err != nil {
			t.Fatal(err)
		}

		// The heading of the linked users' section ("企业用户" alone is
		// also the enterprise role's name in the page header).
		const users = `企业用户 <span class="tag">仅内部可见</span>`
		public := f.client(t)
		supervisor := f.client(t)
		supervisor.login("demo-supervisor", demoPassword(t, f, "demo-supervisor"))
		entUser := f.client(t)
		entUser.login("demo-enterprise", demoPassword(t, f, "demo-enterprise"))

		for _, c := range []struct {
			name     string
			c        *client
			path     string
			status   int
			want     []string
			dontWant []string
		}{
			// The register's management page is offered by its route
			// (LinkFrom), to those it admits only.
			{"list", public, "/enterprises", http.StatusOK, []string{"企业名录", "/enterprises/9"}, []string{`href="/declarations/enterprises"`}},
			{"list, supervisor", supervisor, "/enterprises", http.StatusOK, []string{`<a href="/declarations/enterprises">登记企业、关联企业用户</a>`}, nil},
			{"list, enterprise user", entUser, "/enterprises", http.StatusOK, nil, []string{`href="/declarations/enterprises"`}},
			{"search by former name", public, "/enterprises?q=" + url.QueryEscape(e.Name), http.StatusOK, []string{renamed.Name, "共 1 家"}, nil},
			{"search by code", public, "/enterprises?q=" + strings.ToLower(own[:12]), http.StatusOK, []string{"/enterprises/" + own}, nil},
			{"bad region filter", public, "/enterprises?region=63x", http.StatusUnprocessableEntity, []string{"行政区划应为"}, nil},
			{"public, own enterprise's page", public, "/enterprises/" + own, http.StatusOK,
				[]string{"企业标准自我声明", "标准化生产基地", "标准化试点", "标准奖励"}, []string{users, "demo-enterprise"}},
			{"public, renamed operator", public, "/enterprises/" + operator, http.StatusOK,
				[]string{renamed.Name, "曾用名", e.Name, "/bases/"}, []string{users}},
			{"supervisor sees the users", supervisor, "/enterprises/" + own, http.StatusOK, []string{users, "demo-enterprise"}, nil},
			{"the enterprise's own user sees them", entUser, "/enterprises/" + own, http.StatusOK, []string{users, "demo-enterprise"}, nil},
			{"another enterprise's user does not", entUser, "/enterprises/" + other, http.StatusOK, []string{"企业标准自我声明"}, []string{users}},
			{"unknown code", public, "/enterprises/91630100MA752XK3A" + "0", http.StatusNotFound, nil, nil},
			{"not a code", public, "/enterprises/abc", http.StatusNotFound, []string{"18 位"}, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				resp, body := c.c.get(c.path)
				if resp.StatusCode != c.status {
					t.Fatalf("GET %s: %d, want %d", c.path, resp.StatusCode, c.status)
				}
				for _, w := range c.want {
					if !strings.Contains(body, w) {
						t.Errorf("GET %s lacks %q", c.path, w)
					}
				}
				for _, w := range c.dontWant {
					if strings.Contains(body, w) {
						t.Errorf("GET %s shows %q", c.path, w)
					}
				}
			})
		}
	})
}
