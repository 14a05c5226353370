package progress_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/indicator"
	"sidi/internal/kit/kittest"
	"sidi/internal/progress"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestKeyedWrites: the bulletin's next steps, a task's figures, a target's
// binding and a task's override are keyed saves: each is audited with the
// record it replaces (none the first time) and the record it stores, in
// the same chain as the entries the code wrote before (no before, a joined
// list), which still verify; a refused write leaves no row and no entry.
func TestKeyedWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2026-01-11"))
		for _, k := range []string{"test.a", "test.b"} {
			err := e.metrics.Register(indicator.Metric{Key: k, Name: k, Unit: "项",
				Compute: func(context.Context, indicator.Querier, time.Time, time.Time) (float64, error) { return 1, nil }})
			if err != nil {
				t.Fatal(err)
			}
		}
		sup, rep := e.users["demo-supervisor"], e.users["demo-reporter-samr"]
		canon := func(v any) string {
			b, err := audit.Canonical(v)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		entry := func(id string, before, after any) string {
			return id + " update " + canon(before) + " → " + canon(after)
		}
		forbidden := func(write func(p auth.Principal) error) kittest.Refusal {
			return kittest.Refusal{Name: "reporter", Kind: apperr.ErrForbidden, Msg: "您没有执行此操作的权限", Write: func() error { return write(rep) }}
		}
		invalid := func(name, msg string, write func() error) kittest.Refusal {
			return kittest.Refusal{Name: name, Kind: apperr.ErrInvalid, Msg: msg, Write: write}
		}
		nextSteps := func(p auth.Principal, code, text string) func() error {
			return func() error { return e.svc.SaveNextSteps(ctx, p, e.planID, code, text) }
		}
		figures := func(p auth.Principal, task int, keys ...string) func() error {
			return func() error { return e.svc.SetTaskFigures(ctx, p, e.planID, task, keys) }
		}
		bind := func(p auth.Principal, b progress.Binding) func() error {
			return func() error { return e.svc.SetBinding(ctx, p, e.planID, b) }
		}
		override := func(p auth.Principal, task int, v *float64, reason string) func() error {
			return func() error { return e.svc.SetOverride(ctx, p, e.planID, task, v, reason) }
		}
		eighty, half, nan := 80.0, 0.5, math.NaN()
		b1 := progress.Binding{TaskNumber: 1, Ordinal: 1, MetricKey: "test.a", Baseline: 2}
		b2 := progress.Binding{TaskNumber: 1, Ordinal: 1, Baseline: 3, Weight: &half, Deadline: "2025-12-31", Note: "人工报送"}
		taskID, bulletinID, targetID := fmt.Sprintf("%d:13", e.planID), fmt.Sprintf("%d:2025Q4", e.planID), fmt.Sprintf("%d:1.1", e.planID)

		cases := []struct {
			entity string
			// old is the entry the code wrote before it was a keyed save.
			old      audit.Entry
			writes   []func() error
			want     []string // the entries after old's
			stored   func() (any, error)
			want2    any
			counts   []string
			refusals []kittest.Refusal
		}{
			{
				entity: "bulletin",
				old:    audit.Entry{EntityID: bulletinID, After: map[string]any{"next_steps": "旧的下一步工作"}},
				writes: []func() error{nextSteps(sup, "2025Q4", "第一稿"), nextSteps(sup, "2025Q4", "  第二稿\n")},
				want: []string{
					entry(bulletinID, nil, map[string]any{"next_steps": "第一稿"}),
					entry(bulletinID, map[string]any{"next_steps": "第一稿"}, map[string]any{"next_steps": "第二稿"}),
				},
				stored: func() (any, error) {
					b, err := e.svc.BuildBulletin(ctx, e.planID, "2025Q4")
					if err != nil {
						return nil, err
					}
					return b.NextSteps, nil
				},
				want2:  "第二稿",
				counts: []string{`SELECT COUNT(*) FROM bulletins`, `SELECT COUNT(*) FROM bulletins WHERE next_steps = '第二稿'`},
				refusals: []kittest.Refusal{
					forbidden(func(p auth.Principal) error { return nextSteps(p, "2025Q4", "越权")() }),
					invalid("empty", "“下一步工作”须填写，且不超过 5000 字", nextSteps(sup, "2025Q4", "  ")),
					invalid("too long", "“下一步工作”须填写，且不超过 5000 字", nextSteps(sup, "2025Q4", strings.Repeat("字", 5001))),
					{Name: "no period", Kind: apperr.ErrNotFound, Msg: "没有“2030Q1”这个报送周期（格式如 2025Q4）", Write: nextSteps(sup, "2030Q1", "文本")},
				},
			},
			{
				entity: "task_figures",
				// A joined list, as the old code wrote it.
				old:    audit.Entry{EntityID: taskID, Before: "", After: "test.b"},
				writes: []func() error{figures(sup, 13, "test.a"), figures(sup, 13, "test.b", "test.a"), figures(sup, 13), figures(sup, 13, "test.b")},
				want: []string{
					entry(taskID, nil, []string{"test.a"}),
					entry(taskID, []string{"test.a"}, []string{"test.b", "test.a"}),
					// An empty list deletes the figures: the next write finds none.
					entry(taskID, []string{"test.b", "test.a"}, []string{}),
					entry(taskID, nil, []string{"test.b"}),
				},
				stored: func() (any, error) {
					f, err := e.svc.TaskFigures(ctx, e.planID)
					return fmt.Sprint(f), err
				},
				want2:  "map[13:[test.b]]",
				counts: []string{`SELECT COUNT(*) FROM task_figures`, `SELECT COUNT(*) FROM task_figures WHERE metric_key = 'test.b'`},
				refusals: []kittest.Refusal{
					forbidden(func(p auth.Principal) error { return figures(p, 13, "test.a")() }),
					invalid("nine", "一个任务最多显示 8 项实时数据", figures(sup, 13, "test.a", "1", "2", "3", "4", "5", "6", "7", "8")),
					invalid("unknown", "没有名为“nope”的计算指标", figures(sup, 13, "test.a", "nope")),
					invalid("twice", "指标“test.a”重复", figures(sup, 13, "test.a", "test.a")),
					{Name: "no task", Kind: apperr.ErrNotFound, Msg: "方案中没有第 99 项任务", Write: figures(sup, 99, "test.a")},
				},
			},
			{
				entity: "indicator_binding",
				old:    audit.Entry{EntityID: targetID, After: progress.Binding{TaskNumber: 1, Ordinal: 1, MetricKey: "test.b"}},
				writes: []func() error{bind(sup, b1), bind(sup, b2)},
				want:   []string{entry(targetID, nil, b1), entry(targetID, b1, b2)},
				stored: func() (any, error) {
					bs, err := e.svc.Bindings(ctx, e.planID)
					return canon(bs["1.1"]), err
				},
				want2:  canon(b2),
				counts: []string{`SELECT COUNT(*) FROM indicator_bindings`, `SELECT COUNT(*) FROM indicator_bindings WHERE baseline = 3`},
				refusals: []kittest.Refusal{
					forbidden(func(p auth.Principal) error { return bind(p, b1)() }),
					invalid("ordinal", "任务 1 没有第 99 个量化目标", bind(sup, progress.Binding{TaskNumber: 1, Ordinal: 99})),
					invalid("baseline", "基线值无效（须为绝对值不超过 10 的 15 次方的数字）", bind(sup, progress.Binding{TaskNumber: 1, Ordinal: 1, Baseline: nan})),
					invalid("weight", "权重无效（须为不超过 10 的 15 次方的非负数）", bind(sup, progress.Binding{TaskNumber: 1, Ordinal: 1, Weight: &nan})),
					invalid("metric", "没有名为“nope”的计算指标", bind(sup, progress.Binding{TaskNumber: 1, Ordinal: 1, MetricKey: "nope"})),
					invalid("deadline", "截止日期“2025/12/31”无效，请写成 2025-12-31 的形式", bind(sup, progress.Binding{TaskNumber: 1, Ordinal: 1, Deadline: "2025/12/31"})),
					{Name: "no task", Kind: apperr.ErrNotFound, Msg: "方案中没有第 99 项任务", Write: bind(sup, progress.Binding{TaskNumber: 99, Ordinal: 1})},
				},
			},
			{
				entity: "task_override",
				old:    audit.Entry{EntityID: taskID, After: map[string]any{"progress": 60, "reason": "旧的调整理由"}},
				writes: []func() error{override(sup, 13, &eighty, "专项执法行动已验收"), override(sup, 13, nil, "")},
				want: []string{
					entry(taskID, nil, map[string]any{"progress": 80, "reason": "专项执法行动已验收"}),
					// Clearing keeps the task's row (it holds its weight too).
					entry(taskID, map[string]any{"progress": 80, "reason": "专项执法行动已验收"}, map[string]any{"progress": nil, "reason": ""}),
				},
				stored: func() (any, error) {
					st, err := e.svc.Evaluate(ctx, e.planID, day("2025-06-30"))
					if err != nil {
						return nil, err
					}
					for _, ts := range st.Tasks {
						if ts.Number == 13 {
							return ts.Overridden, nil
						}
					}
					return nil, fmt.Errorf("no task 13")
				},
				want2:  false,
				counts: []string{`SELECT COUNT(*) FROM task_settings`, `SELECT COUNT(*) FROM task_settings WHERE override_progress IS NOT NULL`},
				refusals: []kittest.Refusal{
					forbidden(func(p auth.Principal) error { return override(p, 13, &eighty, "专项执法行动已验收")() }),
					invalid("range", "人工调整的进度须在 0–100 之间", override(sup, 13, new(120.0), "专项执法行动已验收")),
					invalid("reason", "人工调整进度须写明理由（至少 4 个字）", override(sup, 13, &eighty, "已验收")),
					{Name: "no task", Kind: apperr.ErrNotFound, Msg: "方案中没有第 99 项任务", Write: override(sup, 99, &eighty, "专项执法行动已验收")},
				},
			},
		}
		for _, c := range cases {
			t.Run(c.entity, func(t *testing.T) {
				old := c.old
				old.Entity, old.Action = c.entity, "update"
				if err := db.Tx(ctx, func(tx *sql.Tx) error { return audit.Append(ctx, db, tx, sup.Actor(), old) }); err != nil {
					t.Fatal(err)
				}
				for i, w := range c.writes {
					if err := w(); err != nil {
						t.Fatalf("write %d: %v", i+1, err)
					}
				}
				got := kittest.AuditEntries(t, db, c.entity)
				want := append([]string{entry(old.EntityID, old.Before, old.After)}, c.want...)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("audit entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if v, err := c.stored(); err != nil || v != c.want2 {
					t.Errorf("stored %v (%v), want %v", v, err, c.want2)
				}
				kittest.Refused(t, db, c.counts, c.refusals)
			})
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain with entries old and new: %v", err)
		}
	})
}
