package inspect

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Editors import the libraries and run draws (the bureau's 双随机 staff).
var Editors = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}

// Viewers see the libraries (inspectors see whom they are sent to).
var Viewers = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleInspector}

// Service keeps the item list, the two libraries and the draws.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns the service over db.
func NewService(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) stamp() string { return s.now().UTC().Format(time.RFC3339) }

// Rule is the ratio and frequency rule of an item class (data).
type Rule struct {
	Class    string `json:"class"`
	MaxRatio Ratio  `json:"max_ratio"` // largest overall share of a draw of only such items
	PerYear  int    `json:"per_year"`  // draws of one entity for one item per year, 0 = no limit
	Basis    string `json:"basis"`
}

// DefaultRules are written when the table is empty ([verify] local
// practice: 一般 items ≤ 5 % and once a year; 重点 items without a cap).
var DefaultRules = []Rule{
	{Class: ClassGeneral, MaxRatio: 50_000, PerYear: 1, Basis: "一般检查事项抽查比例严格控制（地方实践不超过 5%），同一对象同一事项每年至多抽中一次【待核实，可修改】"},
	{Class: ClassKey, MaxRatio: 1_000_000, PerYear: 0, Basis: "重点检查事项（安全、质量、公共利益）不设比例上限（国市监信〔2019〕38号）"},
}

// EnsureRules writes the default rules when none are stored.
func (s *Service) EnsureRules(ctx context.Context) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_rules`).Scan(&n); err != nil || n > 0 {
			return err
		}
		for _, r := range DefaultRules {
			if _, err := tx.ExecContext(ctx, `INSERT INTO inspect_rules(class, max_ratio, per_year, basis, updated_at) VALUES ($1, $2, $3, $4, $5)`,
				r.Class, int64(r.MaxRatio), r.PerYear, r.Basis, s.stamp()); err != nil {
				return fmt.Errorf("inspect: rules: %w", err)
			}
		}
		return nil
	})
}

// Rules lists the class rules.
func (s *Service) Rules(ctx context.Context) (map[string]Rule, error) {
	out := map[string]Rule{}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT class, max_ratio, per_year, basis FROM inspect_rules`, nil, func(r *sql.Rows) error {
		var x Rule
		var m int64
		err := r.Scan(&x.Class, &m, &x.PerYear, &x.Basis)
		x.MaxRatio = Ratio(m)
		out[x.Class] = x
		return err
	})
	return out, err
}

// Counts are the sizes of the list and libraries.
type Counts struct {
	Items      int64            `json:"items"`
	Entities   int64            `json:"entities"`
	Inspectors int64            `json:"inspectors"`
	ByRisk     map[string]int64 `json:"by_risk"`  // by the class the draws use
	Computed   int64            `json:"computed"` // entities with a computed class
	Draws      int64            `json:"draws"`
}

// Counts counts the list, the libraries and the draws.
func (s *Service) Counts(ctx context.Context, p auth.Principal) (Counts, error) {
	c := Counts{ByRisk: map[string]int64{}}
	if err := p.Require(Viewers...); err != nil {
		return c, err
	}
	q := s.db.Reader()
	for _, x := range []struct {
		sql string
		dst *int64
	}{{`SELECT COUNT(*) FROM inspect_items`, &c.Items}, {`SELECT COUNT(*) FROM inspect_inspectors`, &c.Inspectors},
		{`SELECT COUNT(*) FROM inspect_entities WHERE risk_computed <> ''`, &c.Computed},
		{`SELECT COUNT(*) FROM inspect_draws WHERE status = 'drawn'`, &c.Draws}} {
		if err := q.QueryRowContext(ctx, x.sql).Scan(x.dst); err != nil {
			return c, fmt.Errorf("inspect: counts: %w", err)
		}
	}
	// By the class the draws use: the computed one where set.
	err := store.EachRow(ctx, q, `SELECT CASE WHEN risk_computed <> '' THEN risk_computed ELSE risk END AS k, COUNT(*) FROM inspect_entities GROUP BY k`, nil, func(r *sql.Rows) error {
		var k string
		var n int64
		err := r.Scan(&k, &n)
		c.ByRisk[k] = n
		c.Entities += n
		return err
	})
	return c, err
}

// Items lists the item list (staff).
func (s *Service) Items(ctx context.Context, p auth.Principal) ([]Item, error) {
	if err := p.Require(Viewers...); err != nil {
		return nil, err
	}
	return s.items(ctx, s.db.Reader(), nil)
}

func (s *Service) items(ctx context.Context, q store.Querier, codes []string) ([]Item, error) {
	var w kit.Where
	if codes != nil {
		ph := make([]string, len(codes))
		args := make([]any, len(codes))
		for i, c := range codes {
			ph[i], args[i] = "?", c
		}
		w.Add("code IN ("+strings.Join(ph, ", ")+")", args...)
	}
	var out []Item
	err := store.EachRow(ctx, q, `SELECT code, name, object, basis, method, class, dept FROM inspect_items`+w.SQL()+` ORDER BY code LIMIT 5000`, w.Values(), func(r *sql.Rows) error {
		var it Item
		err := r.Scan(&it.Code, &it.Name, &it.Object, &it.Basis, &it.Method, &it.Class, &it.Dept)
		out = append(out, it)
		return err
	})
	return out, err
}

// Inspectors lists the inspector library (staff).
func (s *Service) Inspectors(ctx context.Context, p auth.Principal, limit int) ([]Person, error) {
	if err := p.Require(Viewers...); err != nil {
		return nil, err
	}
	var out []Person
	err := store.EachRow(ctx, s.db.Reader(), `SELECT cert_no, name, unit, domain, avoid FROM inspect_inspectors ORDER BY cert_no LIMIT $1`, []any{limit}, func(r *sql.Rows) error {
		var x Person
		var avoid string
		err := r.Scan(&x.CertNo, &x.Name, &x.Unit, &x.Domain, &avoid)
		x.Avoid = splitList(avoid)
		out = append(out, x)
		return err
	})
	return out, err
}

// EntitiesSample lists entities of the library (staff), optionally
// matching a name or credit code.
func (s *Service) EntitiesSample(ctx context.Context, p auth.Principal, q string, limit int) ([]Entity, error) {
	if err := p.Require(Viewers...); err != nil {
		return nil, err
	}
	var w kit.Where
	if q = strings.TrimSpace(q); q != "" {
		w.Add("(credit_code = ? OR name LIKE ? ESCAPE '\\')", strings.ToUpper(q), "%"+kit.EscapeLike(q)+"%")
	}
	var out []Entity
	err := store.EachRow(ctx, s.db.Reader(), `SELECT credit_code, name, region, type, risk FROM inspect_entities`+w.SQL()+` ORDER BY credit_code LIMIT `+fmt.Sprint(limit), w.Values(), func(r *sql.Rows) error {
		var e Entity
		err := r.Scan(&e.CreditCode, &e.Name, &e.Region, &e.Type, &e.Risk)
		out = append(out, e)
		return err
	})
	return out, err
}

func splitList(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ";")
}

func sortStrings(l []string) { sort.Strings(l) }
