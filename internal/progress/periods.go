package progress

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
)

// Period is one reporting period of a plan.
type Period struct {
	ID       int64  `json:"id"`
	PlanID   int64  `json:"plan_id"`
	Code     string `json:"code"` // 2025Q4 or 2025-10
	Starts   string `json:"starts"`
	Ends     string `json:"ends"`
	Deadline string `json:"deadline"`
}

// Label is the Chinese name of the period.
func (p Period) Label() string {
	if len(p.Code) == 6 && p.Code[4] == 'Q' {
		return fmt.Sprintf("%s年第%c季度", p.Code[:4], p.Code[5])
	}
	if len(p.Code) == 7 {
		return fmt.Sprintf("%s年%s月", p.Code[:4], p.Code[5:])
	}
	return p.Code
}

// EndTime is the last day of the period.
func (p Period) EndTime() time.Time { t, _ := parseDay(p.Ends); return t }

// DeadlineTime is the report deadline day.
func (p Period) DeadlineTime() time.Time { t, _ := parseDay(p.Deadline); return t }

// EnsurePeriods creates the reporting periods from the plan start to the
// end of the year `until`; existing periods are kept.
func (s *Service) EnsurePeriods(ctx context.Context, p auth.Principal, planID int64, until int) (int, error) {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return 0, err
	}
	st, err := s.Settings(ctx, planID)
	if err != nil {
		return 0, err
	}
	start, err := parseDay(st.PlanStart)
	if err != nil {
		return 0, invalid("方案起始日期“%s”无效", st.PlanStart)
	}
	var ps []Period
	cur := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
	if st.PeriodKind == "quarter" {
		cur = time.Date(start.Year(), time.Month((int(start.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	}
	for cur.Year() <= until {
		var next time.Time
		var code string
		if st.PeriodKind == "quarter" {
			next = cur.AddDate(0, 3, 0)
			code = fmt.Sprintf("%dQ%d", cur.Year(), (int(cur.Month())-1)/3+1)
		} else {
			next = cur.AddDate(0, 1, 0)
			code = cur.Format("2006-01")
		}
		end := next.AddDate(0, 0, -1)
		ps = append(ps, Period{PlanID: planID, Code: code, Starts: fmtDay(cur), Ends: fmtDay(end), Deadline: fmtDay(end.AddDate(0, 0, st.DeadlineDays))})
		cur = next
	}
	added := 0
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, pr := range ps {
			res, err := tx.ExecContext(ctx, `INSERT INTO reporting_periods(plan_id, code, starts, ends, deadline) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (plan_id, code) DO NOTHING`,
				pr.PlanID, pr.Code, pr.Starts, pr.Ends, pr.Deadline)
			if err != nil {
				return fmt.Errorf("progress: add period %s: %w", pr.Code, err)
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		if added == 0 {
			return nil
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "reporting_periods", EntityID: fmt.Sprint(planID), Action: "generate",
			After: map[string]any{"added": added, "until": until, "kind": st.PeriodKind}})
	})
	return added, err
}

const periodColumns = `id, plan_id, code, starts, ends, deadline`

func scanPeriod(sc interface{ Scan(...any) error }) (Period, error) {
	var p Period
	err := sc.Scan(&p.ID, &p.PlanID, &p.Code, &p.Starts, &p.Ends, &p.Deadline)
	return p, err
}

// Periods lists a plan's periods in order.
func (s *Service) Periods(ctx context.Context, planID int64) ([]Period, error) {
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT `+periodColumns+` FROM reporting_periods WHERE plan_id = $1 ORDER BY starts`, planID)
	if err != nil {
		return nil, fmt.Errorf("progress: periods: %w", err)
	}
	defer rows.Close()
	var out []Period
	for rows.Next() {
		p, err := scanPeriod(rows)
		if err != nil {
			return nil, fmt.Errorf("progress: periods: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Period returns one period by plan and code.
func (s *Service) Period(ctx context.Context, planID int64, code string) (Period, error) {
	p, err := scanPeriod(s.db.Reader().QueryRowContext(ctx, `SELECT `+periodColumns+` FROM reporting_periods WHERE plan_id = $1 AND code = $2`, planID, code))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFound("没有“%s”这个报送周期（格式如 2025Q4）", code)
	}
	if err != nil {
		return p, fmt.Errorf("progress: period %s: %w", code, err)
	}
	return p, nil
}

// CurrentPeriod is the period whose reporting is due now: the latest
// period that has ended, or the first one when none has.
func (s *Service) CurrentPeriod(ctx context.Context, planID int64) (Period, error) {
	ps, err := s.Periods(ctx, planID)
	if err != nil {
		return Period{}, err
	}
	if len(ps) == 0 {
		return Period{}, apperr.NotFound("尚未设置报送周期")
	}
	today := fmtDay(s.today())
	cur := ps[0]
	for _, p := range ps {
		if p.Ends < today {
			cur = p
		}
	}
	return cur, nil
}

func invalid(format string, args ...any) error { return apperr.Invalid(format, args...) }
