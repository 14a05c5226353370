package auth_test

import (
	"fmt"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/kit/kittest"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestResetPasswordAuditEntries pins ResetPassword's entries
// ("reset_password", {login, must_change_password} before, the same with
// true and the number of sessions it ended after) and that refusals change
// nothing: no password, no history, no entry.
func TestResetPasswordAuditEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.user("sun.qi", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		e.login("sun.qi", pw, "10.0.0.1")
		e.login("sun.qi", pw, "10.0.0.2")
		reset := func(p auth.Principal, id int64, pw string) func() error {
			return func() error { return e.svc.ResetPassword(e.ctx, p, id, pw) }
		}
		counts := []string{`SELECT COUNT(*) FROM password_history`, `SELECT COUNT(*) FROM users WHERE must_change_password = true`,
			`SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL`}
		kittest.Refused(t, db, counts, []kittest.Refusal{
			{Name: "not an administrator", Kind: apperr.ErrForbidden, Msg: "您没有执行此操作的权限",
				Write: reset(auth.Principal{UserID: 999, Login: "x", Roles: roles(auth.RoleSupervisor)}, u.ID, "Reset#Pass2025")},
			{Name: "no such user", Kind: apperr.ErrNotFound, Msg: "用户不存在（编号 424242）", Write: reset(e.admin, 424242, "Reset#Pass2025")},
			{Name: "the current password", Kind: apperr.ErrInvalid, Msg: "新密码不能与最近 5 次使用过的密码相同，请另设一个", Write: reset(e.admin, u.ID, pw)},
			{Name: "too short", Kind: apperr.ErrInvalid, Msg: apperr.Message(auth.CheckPasswordPolicy("Ab#1", "sun.qi")), Write: reset(e.admin, u.ID, "Ab#1")},
		})
		if err := reset(e.admin, u.ID, "Reset#Pass2025")(); err != nil {
			t.Fatal(err)
		}
		e.settled("sun.qi")
		if err := reset(e.admin, u.ID, "Reset#Pass2026")(); err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprint(u.ID)
		want := []string{
			kittest.Entry(t, id, "reset_password", map[string]any{"login": "sun.qi", "must_change_password": true},
				map[string]any{"login": "sun.qi", "must_change_password": true, "sessions_ended": 2}),
			kittest.Entry(t, id, "reset_password", map[string]any{"login": "sun.qi", "must_change_password": false},
				map[string]any{"login": "sun.qi", "must_change_password": true, "sessions_ended": 0}),
		}
		kittest.Entries(t, db, "user", want, "reset_password")
		if _, _, err := e.svc.Login(e.ctx, "sun.qi", "Reset#Pass2026", "10.0.0.3", "ua"); err != nil {
			t.Errorf("login with the reset password: %v", err)
		}
		if _, err := audit.Verify(e.ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}
