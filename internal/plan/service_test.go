package plan_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/kit/kittest"
	"sidi/internal/org"
	"sidi/internal/plan"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func seedText(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newService(t *testing.T, db *store.DB) *plan.Service {
	t.Helper()
	o := org.NewService(db)
	if _, err := o.EnsureDirectory(context.Background()); err != nil {
		t.Fatal(err)
	}
	return plan.NewService(db, o)
}

var operator = auth.CLI("test")

// seedDraft imports the seed plan as a draft.
func seedDraft(t *testing.T, db *store.DB) (*plan.Service, *plan.ImportResult) {
	t.Helper()
	svc := newService(t, db)
	res, err := svc.Import(context.Background(), operator, "seed", seedText(t), "")
	if err != nil {
		t.Fatal(err)
	}
	return svc, res
}

func TestImportApproveAndView(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newService(t, db)
		res, err := svc.Import(ctx, operator, "seed", seedText(t), "")
		if err != nil {
			t.Fatal(err)
		}
		if res.Existing || res.Version.Status != plan.StatusDraft || res.Version.Number != 1 {
			t.Fatalf("first import: %+v", res.Version)
		}
		if _, err := svc.Current(ctx, 0); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("a draft must not be current: %v", err)
		}
		again, err := svc.Import(ctx, operator, "seed again", seedText(t), "")
		if err != nil || !again.Existing || again.Version.ID != res.Version.ID {
			t.Fatalf("re-import: %+v %v", again, err)
		}
		if _, err := svc.Approve(ctx, operator, res.Version.ID); err != nil {
			t.Fatal(err)
		}
		pv, err := svc.Current(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(pv.Tasks()) != 27 || pv.TargetCount() != 18 || len(pv.Goals) != 4 {
			t.Fatalf("view: %d tasks %d targets %d goals", len(pv.Tasks()), pv.TargetCount(), len(pv.Goals))
		}
		task9, _, err := svc.Task(ctx, 0, 9)
		if err != nil {
			t.Fatal(err)
		}
		via := 0
		for _, d := range task9.CoDepts {
			if d.Via == org.AllPrefectures {
				via++
			}
		}
		if via != 8 || task9.Co[len(task9.Co)-1] != "各市州政府" {
			t.Fatalf("task 9: %d prefectures via group; co %v", via, task9.Co)
		}
		if _, err := svc.Approve(ctx, operator, res.Version.ID); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("approving twice: %v", err)
		}
	})
}

func TestAmendmentSupersedesAndDiffs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newService(t, db)
		v1, err := svc.Import(ctx, operator, "v1", seedText(t), "qh")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Approve(ctx, operator, v1.Version.ID); err != nil {
			t.Fatal(err)
		}
		amended := strings.Replace(string(seedText(t)), "(省市场监管局负责) \n\n\n14.", "(省市场监管局牵头，省公安厅按职责分工负责) \n\n\n14.", 1)
		if amended == string(seedText(t)) {
			t.Fatal("test setup: replacement did not apply")
		}
		v2, err := svc.Import(ctx, operator, "v2", []byte(amended), "qh")
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version.BaseVersionID != v1.Version.ID || len(v2.Changes) != 2 {
			t.Fatalf("changes: %+v", v2.Changes)
		}
		if v2.Changes[0].Where != "任务 13 · 正文" || v2.Changes[1].Where != "任务 13 · 责任单位" || v2.Changes[1].New != "省公安厅" {
			t.Fatalf("changes: %+v", v2.Changes)
		}
		if _, err := svc.Approve(ctx, operator, v2.Version.ID); err != nil {
			t.Fatal(err)
		}
		old, _ := svc.Version(ctx, v1.Version.ID)
		if old.Status != plan.StatusSuperseded {
			t.Fatalf("v1 status %s", old.Status)
		}
		t13, _, _ := svc.Task(ctx, 0, 13)
		if len(t13.Co) != 1 || t13.Co[0] != "省公安厅" {
			t.Fatalf("task 13 co %v", t13.Co)
		}
	})
}

func TestUpdateDraftValidatesAndAudits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, res := seedDraft(t, db)
		doc := *res.Version.Document
		bad := doc
		bad.Pillars = append([]plan.Pillar(nil), doc.Pillars...)
		bad.Pillars[0].Tasks = append([]plan.Task(nil), doc.Pillars[0].Tasks...)
		bad.Pillars[0].Tasks[0].Clauses = []plan.Clause{{Lead: nil, Co: []string{"省发展改革委"}}}
		bad.Issued = "2021-13-45"
		_, err := svc.UpdateDraft(ctx, operator, res.Version.ID, &bad)
		var ps plan.ProblemsError
		if !errors.Is(err, apperr.ErrInvalid) || !errors.As(err, &ps) || len(ps) != 2 {
			t.Fatalf("invalid edit: %v", err)
		}
		// An unknown department blocks approval with its name.
		unknown := doc
		unknown.Pillars = append([]plan.Pillar(nil), doc.Pillars...)
		unknown.Pillars[0].Tasks = append([]plan.Task(nil), doc.Pillars[0].Tasks...)
		unknown.Pillars[0].Tasks[0].Clauses = []plan.Clause{{Lead: []string{"省宇宙局"}, Co: []string{}}}
		if _, err := svc.UpdateDraft(ctx, operator, res.Version.ID, &unknown); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Approve(ctx, operator, res.Version.ID)
		if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), "省宇宙局") {
			t.Fatalf("approve with unknown department: %v", err)
		}
		// Nothing of the failed approval was kept.
		var n int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM plan_tasks`).Scan(&n)
		if n != 0 {
			t.Fatalf("failed approval left %d task rows", n)
		}
		// One edit entry: the document before and after (the refused edit
		// left none).
		want := []string{kittest.Entry(t, fmt.Sprint(res.Version.ID), "edit", res.Version.Document, &unknown)}
		if got := kittest.AuditEntries(t, db, "plan_version"); !slices.Equal(slices.DeleteFunc(got, func(e string) bool { return !strings.Contains(e, " edit ") }), want) {
			t.Fatalf("edit entries %q, want %q", got, want)
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Fatal(err)
		}
		// Reporters may not import.
		reporter := auth.Principal{UserID: 9, Login: "r", Roles: []auth.Role{auth.RoleReporter}}
		if _, err := svc.Import(ctx, reporter, "x", seedText(t), ""); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("reporter import: %v", err)
		}
	})
}

func TestImportRejectsGarbage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newService(t, db)
		for _, src := range [][]byte{nil, []byte("   \n"), []byte("没有任务的文本。")} {
			if _, err := svc.Import(ctx, operator, "x", src, ""); !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("Import(%q): %v", src, err)
			}
		}
		var n int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM plan_versions`).Scan(&n)
		if n != 0 {
			t.Fatalf("garbage left %d versions", n)
		}
	})
}

// Discarding a draft: its entry (the status before and after) and the
// refusals (not a draft any more, no such version, a reporter) leaving no
// change and no entry.
func TestDiscardDraft(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, res := seedDraft(t, db)
		id := res.Version.ID
		if err := svc.Discard(ctx, operator, id); err != nil {
			t.Fatal(err)
		}
		if v, err := svc.Version(ctx, id); err != nil || v.Status != plan.StatusDiscarded {
			t.Fatalf("after discard: %+v %v", v, err)
		}
		discard := func(p auth.Principal, id int64) func() error { return func() error { return svc.Discard(ctx, p, id) } }
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM plan_versions WHERE status = 'discarded'`}, []kittest.Refusal{
			{Name: "twice", Kind: apperr.ErrConflict, Msg: "只能废弃待审核草稿；第 1 版状态为“已废弃”", Write: discard(operator, id)},
			{Name: "no such version", Kind: apperr.ErrNotFound, Msg: fmt.Sprintf("方案版本不存在（编号 %d）", id+100), Write: discard(operator, id+100)},
			{Name: "a reporter", Kind: apperr.ErrForbidden, Msg: "您没有执行此操作的权限", Write: discard(auth.Principal{UserID: 5, Login: "r", Roles: []auth.Role{auth.RoleReporter}}, id)},
		})
		want := []string{fmt.Sprintf(`%d discard {"status":"draft"} → {"status":"discarded"}`, id)}
		if got := kittest.AuditEntries(t, db, "plan_version"); !slices.Equal(slices.DeleteFunc(got, func(e string) bool { return !strings.Contains(e, " discard ") }), want) {
			t.Errorf("audit entries %q, want %q", got, want)
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}
