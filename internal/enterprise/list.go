package enterprise

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Filter selects a page of the directory.
type Filter struct {
	Q      string // name, former name or credit code, in part
	Region string // a GB/T 2260 prefix: "63" the province, "6301" Xining …
	Limit  int    // 1…MaxLimit; 0 means DefaultLimit
	Offset int
}

// Paging bounds.
const (
	DefaultLimit = 20
	MaxLimit     = 200
)

// Page is one page of the directory.
type Page struct {
	Items  []Enterprise `json:"items"`
	Total  int          `json:"total"`
	Limit  int          `json:"limit"`
	Offset int          `json:"offset"`
}

// List returns a page of the directory, by name (public).
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	var es kit.Errors
	if f.Limit == 0 {
		f.Limit = DefaultLimit
	}
	if f.Limit < 1 || f.Limit > MaxLimit {
		es.Add("limit", "每页条数应在 1 到 %d 之间", MaxLimit)
	}
	if f.Offset < 0 {
		es.Add("offset", "起始位置不能为负数")
	}
	f.Q = strings.TrimSpace(f.Q)
	if len([]rune(f.Q)) > 100 {
		es.Add("q", "查询词不能超过 100 个字")
	}
	f.Region = strings.TrimSpace(f.Region)
	if f.Region != "" && (len(f.Region) > 6 || strings.Trim(f.Region, "0123456789") != "") {
		es.Add("region", "行政区划应为 6 位以内的数字前缀")
	}
	if err := es.Err(); err != nil {
		return Page{}, err
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Q != "" {
		like := arg("%" + kit.EscapeLike(f.Q) + "%")
		code := arg("%" + kit.EscapeLike(strings.ToUpper(f.Q)) + "%")
		where = append(where, `(e.name LIKE `+like+` ESCAPE '\' OR e.credit_code LIKE `+code+` ESCAPE '\' OR EXISTS (SELECT 1 FROM enterprise_names n WHERE n.enterprise_id = e.id AND n.name LIKE `+like+` ESCAPE '\'))`)
	}
	if f.Region != "" {
		where = append(where, `e.region LIKE `+arg(f.Region+"%"))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	p := Page{Items: []Enterprise{}, Limit: f.Limit, Offset: f.Offset}
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM enterprises e`+cond, args...).Scan(&p.Total); err != nil {
		return Page{}, fmt.Errorf("enterprise: count: %w", err)
	}
	q := `SELECT ` + columns + ` FROM enterprises e` + cond + ` ORDER BY e.name, e.id LIMIT ` + arg(f.Limit) + ` OFFSET ` + arg(f.Offset)
	err := store.EachRow(ctx, s.db.Reader(), q, args, func(r *sql.Rows) error {
		e, err := scan(r)
		p.Items = append(p.Items, e)
		return err
	})
	if err != nil {
		return Page{}, fmt.Errorf("enterprise: list: %w", err)
	}
	return p, nil
}

// ForPrincipal lists the enterprises p may act for: every one for
// administrators and supervisors, the linked ones for an enterprise user.
func (s *Service) ForPrincipal(ctx context.Context, p auth.Principal) ([]Enterprise, error) {
	q, args := `SELECT `+columns+` FROM enterprises e ORDER BY e.name, e.id`, []any{}
	switch {
	case p.Has(Editors...):
	case p.Has(auth.RoleEnterprise):
		q = `SELECT ` + columns + ` FROM enterprises e JOIN user_enterprise u ON u.enterprise_id = e.id WHERE u.user_id = $1 ORDER BY e.name, e.id`
		args = []any{p.UserID}
	default:
		return nil, p.Require(append([]auth.Role{auth.RoleEnterprise}, Editors...)...)
	}
	out := []Enterprise{}
	err := store.EachRow(ctx, s.db.Reader(), q, args, func(r *sql.Rows) error {
		e, err := scan(r)
		out = append(out, e)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("enterprise: list for %s: %w", p.Login, err)
	}
	return out, nil
}
