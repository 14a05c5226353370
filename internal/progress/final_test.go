package progress_test

import (
	"context"
	"errors"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/progress"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestFinalAssessmentAndDemoDate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2026-03-01"))
		if _, err := e.svc.SeedDemo(ctx, auth.CLI("demo"), e.planID); err != nil {
			t.Fatal(err)
		}
		f, err := e.svc.FinalAssessment(ctx, e.planID, day("2026-03-01"))
		if err != nil {
			t.Fatal(err)
		}
		if !f.Finished || f.PlanEnd != "2025-12-31" || len(f.Targets) != 18 || f.Tasks != 27 {
			t.Fatalf("final: finished %v end %s targets %d tasks %d", f.Finished, f.PlanEnd, len(f.Targets), f.Tasks)
		}
		met := 0
		for _, g := range f.Targets {
			if g.Met {
				met++
			}
			if g.Met && !g.HasValue && g.Target > 0 {
				t.Errorf("target %d.%d met without a value", g.Task, g.Ordinal)
			}
		}
		if met != f.Met || met == 0 || met == len(f.Targets) {
			t.Fatalf("met %d of %d (counted %d): the demo should have some of each", f.Met, len(f.Targets), met)
		}
		// Every target is counted once per lead department.
		perDept := 0
		for i, d := range f.Depts {
			perDept += d.Met
			if i > 0 && d.Share > f.Depts[i-1].Share {
				t.Errorf("departments not ordered by completion: %v", f.Depts)
			}
		}
		leads := 0
		for _, g := range f.Targets {
			if g.Met {
				leads += len(g.Lead)
			}
		}
		if perDept != leads {
			t.Errorf("departments account for %d met targets, the targets for %d", perDept, leads)
		}
		// The demo date: inside the plan, after the last deadline in it.
		pin, err := e.svc.DemoAsOf(ctx, e.planID)
		if err != nil || pin != "2025-10-11" {
			t.Fatalf("demo date %q (%v)", pin, err)
		}
		st, err := e.svc.Evaluate(ctx, e.planID, day(pin))
		if err != nil {
			t.Fatal(err)
		}
		if st.Finished || st.Schedule >= 100 || st.Counts[progress.Red] == len(st.Tasks) {
			t.Fatalf("state at the demo date: finished %v schedule %v counts %v", st.Finished, st.Schedule, st.Counts)
		}
		sup := e.users["demo-supervisor"]
		s, _ := e.svc.Settings(ctx, e.planID)
		for _, bad := range []string{"2027-01-01", "2020-01-01", "2025-13-01"} {
			s.DefaultAsOf = bad
			if err := e.svc.SaveSettings(ctx, sup, s); !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("default date %s: %v", bad, err)
			}
		}
		s.DefaultAsOf = pin
		if err := e.svc.SaveSettings(ctx, sup, s); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Settings(ctx, e.planID); got.DefaultAsOf != pin {
			t.Fatalf("saved default date %q", got.DefaultAsOf)
		}
		// While the plan runs there is nothing to pin.
		running := newEnv(t, storetest.Open(t, db.Dialect()), day("2024-05-01"))
		if pin, err := running.svc.DemoAsOf(ctx, running.planID); err != nil || pin != "" {
			t.Fatalf("demo date while running: %q %v", pin, err)
		}
	})
}
