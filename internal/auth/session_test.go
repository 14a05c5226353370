package auth_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

const pw = "Sidi#Test2025"

func TestLoginRotatesSession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.user("zhang.san", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter, auth.RoleApprover)
		s1, t1, err := e.svc.Login(e.ctx, " Zhang.San ", pw, "10.1.1.1", "Firefox")
		if err != nil {
			t.Fatal(err)
		}
		s2, t2, err := e.svc.Login(e.ctx, "zhang.san", pw, "10.1.1.1", "Firefox")
		if err != nil {
			t.Fatal(err)
		}
		if t1 == t2 || s1.ID == s2.ID || s1.CSRFToken == s2.CSRFToken {
			t.Fatal("two logins share a token, session id or CSRF token")
		}
		for i, c := range []struct {
			token string
			sess  *auth.Session
		}{{t1, s1}, {t2, s2}} {
			if len(c.token) < 43 {
				t.Errorf("token %d is only %d characters", i, len(c.token))
			}
			sum := sha256.Sum256([]byte(c.token))
			if c.sess.ID != hex.EncodeToString(sum[:]) {
				t.Errorf("session id %d is not the SHA-256 of its token", i)
			}
			if n := e.count(`SELECT COUNT(*) FROM sessions WHERE id = $1 OR csrf_token = $1 OR user_agent = $1`, c.token); n != 0 {
				t.Errorf("the raw token %d is stored", i)
			}
			p, sess, err := e.svc.Authenticate(e.ctx, c.token, "10.9.9.9")
			if err != nil {
				t.Fatalf("session %d: %v", i, err)
			}
			if sess.ID != c.sess.ID || sess.CSRFToken != c.sess.CSRFToken || !sess.CheckCSRF(c.sess.CSRFToken) || sess.CheckCSRF("x") {
				t.Errorf("session %d came back as %+v", i, sess)
			}
			if !sess.MustChangePassword {
				t.Error("a new account's session does not require a password change")
			}
			if !sess.ExpiresAt.Equal(e.clock.Now().Add(12 * time.Hour)) {
				t.Errorf("expires %v, want 12 h after login", sess.ExpiresAt)
			}
			want := auth.Principal{UserID: u.ID, Login: "zhang.san", Name: "测试-zhang.san", DeptID: e.dept("qh-samr"),
				Roles: roles(auth.RoleReporter, auth.RoleApprover), Scope: auth.ScopeOwn, IP: "10.9.9.9"}
			if fmt.Sprint(p) != fmt.Sprint(want) {
				t.Errorf("principal %+v, want %+v", p, want)
			}
		}
		if got := e.outcomes("zhang.san"); !slices.Equal(got, []string{"success", "success"}) {
			t.Errorf("login log %v", got)
		}
	})
}

func TestWrongPasswordAndUnknownUserLookAlike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user("li.si", pw, "qh-drc", auth.ScopeOwn, auth.RoleReporter)
		_, _, errBad := e.svc.Login(e.ctx, "li.si", "Wrong#Pass1", "10.0.0.1", "ua")
		_, _, errUnknown := e.svc.Login(e.ctx, "nobody", "Wrong#Pass1", "10.0.0.2", "ua")
		wantErr(t, "bad password", errBad, apperr.ErrUnauthenticated, auth.ErrBadCredentials)
		wantErr(t, "unknown user", errUnknown, apperr.ErrUnauthenticated, auth.ErrBadCredentials)
		if apperr.Message(errBad) != "用户名或密码错误" || apperr.Message(errUnknown) != "用户名或密码错误" {
			t.Errorf("messages %q and %q", apperr.Message(errBad), apperr.Message(errUnknown))
		}
		if got := e.outcomes("li.si"); !slices.Equal(got, []string{"bad_password"}) {
			t.Errorf("li.si log %v", got)
		}
		if got := e.outcomes("nobody"); !slices.Equal(got, []string{"unknown_user"}) {
			t.Errorf("nobody log %v", got)
		}
		if n := e.count(`SELECT COUNT(*) FROM login_log WHERE login = 'nobody' AND user_id IS NULL`); n != 1 {
			t.Errorf("unknown user logged with a user id")
		}
		_, _, err := e.svc.Login(e.ctx, "", "", "10.0.0.1", "ua")
		wantErr(t, "empty", err, apperr.ErrInvalid, nil)
	})
}

func TestAccountLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.user("wang.wu", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		// Each guess from a different address, so only the account counts.
		for i := 1; i <= 5; i++ {
			_, _, err := e.svc.Login(e.ctx, "wang.wu", fmt.Sprintf("Guess#%04d", i), fmt.Sprintf("10.0.0.%d", i), "ua")
			wantErr(t, fmt.Sprintf("guess %d", i), err, apperr.ErrUnauthenticated, auth.ErrBadCredentials)
			if locked := strings.Contains(apperr.Message(err), "账号已锁定"); locked != (i == 5) {
				t.Errorf("guess %d: message %q", i, apperr.Message(err))
			}
			e.clock.Advance(time.Minute)
		}
		got, err := e.svc.GetUser(e.ctx, e.admin, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.FailedCount != 5 || !got.Locked(e.clock.Now()) {
			t.Errorf("after five failures: failed_count %d, locked until %v", got.FailedCount, got.LockedUntil)
		}
		// The right password no longer opens it, from anywhere.
		for _, ip := range []string{"10.0.0.1", "10.0.0.99"} {
			_, _, err := e.svc.Login(e.ctx, "wang.wu", pw, ip, "ua")
			wantErr(t, "right password while locked from "+ip, err, apperr.ErrUnauthenticated, auth.ErrLocked)
			// Locked at 09:04 Beijing time for 15 minutes: retry after 09:19.
			if msg := apperr.Message(err); !strings.Contains(msg, "09:19 后重试") {
				t.Errorf("lock message %q does not say when to retry", msg)
			}
		}
		e.clock.Advance(13 * time.Minute) // 09:18, 14 minutes after the lock
		_, _, err = e.svc.Login(e.ctx, "wang.wu", pw, "10.0.0.50", "ua")
		wantErr(t, "one minute before the lock ends", err, apperr.ErrUnauthenticated, auth.ErrLocked)
		e.clock.Advance(time.Minute + time.Second)
		if _, _, err := e.svc.Login(e.ctx, "wang.wu", pw, "10.0.0.50", "ua"); err != nil {
			t.Fatalf("after the lock ran out: %v", err)
		}
		if got, _ := e.svc.GetUser(e.ctx, e.admin, u.ID); got.FailedCount != 0 || !got.LockedUntil.IsZero() {
			t.Errorf("success did not reset the counters: %d, %v", got.FailedCount, got.LockedUntil)
		}
		want := []string{"bad_password", "bad_password", "bad_password", "bad_password", "bad_password", "locked", "locked", "locked", "success"}
		if got := e.outcomes("wang.wu"); !slices.Equal(got, want) {
			t.Errorf("login log %v, want %v", got, want)
		}

		// Success reset the count: four more failures do not lock.
		for i := 0; i < 4; i++ {
			e.svc.Login(e.ctx, "wang.wu", "Guess#0000", fmt.Sprintf("10.0.1.%d", i), "ua")
		}
		if _, _, err := e.svc.Login(e.ctx, "wang.wu", pw, "10.0.2.1", "ua"); err != nil {
			t.Fatalf("four failures after a success locked the account: %v", err)
		}

		// An administrator can lift a lock early.
		for i := 0; i < 5; i++ {
			e.svc.Login(e.ctx, "wang.wu", "Guess#0000", fmt.Sprintf("10.0.3.%d", i), "ua")
		}
		if _, _, err := e.svc.Login(e.ctx, "wang.wu", pw, "10.0.4.1", "ua"); err == nil {
			t.Fatal("not locked after five more failures")
		}
		if err := e.svc.UnlockUser(e.ctx, auth.Principal{UserID: 999, Login: "x", Roles: roles(auth.RoleSupervisor)}, u.ID); err == nil {
			t.Fatal("a supervisor unlocked an account")
		}
		if err := e.svc.UnlockUser(e.ctx, e.admin, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Login(e.ctx, "wang.wu", pw, "10.0.4.1", "ua"); err != nil {
			t.Fatalf("after unlock: %v", err)
		}
	})
}

func TestUnknownAccountsLockToo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for i := 0; i < 5; i++ {
			e.svc.Login(e.ctx, "ghost", "Guess#0000", fmt.Sprintf("10.0.0.%d", i), "ua")
		}
		_, _, err := e.svc.Login(e.ctx, "ghost", "Guess#0000", "10.0.0.77", "ua")
		wantErr(t, "sixth guess at an unknown name", err, apperr.ErrUnauthenticated, auth.ErrLocked)
	})
}

func TestThrottlePerAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		for _, l := range []string{"a.one", "b.two", "c.three", "d.four"} {
			e.user(l, pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		}
		const ip = "192.0.2.7"
		// One wrong guess each at five different names from one address.
		for _, l := range []string{"a.one", "b.two", "c.three", "nobody1", "nobody2"} {
			_, _, err := e.svc.Login(e.ctx, l, "Guess#0000", ip, "ua")
			wantErr(t, "guess at "+l, err, apperr.ErrUnauthenticated, auth.ErrBadCredentials)
		}
		// The address is now refused even for a right password of an untouched account.
		_, _, err := e.svc.Login(e.ctx, "d.four", pw, ip, "ua")
		wantErr(t, "from the throttled address", err, apperr.ErrUnauthenticated, auth.ErrThrottled)
		if msg := apperr.Message(err); !strings.Contains(msg, "该地址") || !strings.Contains(msg, "后重试") {
			t.Errorf("throttle message %q", msg)
		}
		if got := e.outcomes("d.four"); !slices.Equal(got, []string{"throttled"}) {
			t.Errorf("d.four log %v", got)
		}
		// Other addresses are unaffected, and so is each account (one failure each).
		if _, _, err := e.svc.Login(e.ctx, "a.one", pw, "192.0.2.8", "ua"); err != nil {
			t.Fatalf("from another address: %v", err)
		}
		e.clock.Advance(15 * time.Minute)
		if _, _, err := e.svc.Login(e.ctx, "d.four", pw, ip, "ua"); err != nil {
			t.Fatalf("after the address lock ran out: %v", err)
		}
	})
}

func TestFailuresOutsideTheWindowDoNotLock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user("slow.typist", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		for i := 0; i < 8; i++ {
			e.svc.Login(e.ctx, "slow.typist", "Guess#0000", fmt.Sprintf("10.0.0.%d", i), "ua")
			e.clock.Advance(4 * time.Minute) // at most 4 failures in any 15 minutes
		}
		if _, _, err := e.svc.Login(e.ctx, "slow.typist", pw, "10.0.1.1", "ua"); err != nil {
			t.Fatalf("failures spread over 32 minutes locked the account: %v", err)
		}
	})
}

func TestSessionTimeouts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user("idle.user", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)

		t.Run("idle", func(t *testing.T) {
			_, _, token := e.login("idle.user", pw, "10.0.0.1")
			for i := 0; i < 3; i++ {
				e.clock.Advance(29 * time.Minute)
				if _, _, err := e.svc.Authenticate(e.ctx, token, "10.0.0.1"); err != nil {
					t.Fatalf("active use %d: %v", i, err)
				}
			}
			e.clock.Advance(30*time.Minute + time.Second)
			for i := 0; i < 2; i++ {
				_, _, err := e.svc.Authenticate(e.ctx, token, "10.0.0.1")
				wantErr(t, "idle", err, apperr.ErrUnauthenticated, auth.ErrSessionExpired)
				if msg := apperr.Message(err); msg != "登录已超时，请重新登录" {
					t.Errorf("message %q", msg)
				}
			}
			if n := e.count(`SELECT COUNT(*) FROM login_log WHERE login = 'idle.user' AND outcome = 'expired'`); n != 1 {
				t.Errorf("expired logged %d times, want once", n)
			}
		})

		t.Run("touch at most once a minute", func(t *testing.T) {
			_, sess, token := e.login("idle.user", pw, "10.0.0.1")
			lastSeen := func() time.Time {
				var at time.Time
				if err := db.Reader().QueryRowContext(e.ctx, `SELECT last_seen_at FROM sessions WHERE id = $1`, sess.ID).Scan(&at); err != nil {
					t.Fatal(err)
				}
				return at.UTC()
			}
			start := lastSeen()
			e.clock.Advance(30 * time.Second)
			e.svc.Authenticate(e.ctx, token, "10.0.0.1")
			if got := lastSeen(); !got.Equal(start) {
				t.Errorf("touched after 30 s: %v → %v", start, got)
			}
			e.clock.Advance(31 * time.Second)
			e.svc.Authenticate(e.ctx, token, "10.0.0.1")
			if got := lastSeen(); !got.Equal(e.clock.Now()) {
				t.Errorf("not touched after 61 s: %v, want %v", got, e.clock.Now())
			}
		})

		t.Run("absolute", func(t *testing.T) {
			_, _, token := e.login("idle.user", pw, "10.0.0.1")
			for i := 0; i < 35; i++ { // 11 h 40 min of steady use
				e.clock.Advance(20 * time.Minute)
				if _, _, err := e.svc.Authenticate(e.ctx, token, "10.0.0.1"); err != nil {
					t.Fatalf("after %v: %v", time.Duration(i+1)*20*time.Minute, err)
				}
			}
			e.clock.Advance(20 * time.Minute) // 12 h
			_, _, err := e.svc.Authenticate(e.ctx, token, "10.0.0.1")
			wantErr(t, "12 hours after login", err, apperr.ErrUnauthenticated, auth.ErrSessionExpired)
		})

		_, _, err := e.svc.Authenticate(e.ctx, "not-a-token", "10.0.0.1")
		wantErr(t, "unknown token", err, apperr.ErrUnauthenticated, auth.ErrSessionRevoked)
		_, _, err = e.svc.Authenticate(e.ctx, "", "10.0.0.1")
		wantErr(t, "no token", err, apperr.ErrUnauthenticated, nil)
	})
}

func TestLogout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user("zhao.liu", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		_, _, t1 := e.login("zhao.liu", pw, "10.0.0.1")
		_, _, t2 := e.login("zhao.liu", pw, "10.0.0.2")
		if err := e.svc.Logout(e.ctx, t1); err != nil {
			t.Fatal(err)
		}
		_, _, err := e.svc.Authenticate(e.ctx, t1, "10.0.0.1")
		wantErr(t, "after logout", err, apperr.ErrUnauthenticated, auth.ErrSessionRevoked)
		if err := e.svc.Logout(e.ctx, t1); err != nil {
			t.Fatalf("second logout: %v", err)
		}
		p, _, err := e.svc.Authenticate(e.ctx, t2, "10.0.0.2")
		if err != nil {
			t.Fatalf("the other session ended too: %v", err)
		}
		_, _, t3 := e.login("zhao.liu", pw, "10.0.0.3")
		if err := e.svc.LogoutEverywhere(e.ctx, p); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{t2, t3} {
			_, _, err := e.svc.Authenticate(e.ctx, tok, "10.0.0.2")
			wantErr(t, "after logout everywhere", err, apperr.ErrUnauthenticated, auth.ErrSessionRevoked)
		}
		want := []string{"success", "success", "logout", "success", "logout"}
		if got := e.outcomes("zhao.liu"); !slices.Equal(got, want) {
			t.Errorf("login log %v, want %v", got, want)
		}
		if n := e.count(`SELECT COUNT(*) FROM audit_log WHERE entity = 'user' AND action = 'logout_everywhere' AND actor = 'zhao.liu'`); n != 1 {
			t.Errorf("logout everywhere audited %d times", n)
		}
		if err := e.svc.LogoutEverywhere(e.ctx, auth.Principal{}); err == nil {
			t.Error("the public logged out everywhere")
		}
	})
}

func TestChangePassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user("sun.qi", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		p, sess, tA := e.login("sun.qi", pw, "10.0.0.1")
		_, _, tB := e.login("sun.qi", pw, "10.0.0.2")
		if !sess.MustChangePassword {
			t.Fatal("new account need not change its password")
		}
		cases := []struct {
			name, old, new string
			want           string
		}{
			{"wrong old", "Wrong#2025x", "Brand#New2025", "原密码不正确"},
			{"same", pw, pw, "不能与原密码相同"},
			{"weak", pw, "short", "长度至少 8 位"},
			{"contains login", pw, "Sun.Qi#2025", "不能包含登录名"},
		}
		for _, c := range cases {
			err := e.svc.ChangePassword(e.ctx, p, tA, c.old, c.new)
			wantErr(t, c.name, err, apperr.ErrInvalid, nil)
			if !strings.Contains(apperr.Message(err), c.want) {
				t.Errorf("%s: message %q lacks %q", c.name, apperr.Message(err), c.want)
			}
		}
		if err := e.svc.ChangePassword(e.ctx, p, tA, pw, "Brand#New2025"); err != nil {
			t.Fatal(err)
		}
		_, sess, err := e.svc.Authenticate(e.ctx, tA, "10.0.0.1")
		if err != nil {
			t.Fatalf("the session that changed the password ended: %v", err)
		}
		if sess.MustChangePassword {
			t.Error("must_change_password still set")
		}
		_, _, err = e.svc.Authenticate(e.ctx, tB, "10.0.0.2")
		wantErr(t, "other session", err, apperr.ErrUnauthenticated, auth.ErrSessionRevoked)
		if _, _, err := e.svc.Login(e.ctx, "sun.qi", pw, "10.0.0.3", "ua"); err == nil {
			t.Error("old password still works")
		}
		e.login("sun.qi", "Brand#New2025", "10.0.0.3")
	})
}

func TestPasswordHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		pws := []string{"First#0001", "Second#0002", "Third#0003", "Fourth#0004", "Fifth#0005", "Sixth#0006"}
		e.user("zhou.ba", pws[0], "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		p, _, token := e.login("zhou.ba", pws[0], "10.0.0.1")
		for i := 1; i < len(pws); i++ {
			if err := e.svc.ChangePassword(e.ctx, p, token, pws[i-1], pws[i]); err != nil {
				t.Fatalf("change %d: %v", i, err)
			}
		}
		current := pws[5]
		// The last five passwords are pws[1] … pws[5] (the current one).
		for i := 5; i >= 1; i-- {
			err := e.svc.ChangePassword(e.ctx, p, token, current, pws[i])
			wantErr(t, fmt.Sprintf("reuse of password %d", i+1), err, apperr.ErrInvalid, nil)
			if i < 5 && !strings.Contains(apperr.Message(err), "最近 5 次") {
				t.Errorf("reuse of password %d: %q", i+1, apperr.Message(err))
			}
		}
		// The sixth most recent is allowed again.
		if err := e.svc.ChangePassword(e.ctx, p, token, current, pws[0]); err != nil {
			t.Fatalf("the sixth password back was refused: %v", err)
		}
		if n := e.count(`SELECT COUNT(*) FROM password_history WHERE user_id = $1`, p.UserID); n != 5 {
			t.Errorf("password history keeps %d entries, want 5", n)
		}
		// An administrator's reset obeys the history too, and forces a change.
		err := e.svc.ResetPassword(e.ctx, e.admin, p.UserID, pws[5])
		wantErr(t, "reset to a recent password", err, apperr.ErrInvalid, nil)
		if err := e.svc.ResetPassword(e.ctx, e.admin, p.UserID, "Reset#Pass2025"); err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.Authenticate(e.ctx, token, "10.0.0.1")
		wantErr(t, "session after reset", err, apperr.ErrUnauthenticated, auth.ErrSessionRevoked)
		_, sess, _ := e.login("zhou.ba", "Reset#Pass2025", "10.0.0.1")
		if !sess.MustChangePassword {
			t.Error("reset password need not be changed")
		}
	})
}

func TestLoginLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user("log.user", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		e.user("idle.one", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		gone := e.user("gone.user", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		disabled := auth.StatusDisabled
		if _, err := e.svc.UpdateUser(e.ctx, e.admin, gone.ID, auth.UserPatch{Status: &disabled}); err != nil {
			t.Fatal(err)
		}
		start := e.clock.Now()
		_, _, token := e.login("log.user", pw, "10.0.0.1") // success
		e.svc.Logout(e.ctx, token)                         // logout
		_, _, idle := e.login("idle.one", pw, "10.0.0.1")  // success
		e.clock.Advance(31 * time.Minute)
		e.svc.Authenticate(e.ctx, idle, "10.0.0.1")                  // expired
		e.svc.Login(e.ctx, "nobody", "Guess#0000", "10.0.0.2", "ua") // unknown_user
		_, _, err := e.svc.Login(e.ctx, "gone.user", pw, "10.0.0.3", "ua")
		wantErr(t, "disabled account", err, apperr.ErrUnauthenticated, auth.ErrDisabled) // disabled
		e.clock.Advance(time.Minute)
		mark := e.clock.Now()
		for i := 0; i < 5; i++ { // bad_password ×5: locks log.user and 10.0.0.4
			e.svc.Login(e.ctx, "log.user", "Guess#0000", "10.0.0.4", "ua")
		}
		e.svc.Login(e.ctx, "log.user", pw, "10.0.0.5", "ua") // locked
		e.svc.Login(e.ctx, "idle.one", pw, "10.0.0.4", "ua") // throttled

		want := map[auth.Outcome]int{
			auth.OutcomeSuccess: 2, auth.OutcomeLogout: 1, auth.OutcomeExpired: 1, auth.OutcomeUnknownUser: 1,
			auth.OutcomeDisabled: 1, auth.OutcomeBadPassword: 5, auth.OutcomeLocked: 1, auth.OutcomeThrottled: 1,
		}
		all, total, err := e.svc.LoginLog(e.ctx, e.admin, auth.LoginLogFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if total != 13 || len(all) != 13 {
			t.Fatalf("%d entries (total %d), want 13", len(all), total)
		}
		if all[0].Outcome != auth.OutcomeThrottled || all[0].Login != "idle.one" || all[0].IP != "10.0.0.4" {
			t.Errorf("newest entry %+v", all[0])
		}
		for o, n := range want {
			got, total, err := e.svc.LoginLog(e.ctx, e.admin, auth.LoginLogFilter{Outcome: o})
			if err != nil {
				t.Fatal(err)
			}
			if total != n || len(got) != n {
				t.Errorf("outcome %s: %d entries (total %d), want %d", o, len(got), total, n)
			}
			if o == auth.OutcomeUnknownUser && len(got) == 1 && (got[0].UserID != 0 || got[0].UserAgent != "ua" || !got[0].At.Equal(start.Add(31*time.Minute))) {
				t.Errorf("unknown user entry %+v", got[0])
			}
		}
		filters := []struct {
			name string
			f    auth.LoginLogFilter
			want int
		}{
			{"by login", auth.LoginLogFilter{Login: "LOG.user"}, 8},
			{"from", auth.LoginLogFilter{From: mark}, 7},
			{"to", auth.LoginLogFilter{To: mark}, 6},
			{"window", auth.LoginLogFilter{From: start, To: start.Add(time.Second)}, 3},
			{"login and outcome", auth.LoginLogFilter{Login: "log.user", Outcome: auth.OutcomeBadPassword}, 5},
		}
		for _, c := range filters {
			if _, total, err := e.svc.LoginLog(e.ctx, e.admin, c.f); err != nil || total != c.want {
				t.Errorf("%s: total %d (%v), want %d", c.name, total, err, c.want)
			}
		}
		pageOf, total, err := e.svc.LoginLog(e.ctx, e.admin, auth.LoginLogFilter{Offset: 10, Limit: 5})
		if err != nil || total != 13 || len(pageOf) != 3 || pageOf[2].ID != all[12].ID {
			t.Errorf("last page: %d entries, total %d, %v", len(pageOf), total, err)
		}

		supervisor := auth.Principal{UserID: 1000, Login: "sup", Roles: roles(auth.RoleSupervisor), Scope: auth.ScopeAll}
		if _, _, err := e.svc.LoginLog(e.ctx, supervisor, auth.LoginLogFilter{}); err != nil {
			t.Errorf("supervisor: %v", err)
		}
		reporter := auth.Principal{UserID: 1001, Login: "rep", Roles: roles(auth.RoleReporter, auth.RoleApprover)}
		_, _, err = e.svc.LoginLog(e.ctx, reporter, auth.LoginLogFilter{})
		wantErr(t, "reporter reads the login log", err, apperr.ErrForbidden, nil)
		_, _, err = e.svc.LoginLog(e.ctx, auth.Principal{}, auth.LoginLogFilter{})
		wantErr(t, "the public reads the login log", err, apperr.ErrUnauthenticated, nil)

		// The login log cannot be rewritten through SQL.
		if _, err := db.Writer().ExecContext(e.ctx, `DELETE FROM login_log`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("delete from login_log: %v", err)
		}
	})
}

// TestConcurrentGuessesStillLock: parallel guesses cannot slip past the
// failure count, and they do not deadlock one another.
func TestConcurrentGuessesStillLock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user("target", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		const n = 12
		errs := make(chan error, n)
		for i := 0; i < n; i++ {
			go func() {
				_, _, err := e.svc.Login(e.ctx, "target", fmt.Sprintf("Guess#%04d", i), fmt.Sprintf("10.0.%d.1", i), "ua")
				errs <- err
			}()
		}
		for i := 0; i < n; i++ {
			err := <-errs
			if !errors.Is(err, auth.ErrBadCredentials) && !errors.Is(err, auth.ErrLocked) {
				t.Errorf("parallel guess: %v", err)
			}
		}
		_, _, err := e.svc.Login(e.ctx, "target", pw, "10.0.99.1", "ua")
		wantErr(t, "right password after parallel guesses", err, apperr.ErrUnauthenticated, auth.ErrLocked)
		bad := e.count(`SELECT COUNT(*) FROM login_log WHERE login = 'target' AND outcome = 'bad_password'`)
		locked := e.count(`SELECT COUNT(*) FROM login_log WHERE login = 'target' AND outcome = 'locked'`)
		if bad < 5 || bad+locked != n+1 {
			t.Errorf("%d bad_password and %d locked entries for %d guesses and one right password", bad, locked, n)
		}
	})
}

func TestRehashAndPasswordAge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.user("old.hash", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		stored := func() string {
			var h string
			db.Reader().QueryRowContext(e.ctx, `SELECT password_hash FROM users WHERE id = $1`, u.ID).Scan(&h)
			return h
		}
		if !strings.HasPrefix(stored(), "$argon2id$v=19$m=8192,t=1,p=2$") {
			t.Fatalf("stored %q", stored())
		}
		// New parameters apply to an old hash at the next successful login.
		e.svc.Argon2 = auth.Argon2Params{Memory: 4096, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
		e.login("old.hash", pw, "10.0.0.1")
		if !strings.HasPrefix(stored(), "$argon2id$v=19$m=4096,t=2,p=1$") {
			t.Fatalf("not rehashed: %q", stored())
		}
		e.login("old.hash", pw, "10.0.0.1")

		// With a maximum password age, old passwords must be changed.
		e.svc.PasswordMaxAge = 90 * 24 * time.Hour
		p, sess, token := e.login("old.hash", pw, "10.0.0.1")
		if err := e.svc.ChangePassword(e.ctx, p, token, pw, "Fresh#Pass2025"); err != nil {
			t.Fatal(err)
		}
		if _, sess, _ = e.login("old.hash", "Fresh#Pass2025", "10.0.0.1"); sess.MustChangePassword {
			t.Fatal("a fresh password must be changed")
		}
		e.clock.Advance(91 * 24 * time.Hour)
		if _, sess, _ = e.login("old.hash", "Fresh#Pass2025", "10.0.0.1"); !sess.MustChangePassword {
			t.Error("a 91-day-old password need not be changed")
		}
	})
}

// TestSuccessClearsOnlyTheAccount: a right password clears its account's
// failures but not the address's, so one valid account cannot be used to
// reset the address counter while spraying guesses at others.
func TestSuccessClearsOnlyTheAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user("mine", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		for _, l := range []string{"victim1", "victim2", "victim3", "victim4", "victim5"} {
			e.user(l, pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
		}
		const ip = "203.0.113.5"
		// Spray: a guess at each victim, with the sprayer's own login between.
		for i, v := range []string{"victim1", "victim2", "victim3", "victim4"} {
			_, _, err := e.svc.Login(e.ctx, v, "Guess#0000", ip, "ua")
			wantErr(t, fmt.Sprintf("guess %d", i), err, apperr.ErrUnauthenticated, auth.ErrBadCredentials)
			if _, _, err := e.svc.Login(e.ctx, "mine", pw, ip, "ua"); err != nil {
				t.Fatalf("own login %d: %v", i, err)
			}
		}
		// The fifth guess from the address locks it, successes notwithstanding.
		_, _, err := e.svc.Login(e.ctx, "victim5", "Guess#0000", ip, "ua")
		wantErr(t, "fifth guess", err, apperr.ErrUnauthenticated, auth.ErrBadCredentials)
		if !strings.Contains(apperr.Message(err), "该地址登录失败次数过多") {
			t.Errorf("fifth guess did not lock the address: %q", apperr.Message(err))
		}
		_, _, err = e.svc.Login(e.ctx, "mine", pw, ip, "ua")
		wantErr(t, "own login from the locked address", err, apperr.ErrUnauthenticated, auth.ErrThrottled)

		// The account's own counter is cleared by its success.
		for i := 0; i < 3; i++ {
			e.svc.Login(e.ctx, "victim1", "Guess#0000", fmt.Sprintf("10.9.0.%d", i), "ua")
		}
		if _, _, err := e.svc.Login(e.ctx, "victim1", pw, "10.9.1.1", "ua"); err != nil {
			t.Fatalf("victim1 after four failures: %v", err)
		}
		for i := 0; i < 4; i++ {
			e.svc.Login(e.ctx, "victim1", "Guess#0000", fmt.Sprintf("10.9.2.%d", i), "ua")
		}
		if _, _, err := e.svc.Login(e.ctx, "victim1", pw, "10.9.3.1", "ua"); err != nil {
			t.Fatalf("four failures after a success locked victim1: %v", err)
		}
	})
}
