// Package bizenv keeps the business-environment registers of pillar 3
// (issue 14 items 1–4, tasks 15–18): the fair-competition review of draft
// measures (checklists versioned by date, opinions, the exception path, a
// conclusion that gates issuing, spot checks and complaints), the four
// public fee lists with fee complaints and violation cases, business-start
// handling records against the province's commitment per stage, and
// public-interest advertising campaigns; and the live figures tasks 15–18
// show beside their narrative (metrics.go).
//
// Measures, oversight records, fee cases and campaigns belong to a
// department and are seen only inside the caller's scope (auth.ScopeOf);
// the fee lists are public.
package bizenv

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Drafters draft measures, record opinions and answer the checklist inside
// their department scope; Reviewers also conclude, issue and handle spot
// checks and complaints.
var (
	Drafters  = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleApprover, auth.RoleReporter}
	Reviewers = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleApprover}
	// Handlers register fee cases, business starts and campaigns.
	Handlers = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor, auth.RoleInspector}
	// Editors import the fee lists and business starts and set the commitments.
	Editors = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}
)

// DemoLabel marks demo records.
const DemoLabel = "【演示数据】"

// Service keeps the registers.
type Service struct {
	db  *store.DB
	ent *enterprise.Service // complaints name enterprises by credit code
	now func() time.Time
}

// NewService returns the registers over db.
func NewService(db *store.DB) *Service {
	return &Service{db: db, ent: enterprise.NewService(db), now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now; s.ent.SetClock(now) }

// creditCode checks the optional credit code of an enterprise a record
// names (its check character verified); "" when not given.
func creditCode(errs *kit.Errors, field, label, v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	c, err := creditcode.Parse(v)
	if err != nil {
		errs.Add(field, "%s：%s", label, apperr.Message(err))
	}
	return c
}

// ensureEnterprise finds or registers (audited) the enterprise of code in
// the directory inside tx, named name when new; nil without a code.
func (s *Service) ensureEnterprise(ctx context.Context, tx *sql.Tx, p auth.Principal, code, name string, demo bool) (any, error) {
	if code == "" {
		return nil, nil
	}
	id, err := s.ent.EnsureTx(ctx, tx, p, code, name, demo)
	if err != nil {
		return nil, fmt.Errorf("bizenv: enterprise %s: %w", code, err)
	}
	return id, nil
}

// closable checks that a record received on received, closed on closed
// ("" while open), may be closed on day on; noun names it ("案件").
func closable(noun, closed, received, on string) error {
	if closed != "" {
		return apperr.Conflict("该%s已于 %s 办结", noun, closed)
	}
	if on < received {
		return kit.Errors{{Field: "closed_on", Msg: fmt.Sprintf("办结日期不能早于受理日期（%s）", received)}}
	}
	return nil
}

func (s *Service) today() string { return kit.DayOf(s.now()) }
func (s *Service) stamp() string { return s.now().UTC().Format(time.RFC3339) }

// day checks a date field: a real day from 1990 to today.
func (s *Service) day(errs *kit.Errors, field, label, v string, required bool) string {
	return kit.Day(errs, field, label, v, required, "1990-01-01", s.today())
}

// Dept is a department a form may choose.
type Dept = kit.Dept

// Depts lists the active departments in p's scope (the forms' choices).
func (s *Service) Depts(ctx context.Context, p auth.Principal) ([]Dept, error) {
	sc, err := auth.ScopeOf(ctx, s.db.Reader(), p)
	if err != nil {
		return nil, err
	}
	return kit.ActiveDepts(ctx, s.db.Reader(), sc)
}

// Option is a code and its label, for forms.
type Option struct{ Key, Label string }

func options(m map[string]string, keys ...string) []Option {
	out := make([]Option, len(keys))
	for i, k := range keys {
		out[i] = Option{k, m[k]}
	}
	return out
}
