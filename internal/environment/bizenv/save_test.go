package bizenv_test

import (
	"fmt"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/environment/bizenv"
	"sidi/internal/kit/kittest"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestRefusedWritesLeaveNothing: a change of another department's record
// is refused as the record not existing (in the register's own words) and
// a duplicate fee case number as a conflict, with no row and no audit
// entry written; an accepted change is audited with before and after.
func TestRefusedWritesLeaveNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		xining := user(d["630100"], auth.ScopeSubtree, auth.RoleInspector, auth.RoleApprover)
		haixi := user(d["632800"], auth.ScopeSubtree, auth.RoleInspector, auth.RoleApprover)
		fc, err := s.CreateFeeCase(ctx, xining, bizenv.FeeCase{DeptID: d["630100"], Kind: "complaint", RefNo: "宁收费投〔2025〕9号", Party: "某协会", Charge: "审核费", Amount: "100", Field: "行业协会商会", ReceivedOn: "2025-05-06"})
		if err != nil {
			t.Fatal(err)
		}
		ov, err := s.CreateOversight(ctx, xining, bizenv.Oversight{DeptID: d["630100"], Kind: "complaint", MeasureTitle: "某通知", Source: "某公司", Content: "限定供货", ReceivedOn: "2025-04-01"})
		if err != nil {
			t.Fatal(err)
		}
		cp, err := s.CreateCampaign(ctx, xining, bizenv.Campaign{DeptID: d["630100"], Title: "文明西宁", Theme: "文明城市", StartOn: "2025-04-01", EndOn: "2025-09-30"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.CreateMeasure(ctx, xining, bizenv.NewMeasure{DeptID: d["630100"], Title: "西宁市招商办法", DocKind: "规范性文件", DraftedOn: "2025-01-02"})
		if err != nil {
			t.Fatal(err)
		}
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM fee_cases`, `SELECT COUNT(*) FROM fee_cases WHERE closed_on <> ''`,
			`SELECT COUNT(*) FROM fair_oversight WHERE closed_on <> ''`, `SELECT COUNT(*) FROM ad_placements`, `SELECT COUNT(*) FROM fair_opinions`}, []kittest.Refusal{
			{Name: "close another department's fee case", Write: func() error {
				_, err := s.CloseFeeCase(ctx, haixi, fc.ID, "责令退还", "100", "2025-05-20")
				return err
			}, Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("收费案件 %d 不存在", fc.ID)},
			{Name: "close another department's complaint", Write: func() error {
				_, err := s.CloseOversight(ctx, haixi, ov.ID, "rectify", "已督促", "2025-04-21")
				return err
			}, Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("记录 %d 不存在", ov.ID)},
			{Name: "place another department's campaign", Write: func() error {
				_, err := s.AddPlacement(ctx, haixi, cp.ID, bizenv.Placement{Medium: "户外", Outlet: "x", Region: "632801", StartOn: "2025-05-01", EndOn: "2025-05-02", Quantity: 1})
				return err
			}, Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("公益广告活动 %d 不存在", cp.ID)},
			{Name: "opinion on another department's measure", Write: func() error {
				_, err := s.AddOpinion(ctx, haixi, m.ID, bizenv.Opinion{Kind: "expert", Source: "x", Content: "y", ReceivedOn: "2025-01-03"})
				return err
			}, Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("政策措施 %d 不存在", m.ID)},
			{Name: "missing fee case", Write: func() error {
				_, err := s.CloseFeeCase(ctx, xining, 999999, "责令退还", "100", "2025-05-20")
				return err
			}, Kind: apperr.ErrNotFound, Msg: "收费案件 999999 不存在"},
			{Name: "duplicate fee case number", Write: func() error {
				_, err := s.CreateFeeCase(ctx, xining, bizenv.FeeCase{DeptID: d["630100"], Kind: "case", RefNo: fc.RefNo, Party: "p", Charge: "c", Amount: "1", Field: "银行", ReceivedOn: "2025-05-07"})
				return err
			}, Kind: apperr.ErrConflict, Msg: "编号 宁收费投〔2025〕9号 已存在"},
		})
		if _, err := s.CloseFeeCase(ctx, xining, fc.ID, "责令退还", "100", "2025-05-20"); err != nil {
			t.Fatal(err)
		}
		var before, after string
		err = db.Reader().QueryRowContext(ctx, `SELECT before, after FROM audit_log WHERE entity = 'fee_case' AND entity_id = $1 AND action = 'close'`, fmt.Sprint(fc.ID)).Scan(&before, &after)
		if err != nil || !strings.Contains(before, `"closed_on":""`) || !strings.Contains(before, `"ref_no":"宁收费投〔2025〕9号"`) ||
			!strings.Contains(after, `"closed_on":"2025-05-20"`) || !strings.Contains(after, `"refund_fen":10000`) {
			t.Errorf("close audited before %s after %s (%v)", before, after, err)
		}
	})
}

// TestSetLimitAudit: a commitment's change leaves one audit entry with the
// stored and the new limit; an unknown stage, a bad figure or a reporter
// writes nothing.
func TestSetLimitAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		l, err := s.SetLimit(ctx, admin, "seal", " 6.5 ", " 当日办结 ")
		if err != nil || l != (bizenv.Limit{Stage: "seal", Label: "公章刻制", Hours: 6.5, Basis: "当日办结"}) {
			t.Fatalf("set: %+v %v", l, err)
		}
		want := []string{`seal update {"basis":"公章刻制与营业执照同步或 4 小时内［待核实］","hours":4,"label":"公章刻制","stage":"seal"} → {"basis":"当日办结","hours":6.5,"label":"公章刻制","stage":"seal"}`}
		if got := kittest.AuditEntries(t, db, "biz_start_limit"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if ls, _ := s.Limits(ctx); ls[2] != l {
			t.Errorf("stored %+v, want %+v", ls[2], l)
		}
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM biz_start_limits WHERE limit_hours = 4`}, []kittest.Refusal{
			{Name: "unknown stage", Kind: apperr.ErrInvalid, Msg: "没有这个环节", Write: func() error {
				_, err := s.SetLimit(ctx, admin, "nope", "4", "x")
				return err
			}},
			{Name: "bad hours", Kind: apperr.ErrInvalid, Msg: "时限须为大于 0、不超过 720 的小时数", Write: func() error {
				_, err := s.SetLimit(ctx, admin, "social", "721", "x")
				return err
			}},
			{Name: "reporter", Kind: apperr.ErrForbidden, Msg: "您没有执行此操作的权限", Write: func() error {
				_, err := s.SetLimit(ctx, user(d["qh-samr"], auth.ScopeOwn, auth.RoleReporter), "social", "4", "x")
				return err
			}},
		})
	})
}
