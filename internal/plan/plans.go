package plan

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
)

// Several plans are tracked side by side (issue 17 item 5). A plan is named
// by its code everywhere (pages take ?plan=CODE, the CLI --plan CODE);
// without a code the primary plan is meant: the first plan that has an
// approved version (Current(ctx, 0)).

// codeRe is what a plan code may be: ASCII letters, digits and - . _,
// starting with a letter or digit, at most 48 characters. Codes appear in
// URLs and file names, so nothing else is accepted.
var codeRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$`)

// ValidCode reports whether s has the shape of a plan code.
func ValidCode(s string) bool { return codeRe.MatchString(s) }

// ImportOptions says which plan an imported text belongs to.
type ImportOptions struct {
	// Plan is the code of the plan. With NewPlan it names the plan to
	// create (derived from the title and issue year when empty); without,
	// it must name an existing plan, of which the text becomes a new
	// version. Empty without NewPlan: the plan with the same title, else a
	// new plan.
	Plan    string
	NewPlan bool
}

// ImportWith imports src as a draft of the plan o names (see ImportOptions):
// a new plan of its own, or a new version of an existing one.
func (s *Service) ImportWith(ctx context.Context, p auth.Principal, sourceName string, src []byte, o ImportOptions) (*ImportResult, error) {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return nil, err
	}
	if o.Plan != "" && !ValidCode(o.Plan) {
		return nil, apperr.Invalid("方案代码“%s”不合规：只能用字母、数字和 - . _，以字母或数字开头，不超过 48 个字符", clip(o.Plan))
	}
	id, err := s.PlanID(ctx, o.Plan)
	switch {
	case o.NewPlan && o.Plan != "" && err == nil:
		return nil, apperr.Conflict("已有代码为“%s”的方案（%d）；要导入它的新版本，请选择该方案而不是“新方案”", o.Plan, id)
	case o.NewPlan && o.Plan != "" && !errors.Is(err, apperr.ErrNotFound):
		return nil, err
	case !o.NewPlan && o.Plan != "" && err != nil:
		return nil, err
	}
	return s.importText(ctx, p, sourceName, src, o)
}

func clip(s string) string {
	r := []rune(s)
	if len(r) > 48 {
		return string(r[:48]) + "…"
	}
	return s
}

// PlanID returns the id of the plan with the given code; an unknown or
// malformed code is not found.
func (s *Service) PlanID(ctx context.Context, code string) (int64, error) {
	if !ValidCode(code) {
		return 0, apperr.NotFound("没有代码为“%s”的工作方案", clip(code))
	}
	var id int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM plans WHERE code = $1`, code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, apperr.NotFound("没有代码为“%s”的工作方案", code)
	}
	if err != nil {
		return 0, fmt.Errorf("plan: find plan %s: %w", code, err)
	}
	return id, nil
}

// CurrentByCode returns the current approved version of the plan with the
// given code, or of the primary plan when code is empty.
func (s *Service) CurrentByCode(ctx context.Context, code string) (*PlanView, error) {
	if code == "" {
		return s.Current(ctx, 0)
	}
	id, err := s.PlanID(ctx, code)
	if err != nil {
		return nil, err
	}
	pv, err := s.Current(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, apperr.NotFound("工作方案“%s”尚无审核通过的版本", code)
	}
	return pv, err
}

// Summary is one plan as the lists show it.
type Summary struct {
	ID        int64     `json:"id"`
	Code      string    `json:"code"`
	Title     string    `json:"title"`
	Primary   bool      `json:"primary"` // the plan pages show without ?plan=
	Current   int       `json:"current_version,omitempty"`
	Versions  int       `json:"versions"`
	Drafts    int       `json:"drafts"`
	Issuer    string    `json:"issuer,omitempty"`
	Issued    string    `json:"issued,omitempty"`
	Tasks     int       `json:"tasks"`
	Targets   int       `json:"targets"`
	Approved  bool      `json:"approved"`
	CreatedAt time.Time `json:"created_at"`
}

// Summaries lists every plan, oldest first; with approvedOnly, only plans
// that have an approved version (what the public sees).
func (s *Service) Summaries(ctx context.Context, approvedOnly bool) ([]Summary, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT p.id, p.code, p.title, p.created_at,
		COALESCE(MAX(CASE WHEN v.status = 'approved' THEN v.id END), 0),
		COUNT(CASE WHEN v.status IN ('approved', 'superseded') THEN 1 END),
		COUNT(CASE WHEN v.status = 'draft' THEN 1 END)
		FROM plans p LEFT JOIN plan_versions v ON v.plan_id = p.id
		GROUP BY p.id, p.code, p.title, p.created_at ORDER BY p.id`)
	if err != nil {
		return nil, fmt.Errorf("plan: list plans: %w", err)
	}
	var out []Summary
	var current []int64
	for rows.Next() {
		var sm Summary
		var vid int64
		if err := rows.Scan(&sm.ID, &sm.Code, &sm.Title, &sm.CreatedAt, &vid, &sm.Versions, &sm.Drafts); err != nil {
			rows.Close()
			return nil, fmt.Errorf("plan: list plans: %w", err)
		}
		if approvedOnly && vid == 0 {
			continue
		}
		out = append(out, sm)
		current = append(current, vid)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("plan: list plans: %w", err)
	}
	primary := false
	for i, vid := range current {
		if vid == 0 {
			continue
		}
		v, err := s.cachedView(ctx, vid)
		if err != nil {
			return nil, err
		}
		sm := &out[i]
		sm.Approved, sm.Current, sm.Title, sm.Issuer, sm.Issued = true, v.Version, v.Title, v.Issuer, v.Issued
		sm.Tasks, sm.Targets = len(v.Tasks()), v.TargetCount()
		if !primary {
			sm.Primary, primary = true, true
		}
	}
	return out, nil
}

// PlanVersions lists the versions of one plan, newest first.
func (s *Service) PlanVersions(ctx context.Context, planID int64) ([]*Version, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+versionColumns+` FROM plan_versions v JOIN plans p ON p.id = v.plan_id WHERE v.plan_id = $1 ORDER BY v.version DESC`, planID)
	if err != nil {
		return nil, fmt.Errorf("plan: versions of plan %d: %w", planID, err)
	}
	defer rows.Close()
	var out []*Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, fmt.Errorf("plan: versions of plan %d: %w", planID, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// VersionView returns the structured rows of version number n of a plan as
// they were approved: the current version or a superseded one, so the
// history of a plan stays readable after a new version replaces it. Drafts
// and discarded texts have no rows and are not found.
func (s *Service) VersionView(ctx context.Context, planID int64, n int) (*PlanView, error) {
	var vid int64
	err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM plan_versions WHERE plan_id = $1 AND version = $2 AND status IN ($3, $4)`,
		planID, n, StatusApproved, StatusSuperseded).Scan(&vid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("该方案没有已审核通过的第 %d 版", n)
	}
	if err != nil {
		return nil, fmt.Errorf("plan: version %d of plan %d: %w", n, planID, err)
	}
	return s.cachedView(ctx, vid)
}

// VersionInfo is a line of a plan's version history (no document).
type VersionInfo struct {
	Number     int       `json:"version"`
	Status     string    `json:"status"`
	SourceName string    `json:"source_name"`
	ApprovedAt time.Time `json:"approved_at"`
}

// History lists the approved and superseded versions of a plan, newest
// first, without their documents (the overview's version list).
func (s *Service) History(ctx context.Context, planID int64) ([]VersionInfo, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT version, status, source_name, approved_at FROM plan_versions
		WHERE plan_id = $1 AND status IN ($2, $3) ORDER BY version DESC`, planID, StatusApproved, StatusSuperseded)
	if err != nil {
		return nil, fmt.Errorf("plan: history of plan %d: %w", planID, err)
	}
	defer rows.Close()
	var out []VersionInfo
	for rows.Next() {
		var v VersionInfo
		var at sql.NullTime
		if err := rows.Scan(&v.Number, &v.Status, &v.SourceName, &at); err != nil {
			return nil, fmt.Errorf("plan: history of plan %d: %w", planID, err)
		}
		v.ApprovedAt = at.Time
		out = append(out, v)
	}
	return out, rows.Err()
}
