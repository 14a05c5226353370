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

// TestUpdateUserAuditEntries pins UpdateUser's entries ("update", the
// account as an administrator set it, before and after), that a patch
// changing nothing leaves none, and that refusals change nothing.
func TestUpdateUserAuditEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		root, rootP, u, token := e.rootAndUser()
		view := func(u auth.User) map[string]any {
			return map[string]any{"login": u.Login, "name": u.Name, "dept_id": u.DeptID, "roles": u.Roles, "scope": u.Scope,
				"status": u.Status, "phone": u.Phone, "email": u.Email, "must_change_password": u.MustChangePassword}
		}
		name, phone, drc, subtree, empty := "钱十", "13800000000", e.dept("qh-drc"), auth.ScopeSubtree, auth.Scope("")
		disabled, bad := auth.StatusDisabled, auth.UserStatus("gone")
		patch := auth.UserPatch{Name: &name, Phone: &phone, DeptID: &drc, Scope: &subtree, Roles: roles(auth.RoleApprover, auth.RoleReporter)}
		update := func(p auth.Principal, id int64, patch auth.UserPatch) func() error {
			return func() error { _, err := e.svc.UpdateUser(e.ctx, p, id, patch); return err }
		}
		counts := []string{`SELECT COUNT(*) FROM users WHERE status = 'active'`, `SELECT COUNT(*) FROM user_roles`,
			`SELECT COUNT(*) FROM users WHERE name = '钱十' OR scope = 'subtree'`}
		kittest.Refused(t, db, counts, []kittest.Refusal{
			{Name: "not an administrator", Kind: apperr.ErrForbidden, Msg: "您没有执行此操作的权限",
				Write: update(auth.Principal{UserID: 999, Login: "x", Roles: roles(auth.RoleSupervisor)}, u.ID, patch)},
			{Name: "no such user", Kind: apperr.ErrNotFound, Msg: "用户不存在（编号 424242）", Write: update(rootP, 424242, patch)},
			{Name: "empty scope", Kind: apperr.ErrInvalid, Msg: "请选择数据权限", Write: update(rootP, u.ID, auth.UserPatch{Name: &name, Scope: &empty})},
			{Name: "unknown status", Kind: apperr.ErrInvalid, Msg: "未知账号状态“gone”，可选：active（正常）、disabled（停用）",
				Write: update(rootP, u.ID, auth.UserPatch{Name: &name, Status: &bad})},
			{Name: "disable self", Kind: apperr.ErrInvalid, Msg: "不能停用当前登录的账号", Write: update(rootP, root.ID, auth.UserPatch{Status: &disabled})},
			{Name: "demote the last administrator", Kind: apperr.ErrConflict, Msg: "系统中至少须保留一名启用状态的系统管理员",
				Write: update(e.admin, root.ID, auth.UserPatch{Roles: roles(auth.RoleSupervisor)})},
		})
		got, err := e.svc.UpdateUser(e.ctx, rootP, u.ID, patch)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := e.svc.UpdateUser(e.ctx, rootP, u.ID, patch); err != nil || again.Name != name {
			t.Fatalf("the same patch again: %+v, %v", again, err)
		}
		off, err := e.svc.UpdateUser(e.ctx, rootP, u.ID, auth.UserPatch{Status: &disabled})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Authenticate(e.ctx, token, "10.0.0.2"); err == nil {
			t.Error("a disabled account's session still works")
		}
		id := fmt.Sprint(u.ID)
		want := []string{
			kittest.Entry(t, id, "update", view(u), view(got)),
			kittest.Entry(t, id, "update", view(got), view(off)),
		}
		kittest.Entries(t, db, "user", want, "update")
		if _, err := audit.Verify(e.ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}
