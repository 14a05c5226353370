package progress_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/kit/kittest"
	"sidi/internal/progress"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestSettingsAudit: the first save of a plan's settings is audited with
// the defaults it replaces, a later one with the stored settings; refused
// settings write nothing.
func TestSettingsAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2025-05-01"))
		sup := e.users["demo-supervisor"]
		defaults, err := e.svc.Settings(ctx, e.planID)
		if err != nil {
			t.Fatal(err)
		}
		first := defaults
		first.DeadlineDays = 15
		first.DocNoPattern = ""
		if err := e.svc.SaveSettings(ctx, sup, first); err != nil {
			t.Fatal(err)
		}
		first.DocNoPattern = progress.DefaultDocNoPattern
		second := first
		second.PeriodKind = "month"
		if err := e.svc.SaveSettings(ctx, sup, second); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Settings(ctx, e.planID); got != second {
			t.Errorf("stored %+v, want %+v", got, second)
		}
		canon := func(v any) string {
			b, err := audit.Canonical(v)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		id := fmt.Sprint(e.planID)
		want := []string{
			id + " update " + canon(defaults) + " → " + canon(first),
			id + " update " + canon(first) + " → " + canon(second),
		}
		if got := kittest.AuditEntries(t, db, "progress_settings"); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		bad := second
		bad.PeriodKind = "year"
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM progress_settings WHERE period_kind = 'month'`}, []kittest.Refusal{
			{Name: "bad period", Kind: apperr.ErrInvalid, Msg: "报送周期只能是按季度（quarter）或按月（month）", Write: func() error {
				return e.svc.SaveSettings(ctx, sup, bad)
			}},
			{Name: "reporter", Kind: apperr.ErrForbidden, Msg: "您没有执行此操作的权限", Write: func() error {
				return e.svc.SaveSettings(ctx, e.users["demo-reporter-samr"], second)
			}},
		})
	})
}
