package enterprise

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// linkKey names a user's link to an enterprise.
type linkKey struct{ User, Enterprise int64 }

// userLink is a user's link to an enterprise as the audit log records it:
// a link names the user's login and the enterprise's name; an unlink's
// Before the two ids only (the stored link, read by ids).
type userLink struct {
	Enterprise   string `json:"enterprise,omitempty"`
	EnterpriseID int64  `json:"enterprise_id"`
	Login        string `json:"login,omitempty"`
	UserID       int64  `json:"user_id"`
}

// userLinks are the users' links as the kit writes them; the audit log
// names one "user/enterprise".
func userLinks(db *store.DB) kit.Setting[linkKey, userLink] {
	return kit.Setting[linkKey, userLink]{DB: db, Entity: "user_enterprise",
		ID: func(k linkKey) string { return fmt.Sprintf("%d/%d", k.User, k.Enterprise) },
		Load: func(ctx context.Context, q store.Querier, k linkKey) (userLink, bool, error) {
			var one int
			found, err := kit.Found(q.QueryRowContext(ctx, `SELECT 1 FROM user_enterprise WHERE user_id = $1 AND enterprise_id = $2`, k.User, k.Enterprise).Scan(&one))
			return userLink{UserID: k.User, EnterpriseID: k.Enterprise}, found, err
		}}
}

// LinkUser lets an enterprise user act for an enterprise (administrators
// and supervisors). The user must hold the enterprise role. Linking a
// linked user again changes nothing.
func (s *Service) LinkUser(ctx context.Context, p auth.Principal, userID, enterpriseID int64) error {
	l := userLink{UserID: userID, EnterpriseID: enterpriseID}
	_, err := userLinks(s.db).Save(ctx, kit.Put[linkKey, userLink]{By: p.Actor(), Allowed: p.Require(Editors...), Key: linkKey{userID, enterpriseID}, Action: "link",
		Check: func(tx *sql.Tx, _ userLink, _ bool) error {
			err := tx.QueryRowContext(ctx, `SELECT login FROM users WHERE id = $1`, userID).Scan(&l.Login)
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.NotFound("没有编号为 %d 的用户", userID)
			}
			if err != nil {
				return fmt.Errorf("enterprise: link user: %w", err)
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_roles WHERE user_id = $1 AND role = $2`, userID, string(auth.RoleEnterprise)).Scan(&n); err != nil {
				return fmt.Errorf("enterprise: link user: %w", err)
			}
			if n == 0 {
				return apperr.Invalid("用户 %s 不是企业用户，不能关联企业", l.Login)
			}
			e, err := load(ctx, tx, enterpriseID)
			l.Enterprise = e.Name
			return err
		},
		Same: func(userLink) bool { return true }, // already linked
		Exec: func(tx *sql.Tx, _ userLink, _ bool) (userLink, error) {
			res, err := tx.ExecContext(ctx, `INSERT INTO user_enterprise(user_id, enterprise_id, created_by, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
				userID, enterpriseID, p.Actor().Name, s.stamp())
			if err != nil {
				return l, err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return l, kit.Unchanged // linked since the link was read
			}
			return l, nil
		}})
	return err
}

// UnlinkUser ends a user's right to act for an enterprise.
func (s *Service) UnlinkUser(ctx context.Context, p auth.Principal, userID, enterpriseID int64) error {
	_, err := userLinks(s.db).Save(ctx, kit.Put[linkKey, userLink]{By: p.Actor(), Allowed: p.Require(Editors...), Key: linkKey{userID, enterpriseID}, Action: "unlink", Remove: true,
		Check: func(_ *sql.Tx, _ userLink, found bool) error {
			if !found {
				return apperr.NotFound("该用户未关联此企业")
			}
			return nil
		},
		Exec: func(tx *sql.Tx, _ userLink, _ bool) (userLink, error) {
			res, err := tx.ExecContext(ctx, `DELETE FROM user_enterprise WHERE user_id = $1 AND enterprise_id = $2`, userID, enterpriseID)
			if err != nil {
				return userLink{}, err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return userLink{}, apperr.NotFound("该用户未关联此企业") // unlinked since the link was read
			}
			return userLink{}, nil
		}})
	return err
}

// LinkLogin links the user with this login name to an enterprise.
func (s *Service) LinkLogin(ctx context.Context, p auth.Principal, login string, enterpriseID int64) error {
	if err := p.Require(Editors...); err != nil {
		return err
	}
	login = strings.TrimSpace(login)
	var id int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM users WHERE login = $1`, login).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFound("没有登录名为“%s”的用户", login)
	}
	if err != nil {
		return fmt.Errorf("enterprise: link user: %w", err)
	}
	return s.LinkUser(ctx, p, id, enterpriseID)
}

// Users lists the logins linked to each enterprise (administrators and
// supervisors).
func (s *Service) Users(ctx context.Context, p auth.Principal) (map[int64][]string, error) {
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
	if err != nil {
		return nil, fmt.Errorf("enterprise: users: %w", err)
	}
	return out, nil
}

// LinkedUser is a user who acts for an enterprise.
type LinkedUser struct {
	UserID   int64  `json:"user_id"`
	Login    string `json:"login"`
	Name     string `json:"name"`
	LinkedBy string `json:"linked_by"`
	LinkedAt string `json:"linked_at"`
}

// LinkedUsers lists the users who act for one enterprise (those in its
// scope: administrators, supervisors and its own users).
func (s *Service) LinkedUsers(ctx context.Context, p auth.Principal, enterpriseID int64) ([]LinkedUser, error) {
	if err := s.InScope(ctx, s.db.Reader(), p, enterpriseID); err != nil {
		return nil, err
	}
	out := []LinkedUser{}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT u.user_id, us.login, us.name, u.created_by, u.created_at FROM user_enterprise u JOIN users us ON us.id = u.user_id WHERE u.enterprise_id = $1 ORDER BY us.login`,
		[]any{enterpriseID}, func(r *sql.Rows) error {
			var l LinkedUser
			err := r.Scan(&l.UserID, &l.Login, &l.Name, &l.LinkedBy, &l.LinkedAt)
			out = append(out, l)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("enterprise: linked users of %d: %w", enterpriseID, err)
	}
	return out, nil
}

// ActsFor is the enterprise role's scope check for writes: nil when p may
// act (declare, correct, withdraw) for the enterprise, that is a linked
// enterprise user or an administrator acting on its behalf. q is the
// caller's transaction or a reader.
func (s *Service) ActsFor(ctx context.Context, q store.Querier, p auth.Principal, enterpriseID int64) error {
	if p.Has(auth.RoleAdmin) {
		return nil
	}
	if err := p.Require(auth.RoleEnterprise); err != nil {
		return err
	}
	linked, err := linked(ctx, q, p, enterpriseID)
	if err != nil {
		return err
	}
	if !linked {
		return apperr.Forbidden("您的账号未关联该企业，只能为本企业声明；请联系管理员关联")
	}
	return nil
}

// InScope is the read scope of an enterprise's non-public records: nil for
// administrators and supervisors and for the enterprise's own users.
func (s *Service) InScope(ctx context.Context, q store.Querier, p auth.Principal, enterpriseID int64) error {
	if p.Has(Editors...) {
		return nil
	}
	if err := p.Require(auth.RoleEnterprise); err != nil {
		return err
	}
	linked, err := linked(ctx, q, p, enterpriseID)
	if err != nil {
		return err
	}
	if !linked {
		return apperr.Forbidden("您的账号未关联该企业")
	}
	return nil
}

func linked(ctx context.Context, q store.Querier, p auth.Principal, enterpriseID int64) (bool, error) {
	if p.UserID == 0 {
		return false, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_enterprise WHERE user_id = $1 AND enterprise_id = $2`, p.UserID, enterpriseID).Scan(&n); err != nil {
		return false, fmt.Errorf("enterprise: check link: %w", err)
	}
	return n > 0, nil
}
