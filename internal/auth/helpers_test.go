package auth_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/org"
	"sidi/internal/store"
)

// clock is the injected time source of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a service over a fresh database with the directory seeded.
type env struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	svc   *auth.Service
	clock *clock
	admin auth.Principal // the command line: administrator without an account
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	o := org.NewService(db)
	if _, err := o.EnsureDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	svc := auth.NewService(db, o)
	svc.Argon2 = cheap
	c := &clock{t: time.Date(2025, 3, 10, 1, 0, 0, 0, time.UTC)} // 09:00 in Xining
	svc.Now = c.Now
	return &env{t: t, ctx: ctx, db: db, svc: svc, clock: c, admin: auth.CLI("test")}
}

func (e *env) dept(code string) int64 {
	e.t.Helper()
	var id int64
	if err := e.db.Reader().QueryRowContext(e.ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(&id); err != nil {
		e.t.Fatalf("department %s: %v", code, err)
	}
	return id
}

// user creates an account through the administrator.
func (e *env) user(login, password, deptCode string, scope auth.Scope, roles ...auth.Role) auth.User {
	e.t.Helper()
	u, err := e.svc.CreateUser(e.ctx, e.admin, auth.NewUser{
		Login: login, Name: "测试-" + login, DeptID: e.dept(deptCode), Roles: roles, Scope: scope, Password: password,
	})
	if err != nil {
		e.t.Fatalf("create %s: %v", login, err)
	}
	return u
}

// settled marks login's password as chosen by its owner, as after the first
// change, so the account may use API tokens.
func (e *env) settled(login string) {
	e.t.Helper()
	if _, err := e.db.Writer().ExecContext(e.ctx, `UPDATE users SET must_change_password = $1 WHERE login = $2`, false, login); err != nil {
		e.t.Fatal(err)
	}
}

// rootAndUser bootstraps the administrator root.admin and signs in as it,
// then creates qian.shi (a reporter of qh-samr) and signs in as them: the
// accounts of the tests of an administrator's changes.
func (e *env) rootAndUser() (root auth.User, rootP auth.Principal, u auth.User, token string) {
	e.t.Helper()
	root, err := e.svc.Bootstrap(e.ctx, "root.admin", "管理员", "Root#Admin2025")
	if err != nil {
		e.t.Fatal(err)
	}
	rootP, _, _ = e.login("root.admin", "Root#Admin2025", "10.0.0.1")
	u = e.user("qian.shi", pw, "qh-samr", auth.ScopeOwn, auth.RoleReporter)
	_, _, token = e.login("qian.shi", pw, "10.0.0.2")
	return root, rootP, u, token
}

// login signs in and returns the principal of the new session.
func (e *env) login(login, password, ip string) (auth.Principal, *auth.Session, string) {
	e.t.Helper()
	_, token, err := e.svc.Login(e.ctx, login, password, ip, "test-agent")
	if err != nil {
		e.t.Fatalf("login %s: %v", login, err)
	}
	p, sess, err := e.svc.Authenticate(e.ctx, token, ip)
	if err != nil {
		e.t.Fatalf("authenticate %s: %v", login, err)
	}
	return p, sess, token
}

// outcomes lists the login log outcomes for login, oldest first.
func (e *env) outcomes(login string) []string {
	e.t.Helper()
	rows, err := e.db.Reader().QueryContext(e.ctx, `SELECT outcome FROM login_log WHERE login = $1 ORDER BY id`, login)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.Reader().QueryRowContext(e.ctx, query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// wantErr fails unless err is of kind (and of cause, when not nil).
func wantErr(t *testing.T, what string, err error, kind, cause error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %v", what, kind)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("%s: got %v, want kind %v", what, err, kind)
	}
	if cause != nil && !errors.Is(err, cause) {
		t.Fatalf("%s: got %v, want cause %v", what, err, cause)
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		t.Fatalf("%s: %v is not an apperr.Error", what, err)
	}
}

func roles(rs ...auth.Role) []auth.Role { return rs }

func sameRoles(a, b []auth.Role) bool { return slices.Equal(a, b) }
