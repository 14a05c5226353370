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

// TestUnlockAuditEntries pins what UnlockUser leaves: the counters and the
// throttle row reset, and the entry "unlock" {login, failed_count,
// locked_until} → the same with 0 and null (locked_until the zero time
// before when the account was not locked); refusals change nothing.
func TestUnlockAuditEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.user("wang.wu", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		for i := 1; i <= 5; i++ {
			e.svc.Login(e.ctx, "wang.wu", fmt.Sprintf("Guess#%04d", i), fmt.Sprintf("10.0.0.%d", i), "ua")
		}
		locked, err := e.svc.GetUser(e.ctx, e.admin, u.ID)
		if err != nil || locked.LockedUntil.IsZero() || locked.FailedCount == 0 {
			t.Fatalf("not locked: %+v, %v", locked, err)
		}
		counts := []string{`SELECT COUNT(*) FROM users WHERE locked_until IS NULL`, `SELECT COUNT(*) FROM login_throttle`}
		kittest.Refused(t, db, counts, []kittest.Refusal{
			{Name: "supervisor", Kind: apperr.ErrForbidden, Msg: "您没有执行此操作的权限",
				Write: func() error {
					return e.svc.UnlockUser(e.ctx, auth.Principal{UserID: 999, Login: "x", Roles: roles(auth.RoleSupervisor)}, u.ID)
				}},
			{Name: "missing user", Kind: apperr.ErrNotFound, Msg: "用户不存在（编号 999999）",
				Write: func() error { return e.svc.UnlockUser(e.ctx, e.admin, 999999) }},
		})
		throttled := e.count(`SELECT COUNT(*) FROM login_throttle`)
		for range 2 { // the second time the account is not locked: still an entry
			if err := e.svc.UnlockUser(e.ctx, e.admin, u.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got := e.count(`SELECT COUNT(*) FROM login_throttle`); got != throttled-1 {
			t.Errorf("login_throttle rows %d → %d, want the account's row removed", throttled, got)
		}
		if got, _ := e.svc.GetUser(e.ctx, e.admin, u.ID); got.FailedCount != 0 || !got.LockedUntil.IsZero() {
			t.Errorf("after unlock: %d failures, locked until %v", got.FailedCount, got.LockedUntil)
		}
		id := fmt.Sprint(u.ID)
		after := map[string]any{"login": "wang.wu", "failed_count": 0, "locked_until": nil}
		want := []string{
			kittest.Entry(t, id, "unlock", map[string]any{"login": "wang.wu", "failed_count": locked.FailedCount, "locked_until": locked.LockedUntil}, after),
			kittest.Entry(t, id, "unlock", map[string]any{"login": "wang.wu", "failed_count": 0, "locked_until": "0001-01-01T00:00:00Z"}, after),
		}
		kittest.Entries(t, db, "user", want, "unlock")
		if _, err := audit.Verify(e.ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}
