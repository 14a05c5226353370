package protect_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/ip/protect"
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
		count := func(q string) int {
			t.Helper()
			var n int
			if err := db.Reader().QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		state := func() [4]int {
			return [4]int{count(`SELECT COUNT(*) FROM audit_log`), count(`SELECT COUNT(*) FROM ip_cases WHERE status = 'clue'`),
				count(`SELECT COUNT(*) FROM ip_case_events`), count(`SELECT COUNT(*) FROM ip_assists WHERE status = 'open'`)}
		}
		start := state()
		for _, w := range []struct {
			name  string
			write func() error
			kind  error
			msg   string
		}{
			{"file another department's case", func() error {
				_, err := s.Step(ctx, haixi, c.ID, protect.CaseStep{Action: protect.StepFile, On: "2025-06-10"})
				return err
			}, apperr.ErrNotFound, fmt.Sprintf("案件 %d 不存在", c.ID)},
			{"close another department's request", func() error {
				_, err := s.CloseAssist(ctx, haixi, a.ID, "assisted", "已援助", "2025-06-25")
				return err
			}, apperr.ErrNotFound, fmt.Sprintf("申请 %d 不存在", a.ID)},
			{"missing request", func() error {
				_, err := s.CloseAssist(ctx, county, 999999, "assisted", "已援助", "2025-06-25")
				return err
			}, apperr.ErrNotFound, "申请 999999 不存在"},
			{"duplicate case number", func() error {
				_, err := s.CreateCase(ctx, county, protect.NewCase{CaseNo: c.CaseNo, Kind: protect.KindPatent, DeptID: d["630102"], Subject: "x", Party: "y", DiscoveredOn: "2025-06-20"})
				return err
			}, apperr.ErrConflict, "案件编号 东市监知罚〔2025〕3号 已存在"},
			{"duplicate request number", func() error {
				_, err := s.CreateAssist(ctx, county, protect.Assist{ReqNo: "YZ-9", Kind: protect.AssistKind, DeptID: d["630102"], Applicant: "乙", Matter: "m", ReceivedOn: "2025-06-21"})
				return err
			}, apperr.ErrConflict, "受理编号 YZ-9 已存在"},
		} {
			err := w.write()
			if !errors.Is(err, w.kind) || apperr.Message(err) != w.msg {
				t.Errorf("%s: %v, want %q", w.name, err, w.msg)
			}
			if got := state(); got != start {
				t.Errorf("%s: audit, clues, events, open requests %v, was %v", w.name, got, start)
			}
		}
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
