package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"sidi/internal/audit"
)

// DemoPassword is the published password of every demo account. Demo
// accounts are for trials and training; never keep them on a production
// system.
const DemoPassword = "Sidi@Demo2025"

// DemoAccount is a ready-made account for trying the system out.
type DemoAccount struct {
	Login     string `json:"login"`
	Password  string `json:"password"`
	Name      string `json:"name"`
	RoleLabel string `json:"role_label"`
	Dept      string `json:"dept"`
}

// demoSpec describes one demo account.
type demoSpec struct {
	login, name string
	role        Role
	dept        string // directory code
	scope       Scope
}

var demoSpecs = []demoSpec{
	{"demo-admin", "演示-系统管理员", RoleAdmin, codeSAMR, ScopeAll},
	{"demo-supervisor", "演示-督办人员", RoleSupervisor, codeSAMR, ScopeAll},
	{"demo-reporter-samr", "演示-省市场监管局填报员", RoleReporter, codeSAMR, ScopeOwn},
	{"demo-approver-samr", "演示-省市场监管局审核人", RoleApprover, codeSAMR, ScopeOwn},
	{"demo-reporter-drc", "演示-省发展改革委填报员", RoleReporter, codeDRC, ScopeOwn},
	{"demo-approver-drc", "演示-省发展改革委审核人", RoleApprover, codeDRC, ScopeOwn},
	{"demo-reporter-xining", "演示-西宁市填报员", RoleReporter, codeXining, ScopeSubtree},
	{"demo-inspector", "演示-执法检查人员", RoleInspector, codeSAMR, ScopeOwn},
	{"demo-enterprise", "演示-企业用户", RoleEnterprise, codeRoot, ScopeOwn},
}

// EnsureDemoAccounts creates the demo accounts that are missing (it never
// changes existing ones) and returns the full list with their password.
// Demo accounts need not change the password at first login.
func (s *Service) EnsureDemoAccounts(ctx context.Context) ([]DemoAccount, error) {
	codes := []string{}
	for _, d := range demoSpecs {
		codes = append(codes, d.dept)
	}
	depts, err := s.deptsByCode(ctx, codes...)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for code, id := range depts {
		var name string
		if err := s.db.Reader().QueryRowContext(ctx, `SELECT name FROM departments WHERE id = $1`, id).Scan(&name); err != nil {
			return nil, fmt.Errorf("auth: demo department %s: %w", code, err)
		}
		names[code] = name
	}
	// Hash outside the write transaction, and only for the missing accounts.
	var missing []account
	for _, d := range demoSpecs {
		var id int64
		err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM users WHERE login = $1`, d.login).Scan(&id)
		if err == nil {
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("auth: demo account %s: %w", d.login, err)
		}
		h, err := s.hash(ctx, DemoPassword)
		if err != nil {
			return nil, err
		}
		missing = append(missing, account{login: d.login, name: d.name, deptID: depts[d.dept], roles: []Role{d.role}, scope: d.scope, hash: h})
	}
	if len(missing) > 0 {
		now := s.now()
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			for _, a := range missing {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE login = $1`, a.login).Scan(&n); err != nil {
					return fmt.Errorf("auth: demo account %s: %w", a.login, err)
				}
				if n > 0 {
					continue // created meanwhile by another process
				}
				if _, err := s.insertUser(ctx, tx, audit.System, "create_demo", a, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]DemoAccount, len(demoSpecs))
	for i, d := range demoSpecs {
		out[i] = DemoAccount{Login: d.login, Password: DemoPassword, Name: d.name, RoleLabel: d.role.Label(), Dept: names[d.dept]}
	}
	return out, nil
}

// RemoveDemoCommand is the command that retires the demo accounts.
const RemoveDemoCommand = "sidi user remove-demo"

// IsDemoLogin reports whether login is one of the published demo accounts.
func IsDemoLogin(login string) bool {
	login = normalizeLogin(login)
	for _, d := range demoSpecs {
		if d.login == login {
			return true
		}
	}
	return false
}

// errDemoAccount refuses a demo account outside `sidi demo`.
func errDemoAccount() error {
	return unauthenticated(ErrDisabled, "演示账号仅在 sidi demo 中可用，其密码是公开的；正式运行请使用个人账号登录，并由服务器管理员运行 %s 停用演示账号", RemoveDemoCommand)
}

// ActiveDemoAccounts returns the logins of the demo accounts that exist and
// are not disabled, for `sidi serve` to warn about.
func (s *Service) ActiveDemoAccounts(ctx context.Context) ([]string, error) {
	var out []string
	for _, d := range demoSpecs {
		var status UserStatus
		err := s.db.Reader().QueryRowContext(ctx, `SELECT status FROM users WHERE login = $1`, d.login).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("auth: demo account %s: %w", d.login, err)
		}
		if status == StatusActive {
			out = append(out, d.login)
		}
	}
	return out, nil
}

// RemoveDemoAccounts disables every demo account and ends its sessions and
// API tokens, auditing each. Only administrators may. It returns the
// logins it disabled; running it again changes nothing.
func (s *Service) RemoveDemoAccounts(ctx context.Context, p Principal) ([]string, error) {
	if err := p.Require(RoleAdmin); err != nil {
		return nil, err
	}
	now := s.now()
	var done []string
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, d := range demoSpecs {
			var id int64
			var status UserStatus
			err := tx.QueryRowContext(ctx, `SELECT id, status FROM users WHERE login = $1`+s.forUpdate(), d.login).Scan(&id, &status)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return fmt.Errorf("auth: demo account %s: %w", d.login, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE users SET status = $1, updated_at = $2 WHERE id = $3`, string(StatusDisabled), now, id); err != nil {
				return fmt.Errorf("auth: disable demo account %s: %w", d.login, err)
			}
			sessions, err := revokeSessions(ctx, tx, id, "", "disabled", now)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`, now, id)
			if err != nil {
				return fmt.Errorf("auth: revoke tokens of %s: %w", d.login, err)
			}
			tokens, _ := res.RowsAffected()
			if status == StatusDisabled && sessions == 0 && tokens == 0 {
				continue
			}
			done = append(done, d.login)
			if err := audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "user", EntityID: fmt.Sprint(id), Action: "disable_demo",
				Before: map[string]any{"login": d.login, "status": status},
				After:  map[string]any{"login": d.login, "status": StatusDisabled, "sessions_ended": sessions, "tokens_revoked": tokens}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return done, nil
}
