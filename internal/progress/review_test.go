package progress_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/progress"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestReviewSendBackEvidenceAndContext(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2024-07-05"))
		samr, approver, sup := e.users["demo-reporter-samr"], e.users["demo-approver-samr"], e.users["demo-supervisor"]
		q1 := e.period(t, "2024Q1")
		draft := func(p progress.Period, text string, v float64) *progress.Report {
			t.Helper()
			r, err := e.svc.SaveDraft(ctx, samr, progress.ReportInput{PlanID: e.planID, PeriodID: p.ID, TaskNumber: 4, DeptID: samr.DeptID, Narrative: text, Values: map[int]float64{1: v}})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r := draft(q1, "一季度新增企业标准自我声明。", 1200)
		// The department's approver sends the draft back before submission.
		for _, c := range []struct {
			name    string
			comment string
			kind    error
		}{
			{"empty comment", "  \n ", apperr.ErrInvalid},
			{"overlong comment", strings.Repeat("改", 2001), apperr.ErrInvalid},
		} {
			if _, err := e.svc.SendBack(ctx, approver, r.ID, c.comment); !errors.Is(err, c.kind) {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		if _, err := e.svc.SendBack(ctx, samr, r.ID, "改"); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("reporter sends back: %v", err)
		}
		if _, err := e.svc.SendBack(ctx, e.users["demo-approver-drc"], r.ID, "改"); !errors.Is(err, apperr.ErrNotFound) && !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("another department's approver sends back: %v", err)
		}
		back, err := e.svc.SendBack(ctx, approver, r.ID, "数值与统计表不一致，\n请核对后重报。")
		if err != nil {
			t.Fatal(err)
		}
		if back.Status != progress.ReportReturned || back.TimesReturned != 0 {
			t.Fatalf("after send-back: status %s, times returned %d (a department's own return must not count)", back.Status, back.TimesReturned)
		}
		draft(q1, "一季度新增企业标准自我声明，已核对。", 1000)
		if _, err := e.svc.Submit(ctx, approver, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Return(ctx, sup, r.ID, "请补充统计口径说明"); err != nil {
			t.Fatal(err)
		}
		draft(q1, "一季度新增企业标准自我声明，附统计口径。", 1000)
		if _, err := e.svc.Submit(ctx, approver, r.ID); err != nil {
			t.Fatal(err)
		}
		// No evidence: approval needs the reviewer's confirmation.
		if _, err := e.svc.Approve(ctx, sup, r.ID, "", false); !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), "佐证材料") {
			t.Fatalf("approve without evidence, unconfirmed: %v", err)
		}
		if got, _ := e.svc.Report(ctx, sup, r.ID); got.Status != progress.ReportSubmitted {
			t.Fatalf("a refused approval changed the status to %s", got.Status)
		}
		if _, err := e.svc.Approve(ctx, sup, r.ID, "同意", true); err != nil {
			t.Fatal(err)
		}
		returns, err := e.svc.Returns(ctx, samr, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(returns) != 2 || returns[0].Stage != progress.StageDepartment || returns[1].Stage != progress.StageRegulator ||
			returns[0].Comment != "数值与统计表不一致，\n请核对后重报。" || returns[1].Comment != "请补充统计口径说明" || returns[0].By == "" || returns[0].By == approver.Login {
			t.Fatalf("returns %+v", returns)
		}
		if _, err := e.svc.Returns(ctx, e.users["demo-reporter-drc"], r.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("another department reads the returns: %v", err)
		}
		// The next period's form shows the value approved for the last one.
		q2 := e.period(t, "2024Q2")
		cs, err := e.svc.ReportContext(ctx, e.planID, 4, q2, map[int]float64{1: 1500})
		if err != nil || len(cs) == 0 {
			t.Fatalf("context: %v %v", cs, err)
		}
		c := cs[0]
		if c.Previous == nil || *c.Previous != 1000 || c.PrevAsOf != q1.Ends || c.Change == nil || *c.Change != 500 || c.Reference != "上期" || c.Target != 2000 {
			t.Fatalf("context of 2024Q2: %+v", c)
		}
		// The first period has no previous value: the change is against the baseline.
		cs, _ = e.svc.ReportContext(ctx, e.planID, 4, q1, map[int]float64{1: 1000})
		if cs[0].Previous != nil || cs[0].Reference != "基线" || *cs[0].Change != 1000-cs[0].Baseline {
			t.Fatalf("context of 2024Q1: %+v", cs[0])
		}
	})
}
