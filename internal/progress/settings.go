package progress

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"sidi/internal/auth"
	"sidi/internal/indicator"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/plan"
	"sidi/internal/store"
)

// Scoring weighs the parts of a department's assessment score (总分 100).
type Scoring struct {
	Timeliness  float64 `json:"timeliness"`  // share of reports submitted by the deadline
	Achievement float64 `json:"achievement"` // progress of led tasks against schedule
	Quality     float64 `json:"quality"`     // reports approved without being returned
}

// DefaultScoring is the starting rule; supervisors change it per plan.
var DefaultScoring = Scoring{Timeliness: 40, Achievement: 50, Quality: 10}

// Settings are a plan's reporting configuration.
type Settings struct {
	PlanID       int64      `json:"plan_id"`
	PlanStart    string     `json:"plan_start"`    // YYYY-MM-DD; progress counts from here
	PeriodKind   string     `json:"period_kind"`   // quarter or month
	DeadlineDays int        `json:"deadline_days"` // report deadline: days after a period ends
	Thresholds   Thresholds `json:"thresholds"`
	Scoring      Scoring    `json:"scoring"`
	// DocNoPattern numbers issued bulletins (文号): {年} and {号}.
	DocNoPattern string `json:"doc_no_pattern"`
	// DefaultAsOf is the date the progress pages show when none is asked
	// for ("" = today): a demo pins one inside the plan's period.
	DefaultAsOf string `json:"default_as_of"`
}

// Service runs reporting, evaluation, assessment and bulletins.
type Service struct {
	db      *store.DB
	plans   *plan.Service
	org     *org.Service
	auth    *auth.Service
	metrics *indicator.Registry
	Now     func() time.Time
	cache   stateCache
	// EvidenceTotal caps the evidence bytes of one report; 0 means
	// MaxEvidenceTotal.
	EvidenceTotal int64
}

// NewService wires the progress service.
func NewService(db *store.DB, plans *plan.Service, o *org.Service, a *auth.Service, metrics *indicator.Registry) *Service {
	if metrics == nil {
		metrics = indicator.NewRegistry()
	}
	return &Service{db: db, plans: plans, org: o, auth: a, metrics: metrics, Now: time.Now}
}

// Metrics exposes the registry (for binding pages).
func (s *Service) Metrics() *indicator.Registry { return s.metrics }

// cst is China Standard Time: report deadlines are days in Xining.
var cst = time.FixedZone("CST", 8*3600)

func (s *Service) today() time.Time {
	n := s.Now().In(cst)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// Settings returns a plan's settings, or defaults derived from the plan
// (start = issue date, quarterly, 10 days to report) when none are saved.
func (s *Service) Settings(ctx context.Context, planID int64) (Settings, error) {
	st := Settings{PlanID: planID, PeriodKind: "quarter", DeadlineDays: 10, Thresholds: DefaultThresholds, Scoring: DefaultScoring, DocNoPattern: DefaultDocNoPattern}
	var th, sc string
	err := s.db.Reader().QueryRowContext(ctx, `SELECT plan_start, period_kind, deadline_days, thresholds, scoring, doc_no_pattern, default_as_of FROM progress_settings WHERE plan_id = $1`, planID).
		Scan(&st.PlanStart, &st.PeriodKind, &st.DeadlineDays, &th, &sc, &st.DocNoPattern, &st.DefaultAsOf)
	if errors.Is(err, sql.ErrNoRows) {
		pv, err := s.plans.Current(ctx, planID)
		if err != nil {
			return st, err
		}
		st.PlanStart = pv.Issued
		if st.PlanStart == "" {
			st.PlanStart = fmtDay(pv.ApprovedAt.In(cst))
		}
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("progress: settings: %w", err)
	}
	if err := json.Unmarshal([]byte(th), &st.Thresholds); err != nil {
		return st, fmt.Errorf("progress: settings thresholds: %w", err)
	}
	if err := json.Unmarshal([]byte(sc), &st.Scoring); err != nil {
		return st, fmt.Errorf("progress: settings scoring: %w", err)
	}
	return st, nil
}

// SaveSettings stores a plan's settings (supervisors and admins).
func (s *Service) SaveSettings(ctx context.Context, p auth.Principal, st Settings) error {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return err
	}
	if _, err := parseDay(st.PlanStart); err != nil {
		return invalid("方案起始日期“%s”无效，请写成 2021-12-22 的形式", st.PlanStart)
	}
	if st.PeriodKind != "quarter" && st.PeriodKind != "month" {
		return invalid("报送周期只能是按季度（quarter）或按月（month）")
	}
	if st.DeadlineDays < 0 || st.DeadlineDays > 60 {
		return invalid("报送期限须为周期结束后 0–60 天")
	}
	if st.Thresholds.RedGap <= 0 || st.Thresholds.RedGap > 100 || st.Thresholds.NearDays < 0 || st.Thresholds.RemindBefore < 0 {
		return invalid("预警阈值无效：红色差距须在 0–100 个百分点之间，天数不能为负")
	}
	if st.DocNoPattern == "" {
		st.DocNoPattern = DefaultDocNoPattern
	}
	if err := checkDocNoPattern(st.DocNoPattern); err != nil {
		return err
	}
	if st.DefaultAsOf != "" {
		if d, err := parseDay(st.DefaultAsOf); err != nil || st.DefaultAsOf < st.PlanStart || d.After(s.today()) {
			return invalid("默认查看日期“%s”无效：须写成 2025-10-11 的形式，不早于方案起始日期，不晚于今天；留空表示按当天", st.DefaultAsOf)
		}
	}
	th, _ := json.Marshal(st.Thresholds)
	sc, _ := json.Marshal(st.Scoring)
	_, err := s.planSettings().Save(ctx, kit.Put[int64, Settings]{By: p.Actor(), Key: st.PlanID, Action: "update",
		Exec: func(tx *sql.Tx, _ Settings, _ bool) (Settings, error) {
			_, err := tx.ExecContext(ctx, `INSERT INTO progress_settings(plan_id, plan_start, period_kind, deadline_days, thresholds, scoring, doc_no_pattern, default_as_of, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (plan_id) DO UPDATE SET plan_start = excluded.plan_start, period_kind = excluded.period_kind, deadline_days = excluded.deadline_days,
				thresholds = excluded.thresholds, scoring = excluded.scoring, doc_no_pattern = excluded.doc_no_pattern, default_as_of = excluded.default_as_of, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				st.PlanID, st.PlanStart, st.PeriodKind, st.DeadlineDays, string(th), string(sc), st.DocNoPattern, st.DefaultAsOf, p.Login, time.Now().UTC())
			return st, err
		}})
	return err
}

// planSettings are the plans' settings as the kit writes them, keyed by
// plan. What a save replaces is always the settings in effect, read as
// Settings reads them: the defaults when none are saved, so a first save
// is audited against them (a failure to read them leaves the defaults and
// does not stop the save).
func (s *Service) planSettings() kit.Setting[int64, Settings] {
	return kit.Setting[int64, Settings]{DB: s.db, Entity: "progress_settings",
		Load: func(ctx context.Context, _ store.Querier, planID int64) (Settings, bool, error) {
			st, _ := s.Settings(ctx, planID)
			return st, true, nil
		}}
}

func parseDay(s string) (time.Time, error) { return time.Parse("2006-01-02", s) }
func fmtDay(t time.Time) string            { return t.Format("2006-01-02") }
