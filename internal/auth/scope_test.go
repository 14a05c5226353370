package auth_test

import (
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestDataScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.svc.DemoLogins = true // as in sidi demo
		demos, err := e.svc.EnsureDemoAccounts(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		who := map[string]auth.Principal{}
		for _, d := range demos {
			p, _, _ := e.login(d.Login, d.Password, "127.0.0.1")
			who[d.Login] = p
		}
		cases := []struct {
			login, dept string
			want        bool
		}{
			{"demo-reporter-drc", "qh-drc", true},
			{"demo-reporter-drc", "qh-samr", false},
			{"demo-approver-samr", "qh-samr", true},
			{"demo-approver-samr", "qh-drc", false},
			{"demo-reporter-xining", "630100", true},
			{"demo-reporter-xining", "630102", true},  // 城东区
			{"demo-reporter-xining", "630123", true},  // 湟源县
			{"demo-reporter-xining", "630200", false}, // 海东市
			{"demo-reporter-xining", "630202", false}, // 乐都区
			{"demo-reporter-xining", "qh", false},
			{"demo-admin", "630202", true},
			{"demo-supervisor", "qh-drc", true},
			{"demo-enterprise", "qh", true},
			{"demo-enterprise", "qh-samr", false},
			{"demo-inspector", "qh-samr", true},
			{"demo-inspector", "630100", false},
		}
		for _, c := range cases {
			got, err := e.svc.CanAccessDept(e.ctx, who[c.login], e.dept(c.dept))
			if err != nil || got != c.want {
				t.Errorf("CanAccessDept(%s, %s) = %v, %v; want %v", c.login, c.dept, got, err, c.want)
			}
		}

		all, ids, err := e.svc.DeptsInScope(e.ctx, who["demo-reporter-xining"])
		if err != nil || all || len(ids) != 8 { // 西宁市 and its seven districts and counties
			t.Errorf("西宁市 subtree: all=%v, %d ids, %v", all, len(ids), err)
		}
		if all, _, _ := e.svc.DeptsInScope(e.ctx, who["demo-admin"]); !all {
			t.Error("administrator does not see everything")
		}
		// Administrators see everything whatever their stored scope.
		admin := who["demo-admin"]
		admin.Scope = auth.ScopeOwn
		if all, _, _ := e.svc.DeptsInScope(e.ctx, admin); !all {
			t.Error("administrator with scope own is limited")
		}
		if all, ids, _ := e.svc.DeptsInScope(e.ctx, auth.Principal{}); all || len(ids) != 0 {
			t.Errorf("the public sees all=%v %v", all, ids)
		}

		// Listing and reading accounts follow the scope.
		lists := []struct {
			login string
			f     auth.UserFilter
			want  int
		}{
			{"demo-admin", auth.UserFilter{}, 9},
			{"demo-supervisor", auth.UserFilter{}, 9},
			{"demo-reporter-drc", auth.UserFilter{}, 2},
			{"demo-approver-samr", auth.UserFilter{}, 5}, // admin, supervisor, reporter, approver, inspector
			{"demo-reporter-xining", auth.UserFilter{}, 1},
			{"demo-enterprise", auth.UserFilter{}, 1},
			{"demo-admin", auth.UserFilter{DeptID: e.dept("qh"), IncludeSubtree: true}, 9},
			{"demo-admin", auth.UserFilter{DeptID: e.dept("qh")}, 1},
			{"demo-admin", auth.UserFilter{Query: "西宁"}, 1},
			{"demo-admin", auth.UserFilter{Query: "DEMO-REPORTER"}, 3},
			{"demo-admin", auth.UserFilter{Query: "%"}, 0},
			{"demo-admin", auth.UserFilter{Role: auth.RoleApprover}, 2},
			{"demo-admin", auth.UserFilter{Status: auth.StatusDisabled}, 0},
			{"demo-reporter-drc", auth.UserFilter{DeptID: e.dept("qh-samr")}, 0},
		}
		for _, c := range lists {
			users, total, err := e.svc.ListUsers(e.ctx, who[c.login], c.f)
			if err != nil || total != c.want || len(users) != c.want {
				t.Errorf("ListUsers as %s %+v: %d users, total %d, %v; want %d", c.login, c.f, len(users), total, err, c.want)
			}
		}
		users, total, err := e.svc.ListUsers(e.ctx, who["demo-admin"], auth.UserFilter{Offset: 8, Limit: 5})
		if err != nil || total != 9 || len(users) != 1 || users[0].Login != "demo-enterprise" || len(users[0].Roles) != 1 {
			t.Errorf("second page: %+v, %d, %v", users, total, err)
		}
		_, _, err = e.svc.ListUsers(e.ctx, auth.Principal{}, auth.UserFilter{})
		wantErr(t, "the public lists users", err, apperr.ErrUnauthenticated, nil)

		samrReporter := who["demo-reporter-samr"].UserID
		if _, err := e.svc.GetUser(e.ctx, who["demo-reporter-drc"], samrReporter); err == nil {
			t.Error("发展改革委 reporter reads a 市场监管局 account")
		}
		if u, err := e.svc.GetUser(e.ctx, who["demo-approver-samr"], samrReporter); err != nil || u.Login != "demo-reporter-samr" {
			t.Errorf("colleague in the same department: %+v, %v", u, err)
		}
		if _, err := e.svc.GetUser(e.ctx, who["demo-enterprise"], who["demo-enterprise"].UserID); err != nil {
			t.Errorf("reading oneself: %v", err)
		}
	})
}
