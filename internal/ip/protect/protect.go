// Package protect keeps the protection and service side of pillar 2
// (issue 13 item 5, tasks 11, 13 and 14): IP enforcement cases with their
// audited workflow 立案 → 调查 → 处罚/移送/撤案 and statutory time limits,
// rights-assistance and mediation requests with deadlines, the public
// list of IP public service outlets, and IP operations (transfers,
// licences, pledges) with province totals per year.
//
// Cases and requests belong to a handling department and are seen only
// inside its scope (auth.ScopeOf: the department's subtree for a
// 本部门及以下 account); the public sees the published penalty decisions
// only (PublicDecisions) and the outlets.
package protect

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Handlers are the roles that register cases and requests and move them
// along; they act only inside their department scope.
var Handlers = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleInspector}

// Editors import the outlet and operation registers.
var Editors = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}

// Service keeps the four registers.
type Service struct {
	db  *store.DB
	ent *enterprise.Service
	now func() time.Time
}

// NewService returns the registers over db; parties and holders with a
// credit code are linked to the enterprise directory ent.
func NewService(db *store.DB, ent *enterprise.Service) *Service {
	return &Service{db: db, ent: ent, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) today() string { return kit.DayOf(s.now()) }
func (s *Service) stamp() string { return s.now().UTC().Format(time.RFC3339) }

// day checks a date field: a real day in 1990–today.
func (s *Service) day(errs *kit.Errors, field, label, v string, required bool) string {
	return kit.Day(errs, field, label, v, required, "1990-01-01", s.today())
}

// ParseYuan reads an amount in yuan ("12345.6", "1,000", "5000元") as
// integer fen; negative amounts, more than two decimals and more than a
// trillion yuan are refused. (pilots.ParseYuan caps at 10^8 yuan, below
// the pledge financing of a large enterprise, hence this one.)
func ParseYuan(v string) (int64, bool) {
	v = strings.TrimSuffix(strings.TrimSpace(strings.ReplaceAll(v, ",", "")), "元")
	if v == "" || strings.HasPrefix(v, "-") || strings.HasPrefix(v, "+") {
		return 0, false
	}
	whole, frac, _ := strings.Cut(v, ".")
	if whole == "" || len(whole) > 12 || len(frac) > 2 {
		return 0, false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}

// Yuan shows fen as yuan with two decimals and thousands separators
// ("12,345.60"). Registers may not import each other (services'
// TestRegistersStayLocal), so this does not call pilots.FormatFen.
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	whole, groups := fen/100, []string(nil)
	for ; whole >= 1000; whole /= 1000 {
		groups = append([]string{fmt.Sprintf("%03d", whole%1000)}, groups...)
	}
	groups = append([]string{fmt.Sprint(whole)}, groups...)
	return fmt.Sprintf("%s%s.%02d", sign, strings.Join(groups, ","), fen%100)
}

// party checks a party's name and optional credit code.
func party(errs *kit.Errors, field, name, code string) (string, string) {
	name = kit.Text(errs, field, "当事人", name, 100, true)
	code = strings.TrimSpace(code)
	if code != "" {
		c, err := creditcode.Parse(code)
		if err != nil {
			errs.Add(field+"_code", "统一社会信用代码“%s”无效：%v", kit.Clip(code), err)
		}
		code = c
	}
	return name, code
}

// Dept is a department a form may choose.
type Dept = kit.Dept

// Depts lists the active departments in p's scope (the forms' choices).
func (s *Service) Depts(ctx context.Context, p auth.Principal) ([]Dept, error) {
	sc, err := auth.Reach(ctx, s.db.Reader(), p, Handlers...)
	if err != nil {
		return nil, err
	}
	return kit.ActiveDepts(ctx, s.db.Reader(), sc)
}
