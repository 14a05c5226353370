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
	"time"

	"sidi/internal/auth"
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
	now func() time.Time
}

// NewService returns the registers over db.
func NewService(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

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
