package kit

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"sidi/internal/apperr"
	"sidi/internal/store"
)

// Scope is how far a caller's data reach extends, computed once per
// request (auth.ScopeOf) and handed to every read and write of that
// request: all departments, or the listed ones (the caller's own, and those
// below it for a 本部门及以下 scope). The public and accounts without a
// department reach none.
//
// Enterprises is the hook of the enterprise directory: the enterprises an
// enterprise user acts for, filled in by that directory (nil otherwise).
type Scope struct {
	All         bool
	Depts       []int64 // ignored when All (DeptScope sorts and dedupes them)
	Enterprises []int64
}

// AllDepts is the scope of administrators, supervisors and the command line.
var AllDepts = Scope{All: true}

// DeptScope returns the scope of the listed departments.
func DeptScope(ids ...int64) Scope {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return Scope{Depts: slices.Compact(ids)}
}

// Allows reports whether dept is within the scope.
func (s Scope) Allows(dept int64) bool {
	if s.All {
		return true
	}
	return slices.Contains(s.Depts, dept)
}

// None reports whether the scope reaches no department at all.
func (s Scope) None() bool { return !s.All && len(s.Depts) == 0 }

// Check returns nil when dept is in the scope, else an apperr.OutOfScope
// (the user sees a plain not-found; the web layer logs a denial) with the
// message format.
func (s Scope) Check(dept int64, format string, args ...any) error {
	if s.Allows(dept) {
		return nil
	}
	return apperr.OutOfScope(format, args...)
}

// Cond is the SQL condition limiting column col to the scope's
// departments, its values added to a: "" for all departments, "1 = 0" for
// none, otherwise "col IN ($3, $4)".
func (s Scope) Cond(col string, a *Args) string {
	switch {
	case s.All:
		return ""
	case len(s.Depts) == 0:
		return "1 = 0"
	}
	return col + " IN (" + a.IDs(s.Depts) + ")"
}

// ActsFor reports whether the caller acts for the enterprise (the hook the
// enterprise directory fills).
func (s Scope) ActsFor(enterprise int64) bool {
	return slices.Contains(s.Enterprises, enterprise)
}

// WithEnterprises returns the scope with the enterprises the caller acts for.
func (s Scope) WithEnterprises(ids ...int64) Scope {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	s.Enterprises = slices.Compact(ids)
	return s
}

func (s Scope) String() string {
	if s.All {
		return "all"
	}
	return fmt.Sprint(s.Depts)
}

// Dept is a department a form may offer.
type Dept struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// ActiveDepts lists the active departments in s, in directory order: the
// department choices of a register's forms.
func ActiveDepts(ctx context.Context, q store.Querier, s Scope) ([]Dept, error) {
	var w Where
	w.Scope(s, "id")
	w.Raw("status = 'active'")
	var out []Dept
	err := store.EachRow(ctx, q, `SELECT id, name FROM departments`+w.SQL()+` ORDER BY sort_order, id LIMIT 2000`, w.Values(), func(r *sql.Rows) error {
		var d Dept
		err := r.Scan(&d.ID, &d.Name)
		out = append(out, d)
		return err
	})
	return out, err
}

// DeptIn checks that department id exists and is in s, for a form's
// department field (dept_id) that users call label ("承办部门").
func DeptIn(ctx context.Context, q store.Querier, s Scope, id int64, label string) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM departments WHERE id = $1`, id).Scan(&n); err != nil {
		return fmt.Errorf("kit: department %d: %w", id, err)
	}
	if n == 0 || !s.Allows(id) {
		return Errors{{Field: "dept_id", Msg: label + "不存在或不在您的数据范围内"}}
	}
	return nil
}
