package auth_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestCreateUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		samr := e.dept("qh-samr")
		ok := auth.NewUser{Login: "Chen.Jiu", Name: " 陈九 ", DeptID: samr, Roles: roles(auth.RoleApprover, auth.RoleReporter, auth.RoleReporter),
			Password: "Chen#Pass2025", Phone: "0971-1234567", Email: "chen@samr.qinghai.gov.cn"}
		u, err := e.svc.CreateUser(e.ctx, e.admin, ok)
		if err != nil {
			t.Fatal(err)
		}
		if u.Login != "chen.jiu" || u.Name != "陈九" || u.DeptName != "青海省市场监督管理局" || u.Scope != auth.ScopeOwn ||
			u.Status != auth.StatusActive || !u.MustChangePassword || !sameRoles(u.Roles, roles(auth.RoleReporter, auth.RoleApprover)) {
			t.Errorf("created %+v", u)
		}
		with := func(f func(*auth.NewUser)) auth.NewUser {
			n := ok
			n.Login = "another"
			f(&n)
			return n
		}
		cases := []struct {
			name string
			p    auth.Principal
			nu   auth.NewUser
			kind error
			msg  string
		}{
			{"duplicate login", e.admin, with(func(n *auth.NewUser) { n.Login = "chen.jiu" }), apperr.ErrConflict, "已被使用"},
			{"duplicate login in other case", e.admin, with(func(n *auth.NewUser) { n.Login = "CHEN.JIU" }), apperr.ErrConflict, "已被使用"},
			{"login too short", e.admin, with(func(n *auth.NewUser) { n.Login = "ab" }), apperr.ErrInvalid, "3–32 位"},
			{"login with Chinese", e.admin, with(func(n *auth.NewUser) { n.Login = "陈九" }), apperr.ErrInvalid, "小写英文字母"},
			{"login with space", e.admin, with(func(n *auth.NewUser) { n.Login = "chen jiu" }), apperr.ErrInvalid, "登录名"},
			{"login too long", e.admin, with(func(n *auth.NewUser) { n.Login = strings.Repeat("a", 33) }), apperr.ErrInvalid, "3–32 位"},
			{"no name", e.admin, with(func(n *auth.NewUser) { n.Name = "  " }), apperr.ErrInvalid, "请填写姓名"},
			{"unknown department", e.admin, with(func(n *auth.NewUser) { n.DeptID = 999999 }), apperr.ErrInvalid, "所属部门不存在"},
			{"renamed department", e.admin, with(func(n *auth.NewUser) { n.DeptID = e.dept("qh-pbc-xining") }), apperr.ErrInvalid, "已更名或撤销"},
			{"no roles", e.admin, with(func(n *auth.NewUser) { n.Roles = nil }), apperr.ErrInvalid, "至少选择一个角色"},
			{"unknown role", e.admin, with(func(n *auth.NewUser) { n.Roles = roles("root") }), apperr.ErrInvalid, "未知角色“root”"},
			{"unknown scope", e.admin, with(func(n *auth.NewUser) { n.Scope = "province" }), apperr.ErrInvalid, "未知数据权限"},
			{"weak password", e.admin, with(func(n *auth.NewUser) { n.Password = "password" }), apperr.ErrInvalid, "至少三类"},
			{"password contains login", e.admin, with(func(n *auth.NewUser) { n.Password = "Another#2025" }), apperr.ErrInvalid, "不能包含登录名"},
			{"no password", e.admin, with(func(n *auth.NewUser) { n.Password = "" }), apperr.ErrInvalid, "初始密码"},
			{"bad phone", e.admin, with(func(n *auth.NewUser) { n.Phone = "call me" }), apperr.ErrInvalid, "联系电话"},
			{"bad email", e.admin, with(func(n *auth.NewUser) { n.Email = "chen@" }), apperr.ErrInvalid, "电子邮箱"},
			{"not an administrator", auth.Principal{UserID: 5, Login: "sup", Roles: roles(auth.RoleSupervisor)}, with(func(*auth.NewUser) {}), apperr.ErrForbidden, "没有执行此操作的权限"},
			{"the public", auth.Principal{}, with(func(*auth.NewUser) {}), apperr.ErrUnauthenticated, "请先登录"},
		}
		for _, c := range cases {
			_, err := e.svc.CreateUser(e.ctx, c.p, c.nu)
			wantErr(t, c.name, err, c.kind, nil)
			if !strings.Contains(apperr.Message(err), c.msg) {
				t.Errorf("%s: message %q lacks %q", c.name, apperr.Message(err), c.msg)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM users`); n != 1 {
			t.Errorf("%d users after one good and many bad creations", n)
		}
	})
}

func TestUpdateUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		root, rootP, u, token := e.rootAndUser()

		name, phone, drc, subtree := "钱十", "13800000000", e.dept("qh-drc"), auth.ScopeSubtree
		got, err := e.svc.UpdateUser(e.ctx, rootP, u.ID, auth.UserPatch{Name: &name, Phone: &phone, DeptID: &drc, Scope: &subtree,
			Roles: roles(auth.RoleApprover)})
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != name || got.Phone != phone || got.DeptID != drc || got.Scope != subtree || !sameRoles(got.Roles, roles(auth.RoleApprover)) {
			t.Errorf("updated %+v", got)
		}
		// Roles and department apply to the live session at once.
		p, _, err := e.svc.Authenticate(e.ctx, token, "10.0.0.2")
		if err != nil || !sameRoles(p.Roles, roles(auth.RoleApprover)) || p.DeptID != drc || p.Scope != subtree {
			t.Errorf("live session principal %+v, %v", p, err)
		}
		if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE entity = 'user' AND entity_id = $1 AND action = 'update' AND actor = 'root.admin'`, itoa(u.ID)); n != 1 {
			t.Errorf("update audited %d times", n)
		}

		// Disabling ends the sessions and refuses the right password.
		disabled, active := auth.StatusDisabled, auth.StatusActive
		if _, err := e.svc.UpdateUser(e.ctx, rootP, u.ID, auth.UserPatch{Status: &disabled}); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.Authenticate(e.ctx, token, "10.0.0.2")
		wantErr(t, "session of a disabled account", err, apperr.ErrUnauthenticated, nil)
		_, _, err = e.svc.Login(e.ctx, "qian.shi", pw, "10.0.0.2", "ua")
		wantErr(t, "login of a disabled account", err, apperr.ErrUnauthenticated, auth.ErrDisabled)
		if msg := apperr.Message(err); !strings.Contains(msg, "已停用") {
			t.Errorf("disabled message %q", msg)
		}
		if _, err := e.svc.UpdateUser(e.ctx, rootP, u.ID, auth.UserPatch{Status: &active}); err != nil {
			t.Fatal(err)
		}
		e.login("qian.shi", pw, "10.0.0.2")

		// Lock-out protection for administrators.
		bad := auth.UserStatus("gone")
		cases := []struct {
			name  string
			p     auth.Principal
			id    int64
			patch auth.UserPatch
			kind  error
		}{
			{"disable self", rootP, root.ID, auth.UserPatch{Status: &disabled}, apperr.ErrInvalid},
			{"demote self", rootP, root.ID, auth.UserPatch{Roles: roles(auth.RoleSupervisor)}, apperr.ErrInvalid},
			{"demote the last administrator", e.admin, root.ID, auth.UserPatch{Roles: roles(auth.RoleSupervisor)}, apperr.ErrConflict},
			{"disable the last administrator", e.admin, root.ID, auth.UserPatch{Status: &disabled}, apperr.ErrConflict},
			{"unknown status", rootP, u.ID, auth.UserPatch{Status: &bad}, apperr.ErrInvalid},
			{"empty roles", rootP, u.ID, auth.UserPatch{Roles: []auth.Role{}}, apperr.ErrInvalid},
			{"no such user", rootP, 424242, auth.UserPatch{Name: &name}, apperr.ErrNotFound},
			{"not an administrator", p, u.ID, auth.UserPatch{Name: &name}, apperr.ErrForbidden},
		}
		for _, c := range cases {
			_, err := e.svc.UpdateUser(e.ctx, c.p, c.id, c.patch)
			wantErr(t, c.name, err, c.kind, nil)
		}
		// With a second administrator, the first may be demoted.
		if _, err := e.svc.UpdateUser(e.ctx, rootP, u.ID, auth.UserPatch{Roles: roles(auth.RoleAdmin)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateUser(e.ctx, e.admin, root.ID, auth.UserPatch{Roles: roles(auth.RoleSupervisor)}); err != nil {
			t.Fatalf("demote with another administrator present: %v", err)
		}
	})
}

func TestBootstrap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		if has, err := e.svc.HasUsers(e.ctx); err != nil || has {
			t.Fatalf("HasUsers on an empty database = %v, %v", has, err)
		}
		_, err := e.svc.Bootstrap(e.ctx, "admin", "管理员", "weak")
		wantErr(t, "weak password", err, apperr.ErrInvalid, nil)
		u, err := e.svc.Bootstrap(e.ctx, "Admin", "管理员", "First#Root2025")
		if err != nil {
			t.Fatal(err)
		}
		if u.Login != "admin" || u.DeptID != e.dept("qh-samr") || u.Scope != auth.ScopeAll || u.MustChangePassword ||
			!sameRoles(u.Roles, roles(auth.RoleAdmin)) {
			t.Errorf("bootstrapped %+v", u)
		}
		if has, err := e.svc.HasUsers(e.ctx); err != nil || !has {
			t.Fatalf("HasUsers after bootstrap = %v, %v", has, err)
		}
		_, err = e.svc.Bootstrap(e.ctx, "admin2", "管理员二", "Weak")
		wantErr(t, "second bootstrap", err, apperr.ErrConflict, nil)
		if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE entity = 'user' AND action = 'bootstrap' AND actor = 'system'`); n != 1 {
			t.Errorf("bootstrap audited %d times", n)
		}
		_, sess, _ := e.login("admin", "First#Root2025", "127.0.0.1")
		if sess.MustChangePassword {
			t.Error("the first administrator must change the password they just chose")
		}
	})
}

// TestAuditHasNoSecrets: every account change is audited, and no password,
// hash or token ever reaches the audit log.
func TestAuditHasNoSecrets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const initial, reset, changed = "Audit#Init2025", "Audit#Reset2025", "Audit#Change2025"
		u := e.user("audit.me", initial, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		if err := e.svc.ResetPassword(e.ctx, e.admin, u.ID, reset); err != nil {
			t.Fatal(err)
		}
		p, _, token := e.login("audit.me", reset, "10.0.0.1")
		if err := e.svc.ChangePassword(e.ctx, p, token, reset, changed); err != nil {
			t.Fatal(err)
		}
		plain, tok, err := e.svc.CreateToken(e.ctx, p, "脚本", roles(auth.RoleReporter), 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RevokeToken(e.ctx, p, tok.ID); err != nil {
			t.Fatal(err)
		}
		e.svc.UnlockUser(e.ctx, e.admin, u.ID)
		if _, err := e.svc.EnsureDemoAccounts(e.ctx); err != nil {
			t.Fatal(err)
		}

		var hash, tokenHash string
		db.Reader().QueryRowContext(e.ctx, `SELECT password_hash FROM users WHERE id = $1`, u.ID).Scan(&hash)
		db.Reader().QueryRowContext(e.ctx, `SELECT token_hash FROM api_tokens WHERE id = $1`, tok.ID).Scan(&tokenHash)
		secrets := []string{"argon2", initial, reset, changed, auth.DemoPassword, plain, tokenHash, hash, token}

		rows, err := db.Reader().QueryContext(e.ctx, `SELECT entity, action, actor, before, after FROM audit_log WHERE entity IN ('user', 'api_token') ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		actions := map[string]int{}
		for rows.Next() {
			var entity, action, actor, before, after string
			if err := rows.Scan(&entity, &action, &actor, &before, &after); err != nil {
				t.Fatal(err)
			}
			actions[entity+"/"+action]++
			for _, s := range secrets {
				if strings.Contains(before, s) || strings.Contains(after, s) {
					t.Errorf("audit %s/%s by %s contains a secret (%.12s…): %s → %s", entity, action, actor, s, before, after)
				}
			}
		}
		rows.Close()
		want := map[string]int{"user/create": 1, "user/reset_password": 1, "user/change_password": 1, "user/unlock": 1,
			"api_token/create": 1, "api_token/revoke": 1, "user/create_demo": 9}
		for k, n := range want {
			if actions[k] != n {
				t.Errorf("%d audit records %s, want %d", actions[k], k, n)
			}
		}
		var after string
		db.Reader().QueryRowContext(e.ctx, `SELECT after FROM audit_log WHERE entity = 'user' AND action = 'create'`).Scan(&after)
		if !strings.Contains(after, `"login":"audit.me"`) || !strings.Contains(after, `"must_change_password":true`) {
			t.Errorf("creation audit %s", after)
		}
		if _, err := audit.Verify(context.Background(), db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

func TestEnsureDemoAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.svc.DemoLogins = true // as in sidi demo
		first, err := e.svc.EnsureDemoAccounts(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		second, err := e.svc.EnsureDemoAccounts(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != 9 || len(second) != 9 {
			t.Fatalf("%d and %d demo accounts, want 9", len(first), len(second))
		}
		if n := e.count(`SELECT COUNT(*) FROM users`); n != 9 {
			t.Fatalf("%d users after two runs, want 9", n)
		}
		want := []struct {
			login, dept string
			role        auth.Role
			scope       auth.Scope
		}{
			{"demo-admin", "青海省市场监督管理局", auth.RoleAdmin, auth.ScopeAll},
			{"demo-supervisor", "青海省市场监督管理局", auth.RoleSupervisor, auth.ScopeAll},
			{"demo-reporter-samr", "青海省市场监督管理局", auth.RoleReporter, auth.ScopeOwn},
			{"demo-approver-samr", "青海省市场监督管理局", auth.RoleApprover, auth.ScopeOwn},
			{"demo-reporter-drc", "青海省发展和改革委员会", auth.RoleReporter, auth.ScopeOwn},
			{"demo-approver-drc", "青海省发展和改革委员会", auth.RoleApprover, auth.ScopeOwn},
			{"demo-reporter-xining", "西宁市人民政府", auth.RoleReporter, auth.ScopeSubtree},
			{"demo-inspector", "青海省市场监督管理局", auth.RoleInspector, auth.ScopeOwn},
			{"demo-enterprise", "青海省", auth.RoleEnterprise, auth.ScopeOwn},
		}
		for i, w := range want {
			a := second[i]
			if a != first[i] || a.Login != w.login || a.Dept != w.dept || a.RoleLabel != auth.RoleNames[w.role] || !strings.HasPrefix(a.Name, "演示-") {
				t.Errorf("demo account %d: %+v", i, a)
			}
			if err := auth.CheckPasswordPolicy(a.Password, a.Login); err != nil {
				t.Errorf("%s: demo password fails the policy: %v", a.Login, err)
			}
			p, sess, _ := e.login(a.Login, a.Password, "127.0.0.1")
			if sess.MustChangePassword {
				t.Errorf("%s must change the password", a.Login)
			}
			if !sameRoles(p.Roles, roles(w.role)) || p.Scope != w.scope || !strings.HasPrefix(p.Name, "演示-") {
				t.Errorf("%s: principal %+v", a.Login, p)
			}
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestDemoAccountsOnlyInDemo: outside `sidi demo` the demo accounts and
// their published password open nothing — no login, no live session, no
// token — and RemoveDemoAccounts retires them for good.
func TestDemoAccountsOnlyInDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user("real.admin", pw, "qh-samr", auth.ScopeAll, auth.RoleAdmin)
		// A database filled by sidi demo: accounts, a session and a token.
		e.svc.DemoLogins = true
		if _, err := e.svc.EnsureDemoAccounts(e.ctx); err != nil {
			t.Fatal(err)
		}
		p, _, session := e.login("demo-admin", auth.DemoPassword, "127.0.0.1")
		token, _, err := e.svc.CreateToken(e.ctx, p, "演示脚本", roles(auth.RoleAdmin), 0)
		if err != nil {
			t.Fatal(err)
		}
		active, err := e.svc.ActiveDemoAccounts(e.ctx)
		if err != nil || len(active) != 9 {
			t.Fatalf("active demo accounts %v, %v", active, err)
		}

		// The same database served by sidi serve.
		e.svc.DemoLogins = false
		for _, login := range []string{"demo-admin", " DEMO-Reporter-DRC "} {
			_, _, err := e.svc.Login(e.ctx, login, auth.DemoPassword, "127.0.0.1", "ua")
			wantErr(t, "login as "+login, err, apperr.ErrUnauthenticated, auth.ErrDisabled)
			if msg := apperr.Message(err); !strings.Contains(msg, "演示账号仅在 sidi demo 中可用") || !strings.Contains(msg, "sidi user remove-demo") {
				t.Errorf("message %q", msg)
			}
		}
		_, _, err = e.svc.Authenticate(e.ctx, session, "127.0.0.1")
		wantErr(t, "a demo session", err, apperr.ErrUnauthenticated, auth.ErrDisabled)
		_, err = e.svc.TokenPrincipal(e.ctx, token, "127.0.0.1")
		wantErr(t, "a demo token", err, apperr.ErrUnauthenticated, auth.ErrDisabled)
		if got := e.outcomes("demo-admin"); !slices.Equal(got, []string{"success", "disabled"}) {
			t.Errorf("demo-admin log %v", got)
		}
		if _, _, err := e.svc.Login(e.ctx, "real.admin", pw, "127.0.0.1", "ua"); err != nil {
			t.Fatalf("a real account: %v", err)
		}

		// Retiring them: administrators only, audited, idempotent.
		_, err = e.svc.RemoveDemoAccounts(e.ctx, auth.Principal{UserID: 5, Login: "x", Roles: roles(auth.RoleSupervisor)})
		wantErr(t, "a supervisor retires the demo accounts", err, apperr.ErrForbidden, nil)
		done, err := e.svc.RemoveDemoAccounts(e.ctx, e.admin)
		if err != nil || len(done) != 9 {
			t.Fatalf("RemoveDemoAccounts = %v, %v", done, err)
		}
		if again, err := e.svc.RemoveDemoAccounts(e.ctx, e.admin); err != nil || len(again) != 0 {
			t.Fatalf("second RemoveDemoAccounts = %v, %v", again, err)
		}
		if active, _ := e.svc.ActiveDemoAccounts(e.ctx); len(active) != 0 {
			t.Errorf("still active: %v", active)
		}
		if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE action = 'disable_demo'`); n != 9 {
			t.Errorf("%d disable_demo audit records, want 9", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.login LIKE 'demo-%' AND s.revoked_at IS NULL`); n != 0 {
			t.Errorf("%d demo sessions still live", n)
		}
		if n := e.count(`SELECT COUNT(*) FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.login LIKE 'demo-%' AND t.revoked_at IS NULL`); n != 0 {
			t.Errorf("%d demo tokens still live", n)
		}
		// Even a later demo run cannot log them back in: they stay disabled.
		e.svc.DemoLogins = true
		_, _, err = e.svc.Login(e.ctx, "demo-admin", auth.DemoPassword, "127.0.0.1", "ua")
		wantErr(t, "a retired demo account under sidi demo", err, apperr.ErrUnauthenticated, auth.ErrDisabled)
	})
}
