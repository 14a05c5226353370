package plan_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/plan"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// secondText is a real national document of the parser's corpus (036:
// 国务院办公厅关于逐步推行免费学前教育的意见, source in 036.src).
func secondText(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/corpus/036.txt")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// importApproved imports src into the plan o names, corrects the leads
// the text leaves open as a reviewer would, and approves it.
func importApproved(t *testing.T, svc *plan.Service, name string, src []byte, o plan.ImportOptions) *plan.Version {
	t.Helper()
	ctx := context.Background()
	res, err := svc.ImportWith(ctx, operator, name, src, o)
	if err != nil {
		t.Fatalf("import %s: %v", name, err)
	}
	if ps := plan.Validate(res.Version.Document); len(ps) > 0 {
		doc := res.Version.Document
		reviewLeads(doc)
		if _, err := svc.UpdateDraft(ctx, operator, res.Version.ID, doc); err != nil {
			t.Fatalf("review %s: %v", name, err)
		}
	}
	v, err := svc.Approve(ctx, operator, res.Version.ID)
	if err != nil {
		t.Fatalf("approve %s: %v", name, err)
	}
	return v
}

// TestPlansSideBySide: two different documents become two plans, each
// with its own tasks; a new version of plan A supersedes only A's current
// version, and A's old version stays readable.
func TestPlansSideBySide(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newService(t, db)
		a1 := importApproved(t, svc, "seed", seedText(t), plan.ImportOptions{Plan: "qh-sidi", NewPlan: true})
		b1 := importApproved(t, svc, "036", secondText(t), plan.ImportOptions{NewPlan: true})
		if a1.PlanID == b1.PlanID || !plan.ValidCode(b1.PlanCode) || !strings.HasPrefix(b1.PlanCode, "plan-") {
			t.Fatalf("plans: A %d %s, B %d %s", a1.PlanID, a1.PlanCode, b1.PlanID, b1.PlanCode)
		}
		pa, err := svc.CurrentByCode(ctx, "qh-sidi")
		if err != nil {
			t.Fatal(err)
		}
		pb, err := svc.CurrentByCode(ctx, b1.PlanCode)
		if err != nil {
			t.Fatal(err)
		}
		if len(pa.Tasks()) != 27 || len(pb.Tasks()) != 2 || pb.Title != "国务院办公厅关于逐步推行免费学前教育的意见" {
			t.Fatalf("A %d tasks, B %d tasks %q", len(pa.Tasks()), len(pb.Tasks()), pb.Title)
		}
		if def, _ := svc.CurrentByCode(ctx, ""); def.ID != pa.ID {
			t.Fatalf("the primary plan is %s, want the first one", def.Code)
		}
		if tb, _, err := svc.Task(ctx, pb.ID, 2); err != nil || tb.PlanCode != pb.Code {
			t.Fatalf("task 2 of B: %+v %v", tb, err)
		}
		if _, _, err := svc.Task(ctx, pb.ID, 3); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("task 3 of B (A has one): %v", err)
		}
		// A revised text of A, imported as A's new version.
		amended := strings.Replace(string(seedText(t)), "(省市场监管局负责) \n\n\n14.", "(省市场监管局牵头，省公安厅按职责分工负责) \n\n\n14.", 1)
		a2 := importApproved(t, svc, "seed v2", []byte(amended), plan.ImportOptions{Plan: "qh-sidi"})
		if a2.PlanID != a1.PlanID || a2.Number != 2 {
			t.Fatalf("A v2: plan %d version %d", a2.PlanID, a2.Number)
		}
		for _, c := range []struct {
			id   int64
			want string
		}{{a1.ID, plan.StatusSuperseded}, {a2.ID, plan.StatusApproved}, {b1.ID, plan.StatusApproved}} {
			v, err := svc.Version(ctx, c.id)
			if err != nil || v.Status != c.want {
				t.Errorf("version %d: %v %v, want %s", c.id, v.Status, err, c.want)
			}
		}
		old, err := svc.VersionView(ctx, a1.PlanID, 1)
		if err != nil {
			t.Fatal(err)
		}
		now, _ := svc.CurrentByCode(ctx, "qh-sidi")
		t13old, t13now := old.Tasks()[12], now.Tasks()[12]
		if len(t13old.Co) != 0 || len(t13now.Co) != 1 || now.Version != 2 || old.Version != 1 {
			t.Fatalf("task 13 co: v1 %v, v2 %v", t13old.Co, t13now.Co)
		}
		sums, err := svc.Summaries(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(sums) != 2 || !sums[0].Primary || sums[1].Primary || sums[0].Current != 2 || sums[0].Versions != 2 || sums[1].Tasks != 2 {
			t.Fatalf("summaries: %+v", sums)
		}
	})
}

// TestImportIntoPlanRefusals: a new version of an unknown plan, a new plan
// under a taken code and a hostile code are refused, and nothing is written.
func TestImportIntoPlanRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newService(t, db)
		importApproved(t, svc, "seed", seedText(t), plan.ImportOptions{Plan: "qh", NewPlan: true})
		for _, c := range []struct {
			name string
			o    plan.ImportOptions
			kind error
		}{
			{"unknown plan", plan.ImportOptions{Plan: "nope"}, apperr.ErrNotFound},
			{"taken code", plan.ImportOptions{Plan: "qh", NewPlan: true}, apperr.ErrConflict},
			{"hostile code", plan.ImportOptions{Plan: "../x'; DROP", NewPlan: true}, apperr.ErrInvalid},
			{"hostile code for a version", plan.ImportOptions{Plan: "a\x00b"}, apperr.ErrInvalid},
		} {
			if _, err := svc.ImportWith(ctx, operator, c.name, secondText(t), c.o); !errors.Is(err, c.kind) {
				t.Errorf("%s: %v, want %v", c.name, err, c.kind)
			}
		}
		vs, err := svc.Versions(ctx)
		if err != nil || len(vs) != 1 {
			t.Fatalf("versions after refusals: %d %v", len(vs), err)
		}
		for _, code := range []string{"", "nope", "<script>", strings.Repeat("a", 49)} {
			if _, err := svc.CurrentByCode(ctx, code); code != "" && !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("code %q: %v", code, err)
			}
		}
	})
}
