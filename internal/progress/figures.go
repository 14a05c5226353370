package progress

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"sidi/internal/auth"
	"sidi/internal/indicator"
	"sidi/internal/kit"
	"sidi/internal/store"
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
	_, err := s.taskFigures().Save(ctx, kit.Put[taskKey, []string]{By: p.Actor(), Allowed: p.Require(auth.RoleAdmin, auth.RoleSupervisor),
		Key: taskKey{planID, task}, Action: "update",
		Validate: func() error {
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
			return nil
		},
		// The list replaces the stored one: an empty list deletes them all.
		Exec: func(tx *sql.Tx, _ []string, _ bool) ([]string, error) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM task_figures WHERE plan_id = $1 AND task_number = $2`, planID, task); err != nil {
				return nil, err
			}
			for i, k := range keys {
				if _, err := tx.ExecContext(ctx, `INSERT INTO task_figures(plan_id, task_number, metric_key, sort_order) VALUES ($1, $2, $3, $4)`, planID, task, k, i); err != nil {
					return nil, err
				}
			}
			return append([]string{}, keys...), nil
		}})
	return err
}

// taskKey names a task of a plan: the audit log writes "plan:task".
type taskKey struct {
	Plan int64
	Task int
}

func (k taskKey) String() string { return fmt.Sprintf("%d:%d", k.Plan, k.Task) }

// taskFigures are the tasks' figure lists as the kit writes them, keyed by
// plan and task: a task without figures has none stored (not found).
func (s *Service) taskFigures() kit.Setting[taskKey, []string] {
	return kit.Setting[taskKey, []string]{DB: s.db, Entity: "task_figures",
		Load: func(ctx context.Context, q store.Querier, k taskKey) ([]string, bool, error) {
			var keys []string
			err := store.EachRow(ctx, q, `SELECT metric_key FROM task_figures WHERE plan_id = $1 AND task_number = $2 ORDER BY sort_order`, []any{k.Plan, k.Task}, func(r *sql.Rows) error {
				var m string
				err := r.Scan(&m)
				keys = append(keys, m)
				return err
			})
			return keys, len(keys) > 0, err
		}}
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
