package progress

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/indicator"
)

// Figure is a live figure a task shows beside its narrative: a computed
// metric with no target (the plan sets none for tasks 15–19), as of the
// state's date.
type Figure struct {
	Metric   string  `json:"metric"`
	Name     string  `json:"name"`
	Unit     string  `json:"unit"`
	Help     string  `json:"help"`
	Value    float64 `json:"value"`
	HasValue bool    `json:"has_value"`
}

// TaskFigures returns the metric keys each task of the plan shows, in order.
func (s *Service) TaskFigures(ctx context.Context, planID int64) (map[int][]string, error) {
	out := map[int][]string{}
	rows, err := s.db.Reader().QueryContext(ctx, `SELECT task_number, metric_key FROM task_figures WHERE plan_id = $1 ORDER BY task_number, sort_order, metric_key`, planID)
	if err != nil {
		return nil, fmt.Errorf("progress: task figures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t int
		var k string
		if err := rows.Scan(&t, &k); err != nil {
			return nil, fmt.Errorf("progress: task figures: %w", err)
		}
		out[t] = append(out[t], k)
	}
	return out, rows.Err()
}

// SetTaskFigures replaces the figures a task shows (supervisors), audited;
// every key must be a registered metric, at most eight.
func (s *Service) SetTaskFigures(ctx context.Context, p auth.Principal, planID int64, task int, keys []string) error {
	if err := p.Require(auth.RoleAdmin, auth.RoleSupervisor); err != nil {
		return err
	}
	if _, _, err := s.plans.Task(ctx, planID, task); err != nil {
		return err
	}
	if len(keys) > 8 {
		return invalid("一个任务最多显示 8 项实时数据")
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if _, ok := s.metrics.Get(k); !ok {
			return invalid("没有名为“%s”的计算指标", k)
		}
		if seen[k] {
			return invalid("指标“%s”重复", k)
		}
		seen[k] = true
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var before []string
		rows, err := tx.QueryContext(ctx, `SELECT metric_key FROM task_figures WHERE plan_id = $1 AND task_number = $2 ORDER BY sort_order`, planID, task)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return err
			}
			before = append(before, k)
		}
		rows.Close()
		if _, err := tx.ExecContext(ctx, `DELETE FROM task_figures WHERE plan_id = $1 AND task_number = $2`, planID, task); err != nil {
			return fmt.Errorf("progress: task figures: %w", err)
		}
		for i, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO task_figures(plan_id, task_number, metric_key, sort_order) VALUES ($1, $2, $3, $4)`, planID, task, k, i); err != nil {
				return fmt.Errorf("progress: task figures: %w", err)
			}
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "task_figures", EntityID: fmt.Sprintf("%d:%d", planID, task), Action: "update",
			Before: strings.Join(before, ","), After: strings.Join(keys, ",")})
	})
}

// figures computes a task's figures as of asOf.
func (s *Service) figures(ctx context.Context, keys []string, start, asOf time.Time) ([]Figure, error) {
	out := []Figure{}
	for _, k := range keys {
		m, ok := s.metrics.Get(k)
		if !ok {
			continue // a metric no longer registered: nothing to show
		}
		f := Figure{Metric: m.Key, Name: m.Name, Unit: m.Unit, Help: m.Description}
		v, err := m.Compute(ctx, s.db.Reader(), start, asOf)
		switch {
		case errors.Is(err, indicator.ErrNoValue):
		case err != nil:
			return nil, fmt.Errorf("progress: figure %s: %w", k, err)
		default:
			f.Value, f.HasValue = v, true
		}
		out = append(out, f)
	}
	return out, nil
}
