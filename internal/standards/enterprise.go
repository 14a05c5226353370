package standards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/store"
)

// creditChars are the characters of a credit code.
const creditChars = creditcode.Alphabet

// CreditCheck returns the check character of the first 17 characters of a
// credit code (see package creditcode).
func CreditCheck(first17 string) byte { return creditcode.Check(first17) }

// ParseCreditCode checks a unified social credit code as typed and returns
// it normalised (see package creditcode).
func ParseCreditCode(s string) (string, error) { return creditcode.Parse(s) }

// Enterprise is a company that declares the standards it applies.
type Enterprise struct {
	ID         int64  `json:"id"`
	CreditCode string `json:"credit_code"`
	Name       string `json:"name"`
	Region     string `json:"region"`
	Address    string `json:"address"`
	Contact    string `json:"contact"`
	Demo       bool   `json:"demo"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
}

// EnterpriseInput registers an enterprise.
type EnterpriseInput struct {
	CreditCode string `json:"credit_code"`
	Name       string `json:"name"`
	Address    string `json:"address"`
	Contact    string `json:"contact"`
	Demo       bool   `json:"demo"`
	Note       string `json:"note"`
}

const entColumns = `id, credit_code, name, region, address, contact, demo, created_at, updated_at`

func scanEnterprise(sc scanner) (Enterprise, error) {
	var e Enterprise
	var demo int
	err := sc.Scan(&e.ID, &e.CreditCode, &e.Name, &e.Region, &e.Address, &e.Contact, &demo, &e.CreatedAt, &e.UpdatedAt)
	e.Demo = demo != 0
	return e, err
}

// CreateEnterprise registers an enterprise by its credit code
// (administrators and supervisors).
func (s *Service) CreateEnterprise(ctx context.Context, p auth.Principal, in EnterpriseInput) (Enterprise, error) {
	if err := p.Require(Editors...); err != nil {
		return Enterprise{}, err
	}
	code, err := ParseCreditCode(in.CreditCode)
	if err != nil {
		return Enterprise{}, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		return Enterprise{}, apperr.Invalid("企业名称不能为空")
	}
	now := s.now().UTC().Format(time.RFC3339)
	var id int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO enterprises(credit_code, name, region, address, contact, demo, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			code, name, code[2:8], strings.TrimSpace(in.Address), strings.TrimSpace(in.Contact), b2i(in.Demo), strings.TrimSpace(in.Note), now).Scan(&id)
		if err != nil {
			if isUnique(err) {
				return apperr.Conflict("统一社会信用代码 %s 已登记", code)
			}
			return fmt.Errorf("standards: enterprise: %w", err)
		}
		e, err := scanEnterprise(tx.QueryRowContext(ctx, `SELECT `+entColumns+` FROM enterprises WHERE id = $1`, id))
		if err != nil {
			return err
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "enterprise", EntityID: strconv.FormatInt(id, 10), Action: "create", After: e})
	})
	if err != nil {
		return Enterprise{}, err
	}
	return s.Enterprise(ctx, id)
}

// Enterprise returns one enterprise (public: name and credit code are
// published with every declaration).
func (s *Service) Enterprise(ctx context.Context, id int64) (Enterprise, error) {
	e, err := scanEnterprise(s.db.Reader().QueryRowContext(ctx, `SELECT `+entColumns+` FROM enterprises WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.NotFound("没有编号为 %d 的企业", id)
	}
	return e, err
}

// Enterprises lists the enterprises p may act for: every one for
// administrators and supervisors, the linked ones for an enterprise user.
func (s *Service) Enterprises(ctx context.Context, p auth.Principal) ([]Enterprise, error) {
	q, args := `SELECT `+entColumns+` FROM enterprises ORDER BY name, id`, []any{}
	switch {
	case p.Has(Editors...):
	case p.Has(auth.RoleEnterprise):
		q = `SELECT ` + columnsOf("e.", entColumns) + ` FROM enterprises e JOIN user_enterprise u ON u.enterprise_id = e.id WHERE u.user_id = $1 ORDER BY e.name, e.id`
		args = []any{p.UserID}
	default:
		return nil, p.Require(append([]auth.Role{auth.RoleEnterprise}, Editors...)...)
	}
	out := []Enterprise{}
	err := store.EachRow(ctx, s.db.Reader(), q, args, func(r *sql.Rows) error {
		e, err := scanEnterprise(r)
		out = append(out, e)
		return err
	})
	return out, err
}

func columnsOf(prefix, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = prefix + parts[i]
	}
	return strings.Join(parts, ", ")
}

// LinkUser lets an enterprise user act for an enterprise (administrators
// and supervisors). The user must hold the enterprise role.
func (s *Service) LinkUser(ctx context.Context, p auth.Principal, userID, enterpriseID int64) error {
	if err := p.Require(Editors...); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var login string
		err := tx.QueryRowContext(ctx, `SELECT login FROM users WHERE id = $1`, userID).Scan(&login)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("没有编号为 %d 的用户", userID)
		}
		if err != nil {
			return fmt.Errorf("standards: link user: %w", err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_roles WHERE user_id = $1 AND role = $2`, userID, string(auth.RoleEnterprise)).Scan(&n); err != nil {
			return fmt.Errorf("standards: link user: %w", err)
		}
		if n == 0 {
			return apperr.Invalid("用户 %s 不是企业用户，不能关联企业", login)
		}
		var name string
		err = tx.QueryRowContext(ctx, `SELECT name FROM enterprises WHERE id = $1`, enterpriseID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("没有编号为 %d 的企业", enterpriseID)
		}
		if err != nil {
			return fmt.Errorf("standards: link user: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO user_enterprise(user_id, enterprise_id, created_by, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			userID, enterpriseID, p.Actor().Name, s.now().UTC().Format(time.RFC3339))
		if err != nil {
			return fmt.Errorf("standards: link user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // already linked
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "user_enterprise", EntityID: fmt.Sprintf("%d/%d", userID, enterpriseID), Action: "link",
			After: map[string]any{"user_id": userID, "login": login, "enterprise_id": enterpriseID, "enterprise": name}})
	})
}

// UnlinkUser ends a user's right to act for an enterprise.
func (s *Service) UnlinkUser(ctx context.Context, p auth.Principal, userID, enterpriseID int64) error {
	if err := p.Require(Editors...); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM user_enterprise WHERE user_id = $1 AND enterprise_id = $2`, userID, enterpriseID)
		if err != nil {
			return fmt.Errorf("standards: unlink user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("该用户未关联此企业")
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "user_enterprise", EntityID: fmt.Sprintf("%d/%d", userID, enterpriseID), Action: "unlink",
			Before: map[string]any{"user_id": userID, "enterprise_id": enterpriseID}})
	})
}

// actsFor reports whether p may declare for the enterprise: a linked
// enterprise user, or an administrator acting on its behalf.
func (s *Service) actsFor(ctx context.Context, q querier, p auth.Principal, enterpriseID int64) error {
	if p.Has(auth.RoleAdmin) {
		return nil
	}
	if err := p.Require(auth.RoleEnterprise); err != nil {
		return err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_enterprise WHERE user_id = $1 AND enterprise_id = $2`, p.UserID, enterpriseID).Scan(&n); err != nil {
		return fmt.Errorf("standards: check enterprise: %w", err)
	}
	if n == 0 {
		return apperr.Forbidden("您的账号未关联该企业，只能为本企业声明；请联系管理员关联")
	}
	return nil
}

// LinkLogin links the user with this login name to an enterprise.
func (s *Service) LinkLogin(ctx context.Context, p auth.Principal, login string, enterpriseID int64) error {
	if err := p.Require(Editors...); err != nil {
		return err
	}
	var id int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM users WHERE login = $1`, strings.TrimSpace(login)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("没有登录名为“%s”的用户", strings.TrimSpace(login))
	}
	if err != nil {
		return fmt.Errorf("standards: link user: %w", err)
	}
	return s.LinkUser(ctx, p, id, enterpriseID)
}

// EnterpriseUsers lists the logins linked to each enterprise.
func (s *Service) EnterpriseUsers(ctx context.Context, p auth.Principal) (map[int64][]string, error) {
	if err := p.Require(Editors...); err != nil {
		return nil, err
	}
	out := map[int64][]string{}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT u.enterprise_id, us.login FROM user_enterprise u JOIN users us ON us.id = u.user_id ORDER BY us.login`, nil, func(r *sql.Rows) error {
		var id int64
		var login string
		err := r.Scan(&id, &login)
		out[id] = append(out[id], login)
		return err
	})
	return out, err
}
