package auth_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/kit/kittest"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var tokenFormat = regexp.MustCompile(`^sidi_[A-Z2-7]{40}$`)

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		owner := e.user("token.owner", pw, "qh-drc", auth.ScopeOwn, auth.RoleReporter, auth.RoleApprover)
		e.user("someone.else", pw, "qh-drc", auth.ScopeOwn, auth.RoleReporter)
		e.settled("token.owner")
		e.settled("someone.else")
		p, _, _ := e.login("token.owner", pw, "10.0.0.1")
		other, _, _ := e.login("someone.else", pw, "10.0.0.2")

		_, _, err := e.svc.CreateToken(e.ctx, p, "越权", roles(auth.RoleReporter, auth.RoleAdmin), time.Hour)
		wantErr(t, "token with a role the owner lacks", err, apperr.ErrForbidden, nil)
		if !strings.Contains(apperr.Message(err), "系统管理员") {
			t.Errorf("message %q does not name the role", apperr.Message(err))
		}
		_, _, err = e.svc.CreateToken(e.ctx, p, " ", roles(auth.RoleReporter), time.Hour)
		wantErr(t, "token without a name", err, apperr.ErrInvalid, nil)
		_, _, err = e.svc.CreateToken(e.ctx, e.admin, "cli", roles(auth.RoleAdmin), time.Hour)
		wantErr(t, "token for the command line", err, apperr.ErrForbidden, nil)

		short, shortTok, err := e.svc.CreateToken(e.ctx, p, "日报脚本", roles(auth.RoleReporter), 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		both, bothTok, err := e.svc.CreateToken(e.ctx, p, "同步", roles(auth.RoleApprover, auth.RoleReporter), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, plain := range []string{short, both} {
			if !tokenFormat.MatchString(plain) {
				t.Errorf("token %q is not sidi_ and 40 base32 characters", plain)
			}
			if n := e.count(`SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1 OR prefix = $1 OR name = $1`, plain); n != 0 {
				t.Error("the plaintext token is stored")
			}
		}
		if short == both || !shortTok.ExpiresAt.Equal(e.clock.Now().Add(24*time.Hour)) || !bothTok.ExpiresAt.IsZero() {
			t.Errorf("tokens %+v and %+v", shortTok, bothTok)
		}
		list, err := e.svc.ListTokens(e.ctx, p)
		if err != nil || len(list) != 2 || list[0].ID != bothTok.ID || !sameRoles(list[0].Roles, roles(auth.RoleReporter, auth.RoleApprover)) {
			t.Errorf("ListTokens = %+v, %v", list, err)
		}
		if theirs, _ := e.svc.ListTokens(e.ctx, other); len(theirs) != 0 {
			t.Errorf("someone else sees %d tokens", len(theirs))
		}

		tp, err := e.svc.TokenPrincipal(e.ctx, short, "10.5.5.5")
		if err != nil {
			t.Fatal(err)
		}
		if tp.UserID != owner.ID || tp.Login != "token.owner" || tp.DeptID != e.dept("qh-drc") || tp.IP != "10.5.5.5" ||
			!sameRoles(tp.Roles, roles(auth.RoleReporter)) {
			t.Errorf("token principal %+v", tp)
		}

		// The token's roles shrink with the owner's.
		if _, err := e.svc.UpdateUser(e.ctx, e.admin, owner.ID, auth.UserPatch{Roles: roles(auth.RoleApprover)}); err != nil {
			t.Fatal(err)
		}
		if tp, err := e.svc.TokenPrincipal(e.ctx, both, ""); err != nil || !sameRoles(tp.Roles, roles(auth.RoleApprover)) {
			t.Errorf("after the owner lost reporter: %+v, %v", tp, err)
		}
		if tp, err := e.svc.TokenPrincipal(e.ctx, short, ""); err != nil || len(tp.Roles) != 0 {
			t.Errorf("reporter-only token after the owner lost reporter: %+v, %v", tp, err)
		}

		// Expiry.
		e.clock.Advance(24 * time.Hour)
		_, err = e.svc.TokenPrincipal(e.ctx, short, "")
		wantErr(t, "expired token", err, apperr.ErrUnauthenticated, auth.ErrTokenInvalid)
		if !strings.Contains(apperr.Message(err), "已过期") {
			t.Errorf("expired message %q", apperr.Message(err))
		}

		// Revocation: only the owner or an administrator.
		err = e.svc.RevokeToken(e.ctx, other, bothTok.ID)
		wantErr(t, "revoking someone else's token", err, apperr.ErrNotFound, nil)
		if _, err := e.svc.TokenPrincipal(e.ctx, both, ""); err != nil {
			t.Fatalf("token dead after a refused revocation: %v", err)
		}
		if err := e.svc.RevokeToken(e.ctx, p, bothTok.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RevokeToken(e.ctx, p, bothTok.ID); err != nil {
			t.Errorf("second revocation: %v", err)
		}
		_, err = e.svc.TokenPrincipal(e.ctx, both, "")
		wantErr(t, "revoked token", err, apperr.ErrUnauthenticated, auth.ErrTokenInvalid)
		if !strings.Contains(apperr.Message(err), "吊销") {
			t.Errorf("revoked message %q", apperr.Message(err))
		}

		// An administrator may revoke anyone's token.
		theirs, theirsTok, err := e.svc.CreateToken(e.ctx, other, "x", roles(auth.RoleReporter), 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RevokeToken(e.ctx, e.admin, theirsTok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.TokenPrincipal(e.ctx, theirs, ""); err == nil {
			t.Error("token revoked by an administrator still works")
		}
		// The revocations' entries: the token as it was, and then with the
		// time it was revoked; the second revocation left none.
		for _, tok := range []auth.APIToken{bothTok, theirsTok} {
			var revokes []string
			for _, en := range kittest.AuditEntries(t, db, "api_token") {
				if strings.HasPrefix(en, fmt.Sprintf("%d revoke ", tok.ID)) {
					revokes = append(revokes, strings.TrimPrefix(en, fmt.Sprintf("%d revoke ", tok.ID)))
				}
			}
			if len(revokes) != 1 {
				t.Fatalf("token %d: revoke entries %q, want one", tok.ID, revokes)
			}
			ba, aa, _ := strings.Cut(revokes[0], " → ")
			var before, after map[string]any
			if err := json.Unmarshal([]byte(ba), &before); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(aa), &after); err != nil {
				t.Fatal(err)
			}
			at, err := time.Parse(time.RFC3339Nano, fmt.Sprint(after["revoked_at"]))
			delete(after, "revoked_at")
			if err != nil || at.IsZero() || before["name"] != tok.Name || before["revoked_at"] != nil || !maps.EqualFunc(before, after, func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
				t.Errorf("token %d: revoke entry %s (revoked at %v, %v)", tok.ID, revokes[0], at, err)
			}
		}
		if _, err := audit.Verify(e.ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
		revoke := func(p auth.Principal, id int64) func() error {
			return func() error { return e.svc.RevokeToken(e.ctx, p, id) }
		}
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL`}, []kittest.Refusal{
			{Name: "anonymous", Kind: apperr.ErrUnauthenticated, Msg: "请先登录", Write: revoke(auth.Principal{}, shortTok.ID)},
			{Name: "someone else's", Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("令牌不存在（编号 %d）", shortTok.ID), Write: revoke(other, shortTok.ID)},
			{Name: "unknown", Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("令牌不存在（编号 %d）", shortTok.ID+100), Write: revoke(p, shortTok.ID+100)},
		})

		// A disabled owner's tokens stop working.
		p.Roles = roles(auth.RoleApprover)
		live, _, err := e.svc.CreateToken(e.ctx, p, "y", roles(auth.RoleApprover), 0)
		if err != nil {
			t.Fatal(err)
		}
		disabled := auth.StatusDisabled
		if _, err := e.svc.UpdateUser(e.ctx, e.admin, owner.ID, auth.UserPatch{Status: &disabled}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.TokenPrincipal(e.ctx, live, "")
		wantErr(t, "token of a disabled account", err, apperr.ErrUnauthenticated, auth.ErrDisabled)

		for _, bad := range []string{"", "sidi_", "sidi_short", "ghp_" + strings.Repeat("A", 40), "sidi_" + strings.Repeat("A", 40)} {
			_, err := e.svc.TokenPrincipal(e.ctx, bad, "")
			wantErr(t, "token "+bad, err, apperr.ErrUnauthenticated, auth.ErrTokenInvalid)
		}
	})
}

// TestTokenCannotManageTokens: a token cannot mint, revoke or end
// sessions, so a leaked token cannot outlive its own revocation through a
// child, nor lock its owner out.
func TestTokenCannotManageTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user("leaky", pw, "qh-drc", auth.ScopeOwn, auth.RoleReporter)
		e.settled("leaky")
		p, _, _ := e.login("leaky", pw, "10.0.0.1")
		plain, tok, err := e.svc.CreateToken(e.ctx, p, "脚本", roles(auth.RoleReporter), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		tp, err := e.svc.TokenPrincipal(e.ctx, plain, "10.6.6.6")
		if err != nil {
			t.Fatal(err)
		}
		if tp.TokenID != tok.ID {
			t.Fatalf("token principal carries token %d, want %d", tp.TokenID, tok.ID)
		}
		_, _, err = e.svc.CreateToken(e.ctx, tp, "子令牌", roles(auth.RoleReporter), 0)
		wantErr(t, "a token mints a child token", err, apperr.ErrForbidden, nil)
		if n := e.count(`SELECT COUNT(*) FROM api_tokens`); n != 1 {
			t.Fatalf("%d tokens after a refused mint, want 1", n)
		}
		err = e.svc.RevokeToken(e.ctx, tp, tok.ID)
		wantErr(t, "a token revokes a token", err, apperr.ErrForbidden, nil)
		err = e.svc.LogoutEverywhere(e.ctx, tp)
		wantErr(t, "a token logs out everywhere", err, apperr.ErrForbidden, nil)
		err = e.svc.ChangePassword(e.ctx, tp, "", pw, "Other#Pass2025")
		wantErr(t, "a token changes the password", err, apperr.ErrForbidden, nil)
		if n := e.count(`SELECT COUNT(*) FROM sessions WHERE revoked_at IS NULL`); n != 1 {
			t.Errorf("%d live sessions after the token's attempts, want 1", n)
		}
		// Revoked through the session, the token is gone with no heir.
		if err := e.svc.RevokeToken(e.ctx, p, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.TokenPrincipal(e.ctx, plain, ""); err == nil {
			t.Fatal("revoked token still works")
		}
		if n := e.count(`SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL`); n != 0 {
			t.Errorf("%d live tokens after revoking the only one", n)
		}
	})
}

// TestTokensFollowThePassword: a token stops working when its owner's
// password is changed or reset after it was issued, and while a password
// change is due.
func TestTokensFollowThePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.user("owner", pw, "qh-drc", auth.ScopeOwn, auth.RoleReporter)
		const pw2, pw3 = "Second#Pass2025", "Third#Pass2025"
		mint := func(p auth.Principal) string {
			t.Helper()
			plain, _, err := e.svc.CreateToken(e.ctx, p, "脚本", roles(auth.RoleReporter), 0)
			if err != nil {
				t.Fatal(err)
			}
			return plain
		}
		works := func(what, plain string, want bool) {
			t.Helper()
			_, err := e.svc.TokenPrincipal(e.ctx, plain, "")
			if want && err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if !want {
				wantErr(t, what, err, apperr.ErrUnauthenticated, auth.ErrTokenInvalid)
			}
		}

		// The initial password must be changed first: no token before that.
		p, _, tok := e.login("owner", pw, "10.0.0.1")
		_, _, err := e.svc.CreateToken(e.ctx, p, "脚本", roles(auth.RoleReporter), 0)
		wantErr(t, "token while the initial password is pending", err, apperr.ErrForbidden, nil)
		if err := e.svc.ChangePassword(e.ctx, p, tok, pw, pw2); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Second)
		first := mint(p)
		works("token after the change", first, true)

		// The owner changes the password: the earlier token dies, a new one works.
		e.clock.Advance(time.Second)
		if err := e.svc.ChangePassword(e.ctx, p, tok, pw2, pw3); err != nil {
			t.Fatal(err)
		}
		works("token issued before the owner's change", first, false)
		e.clock.Advance(time.Second)
		second := mint(p)
		works("token issued after the change", second, true)

		// Password too old: tokens pause until it is changed.
		e.svc.PasswordMaxAge = 24 * time.Hour
		e.clock.Advance(25 * time.Hour)
		works("token while an aged password is due", second, false)
		e.svc.PasswordMaxAge = 0
		works("token once no change is due", second, true)

		// An administrator resets the password: the token dies, and stays dead.
		e.clock.Advance(time.Second)
		if err := e.svc.ResetPassword(e.ctx, e.admin, u.ID, "Reset#Pass2025"); err != nil {
			t.Fatal(err)
		}
		works("token after an administrator's reset", second, false)
		e.settled("owner")
		works("token issued before the reset, flag cleared", second, false)
	})
}
