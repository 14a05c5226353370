package progress_test

import (
	"context"
	"fmt"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/kit/kittest"
	"sidi/internal/progress"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestTransitionAuditEntries pins what a report's review steps (send back,
// submit, return, approve) leave in the audit log: before {status}, after
// {status, comment} (the comment as stored, so a submission carries the
// last review's), and that refused steps leave no entry and change nothing.
func TestTransitionAuditEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2024-07-05"))
		samr, approver, sup := e.users["demo-reporter-samr"], e.users["demo-approver-samr"], e.users["demo-supervisor"]
		q1 := e.period(t, "2024Q1")
		draft := func(text string) *progress.Report {
			t.Helper()
			r, err := e.svc.SaveDraft(ctx, samr, progress.ReportInput{PlanID: e.planID, PeriodID: q1.ID, TaskNumber: 4, DeptID: samr.DeptID, Narrative: text, Values: map[int]float64{1: 1000}})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		empty := draft("")
		id := fmt.Sprint(empty.ID)
		counts := []string{`SELECT COUNT(*) FROM indicator_values`, `SELECT COUNT(*) FROM reports WHERE status <> 'draft'`}
		state := func(s string) any { return map[string]any{"status": s} }
		after := func(s, comment string) any { return map[string]any{"status": s, "comment": comment} }
		kittest.Refused(t, db, counts, []kittest.Refusal{
			{Name: "submit without narrative", Kind: apperr.ErrInvalid, Msg: "请先填写工作进展说明再提交",
				Write: func() error { _, err := e.svc.Submit(ctx, approver, empty.ID); return err }},
			{Name: "another department's approver", Kind: apperr.ErrNotFound, Msg: "报告不存在或不在您的数据范围内",
				Write: func() error { _, err := e.svc.Submit(ctx, e.users["demo-approver-drc"], empty.ID); return err }},
			{Name: "return a draft", Kind: apperr.ErrConflict, Msg: "报告当前状态为“草稿”，不能执行此操作",
				Write: func() error { _, err := e.svc.Return(ctx, sup, empty.ID, "改"); return err }},
			{Name: "missing report", Kind: apperr.ErrNotFound, Msg: "报告不存在或不在您的数据范围内",
				Write: func() error { _, err := e.svc.Approve(ctx, sup, 999999, "", true); return err }},
		})
		draft("一季度新增企业标准自我声明。")
		steps := []struct {
			name string
			do   func() (*progress.Report, error)
			want string
		}{
			{"send back", func() (*progress.Report, error) { return e.svc.SendBack(ctx, approver, empty.ID, "请核对") },
				kittest.Entry(t, id, "send_back", state("draft"), after("returned", "请核对"))},
			{"submit", func() (*progress.Report, error) { return e.svc.Submit(ctx, approver, empty.ID) },
				kittest.Entry(t, id, "submit", state("returned"), after("submitted", "请核对"))},
			{"return", func() (*progress.Report, error) { return e.svc.Return(ctx, sup, empty.ID, " 请补充口径 ") },
				kittest.Entry(t, id, "return", state("submitted"), after("returned", "请补充口径"))},
			{"submit again", func() (*progress.Report, error) { return e.svc.Submit(ctx, approver, empty.ID) },
				kittest.Entry(t, id, "submit", state("returned"), after("submitted", "请补充口径"))},
			{"approve", func() (*progress.Report, error) { return e.svc.Approve(ctx, sup, empty.ID, "同意", true) },
				kittest.Entry(t, id, "approve", state("submitted"), after("approved", "同意"))},
		}
		var want []string
		for _, s := range steps {
			r, err := s.do()
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if r.ID != empty.ID || r.Status == "" {
				t.Fatalf("%s returned %+v", s.name, r)
			}
			want = append(want, s.want)
			if s.name == "submit again" {
				kittest.Refused(t, db, counts, []kittest.Refusal{
					{Name: "approve without evidence, unconfirmed", Kind: apperr.ErrInvalid, Msg: "该报告没有佐证材料。确认仍审核通过，请勾选“确认本报告没有佐证材料”后再提交；否则请退回并要求补充",
						Write: func() error { _, err := e.svc.Approve(ctx, sup, empty.ID, "", false); return err }},
				})
			}
		}
		kittest.Refused(t, db, counts, []kittest.Refusal{
			{Name: "submit an approved report", Kind: apperr.ErrConflict, Msg: "报告当前状态为“已审核通过”，不能执行此操作",
				Write: func() error { _, err := e.svc.Submit(ctx, approver, empty.ID); return err }},
		})
		kittest.Entries(t, db, "report", want, "send_back", "submit", "return", "approve")
		if n := kittest.Counts(t, db, `SELECT COUNT(*) FROM indicator_values`)[0]; n != 1 {
			t.Errorf("%d indicator values after the approval, want 1", n)
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}
