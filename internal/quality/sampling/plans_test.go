package sampling_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/quality/sampling"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestRefusedPlansAndTasksLeaveNothing: a duplicate plan or task number
// is a conflict in the register's words, a task for a department outside
// the caller's scope or of a missing plan is refused, with no row and no
// audit entry written; a task's creation is audited with the task.
func TestRefusedPlansAndTasksLeaveNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		pl, err := s.CreatePlan(ctx, admin, sampling.PlanInput{PlanNo: "XN-2025", Year: "2025", Level: "市州", Title: "2025年西宁市监督抽查", DeptID: d["630100"], Products: "水泥、电线电缆"})
		if err != nil {
			t.Fatal(err)
		}
		xining := inspector(d["630100"])
		if _, err := s.CreateTask(ctx, xining, pl.ID, sampling.TaskInput{TaskNo: "XN-1", Product: "水泥", DeptID: d["630100"], Planned: "10", DueOn: "2025-12-31"}); err != nil {
			t.Fatal(err)
		}
		count := func(q string) int {
			t.Helper()
			var n int
			if err := db.Reader().QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		state := func() [3]int {
			return [3]int{count(`SELECT COUNT(*) FROM audit_log`), count(`SELECT COUNT(*) FROM sampling_plans`), count(`SELECT COUNT(*) FROM sampling_tasks`)}
		}
		start := state()
		for _, w := range []struct {
			name  string
			write func() error
			kind  error
			msg   string
		}{
			{"duplicate plan number", func() error {
				_, err := s.CreatePlan(ctx, admin, sampling.PlanInput{PlanNo: "XN-2025", Year: "2025", Level: "市州", Title: "x", DeptID: d["630100"], Products: "水泥"})
				return err
			}, apperr.ErrConflict, "计划编号 XN-2025 已存在"},
			{"duplicate task number", func() error {
				_, err := s.CreateTask(ctx, xining, pl.ID, sampling.TaskInput{TaskNo: "XN-1", Product: "电线电缆", DeptID: d["630100"], Planned: "5", DueOn: "2025-12-31"})
				return err
			}, apperr.ErrConflict, "任务编号 XN-1 已存在"},
			{"task for a department outside the scope", func() error {
				_, err := s.CreateTask(ctx, xining, pl.ID, sampling.TaskInput{TaskNo: "XN-2", Product: "水泥", DeptID: d["632800"], Planned: "5", DueOn: "2025-12-31"})
				return err
			}, apperr.ErrInvalid, "部门不存在或不在您的数据范围内"},
			{"task of a missing plan", func() error {
				_, err := s.CreateTask(ctx, xining, 999999, sampling.TaskInput{TaskNo: "XN-3", Product: "水泥", DeptID: d["630100"], Planned: "5", DueOn: "2025-12-31"})
				return err
			}, apperr.ErrNotFound, "没有编号为 999999 的抽查计划"},
		} {
			err := w.write()
			if !errors.Is(err, w.kind) || apperr.Message(err) != w.msg {
				t.Errorf("%s: %v, want %q", w.name, err, w.msg)
			}
			if got := state(); got != start {
				t.Errorf("%s: audit, plans, tasks %v, was %v", w.name, got, start)
			}
		}
		var after string
		err = db.Reader().QueryRowContext(ctx, `SELECT after FROM audit_log WHERE entity = 'sampling_task' AND action = 'create'`).Scan(&after)
		if err != nil || !strings.Contains(after, `"task_no":"XN-1"`) || !strings.Contains(after, fmt.Sprintf(`"plan_id":%d`, pl.ID)) {
			t.Errorf("task audited %s (%v)", after, err)
		}
	})
}
