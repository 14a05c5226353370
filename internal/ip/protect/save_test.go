package protect_test

import (
	"fmt"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/ip/protect"
	"sidi/internal/kit/kittest"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestRefusedWritesLeaveNothing: a step of another department's case or
// the close of its request is refused as the record not existing, a
// duplicate number as a conflict, in the register's own words, with no
// row, event or audit entry written; a step is audited with before and
// after.
func TestRefusedWritesLeaveNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		county := inspector(d["630102"], auth.ScopeOwn)
		haixi := inspector(d["632800"], auth.ScopeSubtree)
		c, err := s.CreateCase(ctx, county, protect.NewCase{CaseNo: "东市监知罚〔2025〕3号", Kind: protect.KindTrademark, DeptID: d["630102"], Subject: "销售假冒商标的牦牛肉", Party: "某商行", DiscoveredOn: "2025-06-02"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.CreateAssist(ctx, county, protect.Assist{ReqNo: "YZ-9", Kind: protect.AssistKind, DeptID: d["630102"], Applicant: "甲", Matter: "海外维权", ReceivedOn: "2025-06-20"})
		if err != nil {
			t.Fatal(err)
		}
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM ip_cases`, `SELECT COUNT(*) FROM ip_cases WHERE status = 'clue'`,
			`SELECT COUNT(*) FROM ip_case_events`, `SELECT COUNT(*) FROM ip_assists WHERE status = 'open'`}, []kittest.Refusal{
			{Name: "file another department's case", Write: func() error {
				_, err := s.Step(ctx, haixi, c.ID, protect.CaseStep{Action: protect.StepFile, On: "2025-06-10"})
				return err
			}, Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("案件 %d 不存在", c.ID)},
			{Name: "close another department's request", Write: func() error {
				_, err := s.CloseAssist(ctx, haixi, a.ID, "assisted", "已援助", "2025-06-25")
				return err
			}, Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("申请 %d 不存在", a.ID)},
			{Name: "missing request", Write: func() error {
				_, err := s.CloseAssist(ctx, county, 999999, "assisted", "已援助", "2025-06-25")
				return err
			}, Kind: apperr.ErrNotFound, Msg: "申请 999999 不存在"},
			{Name: "duplicate case number", Write: func() error {
				_, err := s.CreateCase(ctx, county, protect.NewCase{CaseNo: c.CaseNo, Kind: protect.KindPatent, DeptID: d["630102"], Subject: "x", Party: "y", DiscoveredOn: "2025-06-20"})
				return err
			}, Kind: apperr.ErrConflict, Msg: "案件编号 东市监知罚〔2025〕3号 已存在"},
			{Name: "duplicate request number", Write: func() error {
				_, err := s.CreateAssist(ctx, county, protect.Assist{ReqNo: "YZ-9", Kind: protect.AssistKind, DeptID: d["630102"], Applicant: "乙", Matter: "m", ReceivedOn: "2025-06-21"})
				return err
			}, Kind: apperr.ErrConflict, Msg: "受理编号 YZ-9 已存在"},
		})
		if _, err := s.Step(ctx, county, c.ID, protect.CaseStep{Action: protect.StepFile, On: "2025-06-10"}); err != nil {
			t.Fatal(err)
		}
		var before, after string
		err = db.Reader().QueryRowContext(ctx, `SELECT before, after FROM audit_log WHERE entity = 'ip_case' AND entity_id = $1 AND action = 'file'`, fmt.Sprint(c.ID)).Scan(&before, &after)
		if err != nil || !strings.Contains(before, `"status":"clue"`) || !strings.Contains(after, `"status":"filed"`) || !strings.Contains(after, `"filed_on":"2025-06-10"`) {
			t.Errorf("step audited before %s after %s (%v)", before, after, err)
		}
	})
}
