package nqi_test

import (
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit/kittest"
	"sidi/internal/quality/nqi"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestBaselineAudit: the first baseline of a measure is audited with no
// before, a change with the stored one; a refused baseline writes nothing.
func TestBaselineAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		first, err := s.SetBaseline(ctx, admin, nqi.BaselineInput{Measure: nqi.MeasureVoluntary, Year: "2020", Value: "1,200", Source: " 统计公报 2020 "})
		if err != nil || *first.Value != 1200 || first.Source != "统计公报 2020" || first.UpdatedAt != "2025-06-30T10:00:00Z" {
			t.Fatalf("first: %+v %v", first, err)
		}
		second, err := s.SetBaseline(ctx, admin, nqi.BaselineInput{Measure: nqi.MeasureVoluntary, Year: "2019", Source: "按登记数据", Note: "改为登记数"})
		if err != nil || second.Value != nil || second.Year != 2019 {
			t.Fatalf("second: %+v %v", second, err)
		}
		if got, _ := nqi.LoadBaseline(ctx, db.Reader(), nqi.MeasureVoluntary); got.Year != 2019 || got.Value != nil || got.Note != "改为登记数" {
			t.Errorf("stored %+v", got)
		}
		want := []string{
			`voluntary update null → {"label":"自愿性认证获证组织","measure":"voluntary","note":"","source":"统计公报 2020","updated_at":"2025-06-30T10:00:00Z","value":1200,"year":2020}`,
			`voluntary update {"label":"自愿性认证获证组织","measure":"voluntary","note":"","source":"统计公报 2020","updated_at":"2025-06-30T10:00:00Z","value":1200,"year":2020} → {"label":"自愿性认证获证组织","measure":"voluntary","note":"改为登记数","source":"按登记数据","updated_at":"2025-06-30T10:00:00Z","value":null,"year":2019}`,
		}
		if got := kittest.AuditEntries(t, db, "cert_baseline"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM cert_baselines`}, []kittest.Refusal{
			{Name: "unknown measure", Kind: apperr.ErrInvalid, Msg: "基准所属指标无效", Write: func() error {
				_, err := s.SetBaseline(ctx, admin, nqi.BaselineInput{Measure: "x", Year: "2020", Source: "s"})
				return err
			}},
			{Name: "reporter", Kind: apperr.ErrForbidden, Msg: "您没有执行此操作的权限", Write: func() error {
				_, err := s.SetBaseline(ctx, auth.Principal{UserID: 4, Roles: []auth.Role{auth.RoleReporter}}, nqi.BaselineInput{Measure: nqi.MeasureOrganic, Year: "2020", Source: "s"})
				return err
			}},
		})
	})
}
