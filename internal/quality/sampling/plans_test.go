package sampling_test

import (
	"fmt"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/kit/kittest"
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
		task := func(no string, plan, dept int64) func() error {
			return func() error {
				_, err := s.CreateTask(ctx, xining, plan, sampling.TaskInput{TaskNo: no, Product: "水泥", DeptID: dept, Planned: "5", DueOn: "2025-12-31"})
				return err
			}
		}
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM sampling_plans`, `SELECT COUNT(*) FROM sampling_tasks`}, []kittest.Refusal{
			{Name: "duplicate plan number", Write: func() error {
				_, err := s.CreatePlan(ctx, admin, sampling.PlanInput{PlanNo: "XN-2025", Year: "2025", Level: "市州", Title: "x", DeptID: d["630100"], Products: "水泥"})
				return err
			}, Kind: apperr.ErrConflict, Msg: "计划编号 XN-2025 已存在"},
			{Name: "duplicate task number", Write: task("XN-1", pl.ID, d["630100"]), Kind: apperr.ErrConflict, Msg: "任务编号 XN-1 已存在"},
			{Name: "task for a department outside the scope", Write: task("XN-2", pl.ID, d["632800"]), Kind: apperr.ErrInvalid, Msg: "部门不存在或不在您的数据范围内"},
			{Name: "task of a missing plan", Write: task("XN-3", 999999, d["630100"]), Kind: apperr.ErrNotFound, Msg: "没有编号为 999999 的抽查计划"},
		})
		var after string
		err = db.Reader().QueryRowContext(ctx, `SELECT after FROM audit_log WHERE entity = 'sampling_task' AND action = 'create'`).Scan(&after)
		if err != nil || !strings.Contains(after, `"task_no":"XN-1"`) || !strings.Contains(after, fmt.Sprintf(`"plan_id":%d`, pl.ID)) {
			t.Errorf("task audited %s (%v)", after, err)
		}
	})
}
