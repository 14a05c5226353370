package progress_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/demo"
	"sidi/internal/indicator"
	"sidi/internal/numfmt"
	"sidi/internal/org"
	"sidi/internal/plan"
	"sidi/internal/progress"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

type env struct {
	db      *store.DB
	svc     *progress.Service
	auth    *auth.Service
	planID  int64
	users   map[string]auth.Principal
	metrics *indicator.Registry
}

func newEnv(t testing.TB, db *store.DB, now time.Time) *env {
	t.Helper()
	ctx := context.Background()
	o := org.NewService(db)
	if _, err := o.EnsureDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	ps := plan.NewService(db, o)
	as := auth.NewService(db, o)
	as.Argon2 = auth.Argon2Params{Memory: 8 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	as.DemoLogins = true // the demo accounts sign in, as under sidi demo
	op := auth.CLI("test")
	res, err := ps.Import(ctx, op, "seed", demo.PlanText, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Approve(ctx, op, res.Version.ID); err != nil {
		t.Fatal(err)
	}
	reg := indicator.NewRegistry()
	svc := progress.NewService(db, ps, o, as, reg)
	svc.Now = func() time.Time { return now }
	e := &env{db: db, svc: svc, auth: as, planID: res.Version.PlanID, users: map[string]auth.Principal{}, metrics: reg}
	if _, err := svc.EnsurePeriods(ctx, op, e.planID, 2025); err != nil {
		t.Fatal(err)
	}
	accs, err := as.EnsureDemoAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accs {
		p, _, err := as.Login(ctx, a.Login, a.Password, "127.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		pr, _, err := as.Authenticate(ctx, mustToken(t, as, a.Login, a.Password), "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		_ = p
		e.users[a.Login] = pr
	}
	return e
}

func mustToken(t testing.TB, as *auth.Service, login, pw string) string {
	t.Helper()
	_, tok, err := as.Login(context.Background(), login, pw, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (e *env) period(t testing.TB, code string) progress.Period {
	t.Helper()
	p, err := e.svc.Period(context.Background(), e.planID, code)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *env) target(t *testing.T, asOf time.Time, task, ord int) progress.TargetState {
	t.Helper()
	st, err := e.svc.Evaluate(context.Background(), e.planID, asOf)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range st.Targets() {
		if g.TaskNumber == task && g.Ordinal == ord {
			return g
		}
	}
	t.Fatalf("no target %d.%d", task, ord)
	return progress.TargetState{}
}

func day(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }

func TestReportFlowOnlyApprovedValuesCount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2024-04-05"))
		samr := e.users["demo-reporter-samr"]
		per := e.period(t, "2024Q1")
		asOf := day("2024-04-20")
		// Task 4 (led by SAMR): 2000 self-declarations.
		r, err := e.svc.SaveDraft(ctx, samr, progress.ReportInput{PlanID: e.planID, PeriodID: per.ID, TaskNumber: 4, DeptID: samr.DeptID,
			Narrative: "一季度新增企业标准自我声明。", Values: map[int]float64{1: 1200}})
		if err != nil {
			t.Fatal(err)
		}
		if g := e.target(t, asOf, 4, 1); g.HasValue || g.Current != 0 {
			t.Fatalf("a draft value counted: %+v", g)
		}
		// An absurd value (as the JSON API can send) is refused like on the form.
		for _, v := range []float64{1e308, 1e16, math.Inf(1)} {
			_, err := e.svc.SaveDraft(ctx, samr, progress.ReportInput{PlanID: e.planID, PeriodID: per.ID, TaskNumber: 4, DeptID: samr.DeptID,
				Narrative: "一季度新增企业标准自我声明。", Values: map[int]float64{1: v}})
			if !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("value %v: %v", v, err)
			}
		}
		// Reporters cannot submit; approvers of the department can.
		if _, err := e.svc.Submit(ctx, samr, r.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("reporter submit: %v", err)
		}
		if _, err := e.svc.Submit(ctx, e.users["demo-approver-samr"], r.ID); err != nil {
			t.Fatal(err)
		}
		if g := e.target(t, asOf, 4, 1); g.HasValue {
			t.Fatalf("a submitted value counted before approval: %+v", g)
		}
		sup := e.users["demo-supervisor"]
		if _, err := e.svc.Return(ctx, sup, r.ID, " "); !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("return without comment: %v", err)
		}
		if _, err := e.svc.Return(ctx, sup, r.ID, "请补充佐证材料"); err != nil {
			t.Fatal(err)
		}
		// Fix, resubmit, approve.
		if _, err := e.svc.SaveDraft(ctx, samr, progress.ReportInput{PlanID: e.planID, PeriodID: per.ID, TaskNumber: 4, DeptID: samr.DeptID,
			Narrative: "一季度新增企业标准自我声明，附统计表。", Values: map[int]float64{1: 1000}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Submit(ctx, e.users["demo-approver-samr"], r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Approve(ctx, sup, r.ID, "", true); err != nil {
			t.Fatal(err)
		}
		g := e.target(t, asOf, 4, 1)
		if !g.HasValue || g.Current != 1000 || math.Abs(g.Progress-50) > 1e-9 {
			t.Fatalf("approved value: %+v", g)
		}
		if _, err := e.svc.SaveDraft(ctx, samr, progress.ReportInput{PlanID: e.planID, PeriodID: per.ID, TaskNumber: 4, DeptID: samr.DeptID, Narrative: "改"}); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("editing an approved report: %v", err)
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}

func TestReportScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2024-04-05"))
		per := e.period(t, "2024Q1")
		samr, drc := e.users["demo-reporter-samr"], e.users["demo-reporter-drc"]
		r, err := e.svc.SaveDraft(ctx, samr, progress.ReportInput{PlanID: e.planID, PeriodID: per.ID, TaskNumber: 4, DeptID: samr.DeptID, Narrative: "草稿"})
		if err != nil {
			t.Fatal(err)
		}
		// Another department's reporter can neither read nor write it, nor report for SAMR.
		if _, err := e.svc.Report(ctx, drc, r.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("DRC reads SAMR draft: %v", err)
		}
		if _, err := e.svc.SaveDraft(ctx, drc, progress.ReportInput{PlanID: e.planID, PeriodID: per.ID, TaskNumber: 4, DeptID: samr.DeptID, Narrative: "x"}); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("DRC writes for SAMR: %v", err)
		}
		// DRC co-owns task 4: its values are ignored, its words kept.
		cr, err := e.svc.SaveDraft(ctx, drc, progress.ReportInput{PlanID: e.planID, PeriodID: per.ID, TaskNumber: 4, DeptID: drc.DeptID, Narrative: "配合推进", Values: map[int]float64{1: 99999}})
		if err != nil {
			t.Fatal(err)
		}
		if cr.Role != "co" || len(cr.Values) != 0 {
			t.Fatalf("co report kept values: %+v", cr)
		}
		// DRC has no duty on task 13.
		if _, err := e.svc.SaveDraft(ctx, drc, progress.ReportInput{PlanID: e.planID, PeriodID: per.ID, TaskNumber: 13, DeptID: drc.DeptID, Narrative: "x"}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("report on a task without duty: %v", err)
		}
		list, err := e.svc.Reports(ctx, drc, progress.ReportFilter{PlanID: e.planID})
		if err != nil || len(list) != 1 || list[0].ID != cr.ID {
			t.Fatalf("DRC sees %d reports (%v)", len(list), err)
		}
	})
}

func TestEvidence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2024-04-05"))
		samr := e.users["demo-reporter-samr"]
		per := e.period(t, "2024Q1")
		r, err := e.svc.SaveDraft(ctx, samr, progress.ReportInput{PlanID: e.planID, PeriodID: per.ID, TaskNumber: 1, DeptID: samr.DeptID, Narrative: "x"})
		if err != nil {
			t.Fatal(err)
		}
		pdf := []byte("%PDF-1.4\n% 佐证\n")
		cases := []struct {
			name string
			data []byte
			ok   bool
		}{
			{"报告.pdf", pdf, true},
			{"报告.pdf", []byte("<html>not a pdf</html>"), false},
			{"脚本.exe", []byte("MZ"), false},
			{"空.pdf", nil, false},
			{"大.pdf", append([]byte("%PDF-"), make([]byte, progress.MaxEvidenceSize)...), false},
			{"../../etc/统计.pdf", pdf, true},
		}
		for _, c := range cases {
			_, err := e.svc.AddEvidence(ctx, samr, r.ID, c.name, c.data)
			if (err == nil) != c.ok {
				t.Errorf("%s: err %v, want ok=%v", c.name, err, c.ok)
			}
			if err != nil && !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("%s: error kind %v", c.name, err)
			}
		}
		var blobs int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM blobs`).Scan(&blobs)
		if blobs != 1 {
			t.Fatalf("%d blobs stored for one distinct file", blobs)
		}
		got, _ := e.svc.Report(ctx, samr, r.ID)
		if len(got.Evidence) != 1 || got.Evidence[0].Filename != "报告.pdf" {
			t.Fatalf("evidence: %+v", got.Evidence)
		}
		if _, _, err := e.svc.EvidenceFile(ctx, e.users["demo-reporter-drc"], r.ID, got.Evidence[0].SHA256); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other department downloads evidence: %v", err)
		}
	})
}

func TestMetricBindingComputesFromRegistry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2024-04-05"))
		// A metric that grows by 30 a year from the plan start.
		err := e.metrics.Register(indicator.Metric{Key: "test.local", Name: "测试指标", Unit: "项",
			Compute: func(ctx context.Context, q indicator.Querier, since, asOf time.Time) (float64, error) {
				return math.Floor(asOf.Sub(since).Hours() / 24 / 365 * 30), nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		sup := e.users["demo-supervisor"]
		if err := e.svc.SetBinding(ctx, sup, e.planID, progress.Binding{TaskNumber: 1, Ordinal: 1, MetricKey: "nope"}); !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("unknown metric: %v", err)
		}
		// Absurd baselines and weights (as the API can send) are refused.
		huge, negative := 1e308, -1.0
		for _, bad := range []progress.Binding{{Baseline: 1e308}, {Baseline: math.NaN()}, {Baseline: -1e16}, {Weight: &huge}, {Weight: &negative}} {
			bad.TaskNumber, bad.Ordinal = 1, 1
			if err := e.svc.SetBinding(ctx, sup, e.planID, bad); !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("binding baseline %v weight %v: %v", bad.Baseline, bad.Weight, err)
			}
		}
		if err := e.svc.SetBinding(ctx, sup, e.planID, progress.Binding{TaskNumber: 1, Ordinal: 1, MetricKey: "test.local"}); err != nil {
			t.Fatal(err)
		}
		g := e.target(t, day("2024-12-22"), 1, 1)
		// 90 of ">100" after 3 of 4 years: 90 % against a schedule of about 75 %.
		if g.Metric != "test.local" || g.Current != 90 || g.Progress != 90 || g.Status != progress.Green || len(g.History) < 3 {
			t.Fatalf("computed target: metric %s current %v status %s", g.Metric, g.Current, g.Status)
		}
		g = e.target(t, day("2025-12-31"), 1, 1)
		if g.Current != 120 || !g.Done || g.Status != progress.Green {
			t.Fatalf("done target: %+v", g)
		}
		if err := e.svc.SetBinding(ctx, e.users["demo-reporter-samr"], e.planID, progress.Binding{TaskNumber: 1, Ordinal: 1}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("reporter changes binding: %v", err)
		}
	})
}

func TestOverrideNeedsReason(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2024-04-05"))
		sup := e.users["demo-supervisor"]
		v := 80.0
		if err := e.svc.SetOverride(ctx, sup, e.planID, 13, &v, ""); !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("override without reason: %v", err)
		}
		if err := e.svc.SetOverride(ctx, sup, e.planID, 13, &v, "专项执法行动已验收"); err != nil {
			t.Fatal(err)
		}
		st, _ := e.svc.Evaluate(ctx, e.planID, day("2024-06-30"))
		for _, ts := range st.Tasks {
			if ts.Number == 13 && (!ts.Overridden || ts.Progress != 80 || ts.OverrideReason != "专项执法行动已验收") {
				t.Fatalf("task 13: %+v", ts)
			}
		}
	})
}

func TestDemoBulletin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2026-01-20"))
		n, err := e.svc.SeedDemo(ctx, auth.CLI("demo"), e.planID)
		if err != nil || n < 1000 {
			t.Fatalf("demo seeded %d reports (%v)", n, err)
		}
		if again, err := e.svc.SeedDemo(ctx, auth.CLI("demo"), e.planID); err != nil || again != 0 {
			t.Fatalf("second demo seed: %d %v", again, err)
		}
		st, err := e.svc.Evaluate(ctx, e.planID, day("2025-07-11"))
		if err != nil {
			t.Fatal(err)
		}
		colours := 0
		for _, c := range []string{progress.Green, progress.Yellow, progress.Red} {
			if st.Counts[c] > 0 {
				colours++
			}
		}
		if colours < 2 || len(st.Tasks) != 27 {
			t.Fatalf("demo state has too few colours: %v", st.Counts)
		}
		b, err := e.svc.BuildBulletin(ctx, e.planID, "2025Q4")
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Overdue) == 0 || len(b.Best) != 3 || b.Scores[0].Score < b.Scores[len(b.Scores)-1].Score {
			t.Fatalf("bulletin: overdue %d best %d", len(b.Overdue), len(b.Best))
		}
		x, err := b.XLSX()
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(x))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.GetSheetList(); len(got) != 4 || got[3] != "部门考评" {
			t.Fatalf("sheets %v", got)
		}
		rows, _ := f.GetRows("任务进展")
		if len(rows) != 28 {
			t.Fatalf("任务进展 has %d rows, want header + 27", len(rows))
		}
		// 量化指标 shows values rounded by unit and keeps the exact value.
		targets := b.State.Targets()
		shown, _ := f.GetRows("量化指标")
		raw, _ := f.GetRows("量化指标", excelize.Options{RawCellValue: true})
		long := regexp.MustCompile(`\d\.\d{3,}`)
		unrounded := 0
		for i, g := range targets {
			if len(shown) <= i+1 || len(raw) <= i+1 || len(shown[i+1]) < 6 {
				t.Fatalf("量化指标 row %d missing", i+2)
			}
			for _, c := range shown[i+1] {
				if long.MatchString(c) {
					t.Errorf("量化指标 row %d shows %q", i+2, c)
				}
			}
			// Excel pads to its format ("1.50"); the number is the one the pages show.
			want, _ := numfmt.Parse("want", numfmt.Format(g.Current, g.Unit))
			if got, err := numfmt.Parse("shown", shown[i+1][5]); err != nil || got != want {
				t.Errorf("量化指标 F%d shows %q, want %v", i+2, shown[i+1][5], want)
			}
			// Excel keeps 15 significant digits.
			if v, err := strconv.ParseFloat(raw[i+1][5], 64); err != nil || math.Abs(v-g.Current) > 1e-12*math.Max(1, math.Abs(g.Current)) {
				t.Errorf("量化指标 F%d holds %q, want %v", i+2, raw[i+1][5], g.Current)
			}
			if g.Current != math.Trunc(g.Current) {
				unrounded++
			}
		}
		if unrounded == 0 {
			t.Fatal("demo data has no fractional values; the check above proves nothing")
		}
		// The to-do list chases the reports the demo left missing.
		items, err := e.svc.ToDo(ctx, e.users["demo-reporter-samr"], e.planID)
		if err != nil || len(items) == 0 || items[0].Urgency != "overdue" {
			t.Fatalf("to-do: %d items, %v", len(items), err)
		}
		review, err := e.svc.ToDo(ctx, e.users["demo-supervisor"], e.planID)
		if err != nil || len(review) == 0 || review[0].Kind != "review" {
			t.Fatalf("supervisor to-do: %d items, %v", len(review), err)
		}
	})
}

func TestLeadConsolidatesCoOwners(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2024-04-05"))
		per := e.period(t, "2024Q1")
		samr, drc := e.users["demo-reporter-samr"], e.users["demo-reporter-drc"]
		co, err := e.svc.SaveDraft(ctx, drc, progress.ReportInput{PlanID: e.planID, PeriodID: per.ID, TaskNumber: 4, DeptID: drc.DeptID, Narrative: "配合开展领跑者评估"})
		if err != nil {
			t.Fatal(err)
		}
		lead, err := e.svc.SaveDraft(ctx, samr, progress.ReportInput{PlanID: e.planID, PeriodID: per.ID, TaskNumber: 4, DeptID: samr.DeptID, Narrative: "汇总"})
		if err != nil {
			t.Fatal(err)
		}
		// SAMR leads task 4: it reads DRC's report; DRC does not lead, so not the reverse.
		if _, err := e.svc.Report(ctx, samr, co.ID); err != nil {
			t.Fatalf("lead reads co-owner report: %v", err)
		}
		if _, err := e.svc.Report(ctx, drc, lead.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("co-owner reads lead report: %v", err)
		}
		cos, err := e.svc.CoReports(ctx, samr, lead)
		if err != nil || len(cos) != 1 || cos[0].ID != co.ID {
			t.Fatalf("co reports: %v %v", cos, err)
		}
		// Leading task 4 gives no reach into DRC's reports elsewhere.
		if _, err := e.svc.SaveDraft(ctx, samr, progress.ReportInput{PlanID: e.planID, PeriodID: per.ID, TaskNumber: 4, DeptID: drc.DeptID, Narrative: "代填"}); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("lead writes co-owner report: %v", err)
		}
	})
}

func TestToDoRemindsBeforeAndChasesAfter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cases := []struct {
			today, want string
		}{
			{"2024-04-02", "normal"},  // 2024Q1 closed, deadline 04-10 eight days away
			{"2024-04-04", "remind"},  // within the 7 reminder days
			{"2024-04-11", "overdue"}, // past the deadline
			{"2024-05-20", "overdue"}, // 2024Q1 is still the latest closed period
		}
		e := newEnv(t, db, day(cases[0].today))
		for _, c := range cases {
			now := day(c.today).Add(4 * time.Hour) // morning in Xining
			e.svc.Now = func() time.Time { return now }
			items, err := e.svc.ToDo(ctx, e.users["demo-reporter-drc"], e.planID)
			if err != nil || len(items) == 0 {
				t.Fatalf("%s: %d items, %v", c.today, len(items), err)
			}
			if items[0].Urgency != c.want || items[0].Period.Code != "2024Q1" || items[0].Kind != "fill" {
				t.Errorf("%s: %+v, want urgency %s for 2024Q1", c.today, items[0], c.want)
			}
		}
	})
}

// TestEvidenceTotalCap: one report's evidence is capped in total; the
// refusal names what is there and the cap, and a file already attached
// counts once.
func TestEvidenceTotalCap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db, day("2024-04-05"))
		samr := e.users["demo-reporter-samr"]
		per := e.period(t, "2024Q1")
		r, err := e.svc.SaveDraft(ctx, samr, progress.ReportInput{PlanID: e.planID, PeriodID: per.ID, TaskNumber: 1, DeptID: samr.DeptID, Narrative: "x"})
		if err != nil {
			t.Fatal(err)
		}
		pdf := func(n, fill int) []byte {
			b := append([]byte("%PDF-1.4\n"), make([]byte, n)...)
			b[len(b)-1] = byte(fill)
			return b
		}
		// The default: 50 MB, five files at the 10 MB file limit.
		for i := range 5 {
			if _, err := e.svc.AddEvidence(ctx, samr, r.ID, fmt.Sprintf("扫描件%d.pdf", i), pdf(progress.MaxEvidenceSize-16, i)); err != nil {
				t.Fatalf("file %d of 10 MB: %v", i, err)
			}
		}
		_, err = e.svc.AddEvidence(ctx, samr, r.ID, "再一份.pdf", pdf(1000, 9))
		if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), "本报告的佐证材料已有 50.0 MB，加上“再一份.pdf”（0.0 MB）将超过每份报告 50.0 MB 的总上限") {
			t.Fatalf("sixth file past 50 MB: %v", err)
		}
		// A smaller configured cap on another report.
		r2, err := e.svc.SaveDraft(ctx, samr, progress.ReportInput{PlanID: e.planID, PeriodID: per.ID, TaskNumber: 4, DeptID: samr.DeptID, Narrative: "y"})
		if err != nil {
			t.Fatal(err)
		}
		e.svc.EvidenceTotal = 1 << 20
		first := pdf(400<<10, 1)
		for i, data := range [][]byte{first, pdf(400<<10, 2), first} {
			if _, err := e.svc.AddEvidence(ctx, samr, r2.ID, fmt.Sprintf("f%d.pdf", i), data); err != nil {
				t.Fatalf("file %d under 1 MB in all: %v", i, err)
			}
		}
		_, err = e.svc.AddEvidence(ctx, samr, r2.ID, "f3.pdf", pdf(400<<10, 3))
		if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(apperr.Message(err), "已有 0.8 MB") || !strings.Contains(apperr.Message(err), "总上限") {
			t.Fatalf("past the configured cap: %v", err)
		}
		got, _ := e.svc.Report(ctx, samr, r2.ID)
		if len(got.Evidence) != 2 {
			t.Errorf("report holds %d files; want 2", len(got.Evidence))
		}
	})
}
