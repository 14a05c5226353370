package inspect_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/inspect"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestCheckSchemeRefusesNonsense(t *testing.T) {
	ok := inspect.DefaultScheme
	if err := inspect.CheckScheme(ok); err != nil {
		t.Fatalf("default scheme refused: %v", err)
	}
	with := func(f func(*inspect.RiskScheme)) inspect.RiskScheme {
		sc := ok
		sc.Indicators = append([]inspect.RiskIndicator(nil), ok.Indicators...)
		f(&sc)
		return sc
	}
	for _, tc := range []struct {
		name string
		sc   inspect.RiskScheme
		want string
	}{
		{"weights sum 90", with(func(s *inspect.RiskScheme) { s.Indicators[0].Weight = 20 }), "权重之和须为 100，现为 90"},
		{"weights sum 110", with(func(s *inspect.RiskScheme) { s.Indicators[0].Weight = 40 }), "现为 110"},
		{"NaN weight", with(func(s *inspect.RiskScheme) { s.Indicators[1].Weight = math.NaN() }), "第 2 个指标：权重"},
		{"negative weight", with(func(s *inspect.RiskScheme) { s.Indicators[1].Weight = -25 }), "第 2 个指标：权重"},
		{"infinite cap", with(func(s *inspect.RiskScheme) { s.Indicators[2].Cap = math.Inf(1) }), "第 3 个指标：满分值"},
		{"zero cap", with(func(s *inspect.RiskScheme) { s.Indicators[2].Cap = 0 }), "满分值"},
		{"unknown source", with(func(s *inspect.RiskScheme) { s.Indicators[0].Source = "rumours" }), "数据来源“rumours”无效"},
		{"duplicate code", with(func(s *inspect.RiskScheme) { s.Indicators[1].Code = s.Indicators[0].Code }), "重复"},
		{"bad code", with(func(s *inspect.RiskScheme) { s.Indicators[1].Code = "a b" }), "编码须为"},
		{"no window", with(func(s *inspect.RiskScheme) { s.Indicators[0].Months = 0 }), "统计期"},
		{"thresholds not rising", with(func(s *inspect.RiskScheme) { s.Thresholds = inspect.Thresholds{B: 30, C: 20, D: 60} }), "分级分数线"},
		{"threshold NaN", with(func(s *inspect.RiskScheme) { s.Thresholds.D = math.NaN() }), "分级分数线"},
		{"threshold over 100", with(func(s *inspect.RiskScheme) { s.Thresholds.D = 120 }), "分级分数线"},
		{"no indicators", with(func(s *inspect.RiskScheme) { s.Indicators = nil }), "1 到 30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := inspect.CheckScheme(tc.sc)
			if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestScoreAndClass(t *testing.T) {
	sc := inspect.DefaultScheme
	for _, tc := range []struct {
		vals  map[string]float64
		score float64
		class string
		first string
	}{
		{nil, 0, "A", ""},
		{map[string]float64{"COMPLAINTS": 1}, 3, "A", "COMPLAINTS"},                       // 15 × 1/5
		{map[string]float64{"SAMPLING_FAIL": 1}, 15, "B", "SAMPLING_FAIL"},                // 30 × 1/2
		{map[string]float64{"SAMPLING_FAIL": 9, "ABNORMAL": 1}, 45, "C", "SAMPLING_FAIL"}, // capped at 30, + 15
		{map[string]float64{"SAMPLING_FAIL": 2, "INSPECT_PROBLEM": 2, "IP_CASE": 3}, 70, "D", "SAMPLING_FAIL"},
		{map[string]float64{"COMPLAINTS": math.NaN(), "ABNORMAL": -1}, 0, "A", ""},
	} {
		score, parts := sc.Score(tc.vals)
		if score != tc.score || sc.Class(score) != tc.class {
			t.Fatalf("%v: score %v class %s, want %v %s", tc.vals, score, sc.Class(score), tc.score, tc.class)
		}
		if tc.first != "" && (len(parts) == 0 || parts[0].Code != tc.first) {
			t.Fatalf("%v: explanation %+v", tc.vals, parts)
		}
		sum := 0.0
		for _, p := range parts {
			sum += p.Points
		}
		if math.Abs(sum-score) > 1e-9 {
			t.Fatalf("explanation adds up to %v, score %v", sum, score)
		}
	}
}

// A recompute scores the library from Sidi's records and the imported
// indicator table, stores the explanation, sets the computed class (which
// the draw then uses, saying so) and warns about every changed class.
func TestRecomputeFeedsTheDraw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		if err := s.EnsureRiskScheme(ctx); err != nil {
			t.Fatal(err)
		}
		load(t, s, 40, 10)
		ents, err := s.EntitiesSample(ctx, admin, "", 40)
		if err != nil || len(ents) != 40 {
			t.Fatalf("%d %v", len(ents), err)
		}
		// Sidi's own record: two failed sampling batches of entity 0.
		e0, e1 := ents[0], ents[1]
		for i, no := range []string{"B-1", "B-2"} {
			_, err := db.Writer().ExecContext(ctx, `INSERT INTO sampling_batches(batch_no, year, level, product, key_product, enterprise_name, credit_code, sampling_unit, sampled_on, testing_body, report_no, outcome, result_on, failed_items, retest_on, retest_reason, notice_on, done_on, demo, created_at, updated_at)
				VALUES ($1, 2026, 'province', '电线', '', $2, $3, '抽样单位', $4, '检验所', $5, 'failed', '', '', '', '', '', '', 0, '', '')`, no, e0.Name, e0.CreditCode, "2026-0"+string(rune('5'+i))+"-01", "R"+no)
			if err != nil {
				t.Fatal(err)
			}
		}
		// The imported table: entity 1 is on the abnormal list and has 5 complaints.
		csv := "统一社会信用代码,指标编码,指标值,统计期\n" + e1.CreditCode + ",ABNORMAL,1,2026-11\n" + strings.ToLower(e1.CreditCode) + ",complaints,5,2026-11\n"
		rep, err := s.ImportRiskValues(ctx, admin, kit.BytesSource("v.csv", []byte(csv)), kit.ImportOptions{})
		if err != nil || rep.Created != 2 {
			t.Fatalf("import %+v %v", rep, err)
		}
		// The counts say what happened, and the same file twice writes
		// nothing (no audit entry either).
		imports := func() int {
			var n int
			if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'import' AND entity_id = $1`, inspect.KindRiskValues).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		entries := imports()
		changed := "统一社会信用代码,指标编码,指标值,统计期\n" + e1.CreditCode + ",ABNORMAL,1,2026-11\n" + e1.CreditCode + ",complaints,6,2026-11\n"
		for _, tc := range []struct {
			file                        string
			created, updated, unchanged int
			entries                     int
		}{
			{csv, 0, 0, 2, 0},
			{changed, 0, 1, 1, 1},
			{csv, 0, 1, 1, 1},
		} {
			rep, err := s.ImportRiskValues(ctx, admin, kit.BytesSource("v.csv", []byte(tc.file)), kit.ImportOptions{})
			if err != nil || rep.Created != tc.created || rep.Updated != tc.updated || rep.Unchanged != tc.unchanged {
				t.Fatalf("import again: %+v %v, want created %d updated %d unchanged %d", rep, err, tc.created, tc.updated, tc.unchanged)
			}
			if got := imports() - entries; got != tc.entries {
				t.Fatalf("import again: %d audit entries, want %d", got, tc.entries)
			}
			entries += tc.entries
		}
		run, did, err := s.Recompute(ctx, admin, inspect.CauseManual)
		if err != nil || !did || run.Entities != 40 || run.SchemeVersion != 1 {
			t.Fatalf("recompute %+v %v %v", run, did, err)
		}
		scores, err := s.RiskScores(ctx, admin, "", 5)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]inspect.RiskScore{}
		for _, x := range scores {
			got[x.CreditCode] = x
		}
		if x := got[e0.CreditCode]; x.Score != 30 || x.Class != "C" || len(x.Parts) != 1 || x.Parts[0].Code != "SAMPLING_FAIL" || x.Parts[0].Value != 2 {
			t.Fatalf("entity 0: %+v", x)
		}
		if x := got[e1.CreditCode]; x.Score != 30 || x.Class != "C" || len(x.Parts) != 2 {
			t.Fatalf("entity 1: %+v", x)
		}
		// Every entity whose class in force changed is warned about once.
		want := 0
		for _, e := range ents {
			class := "A"
			if e.CreditCode == e0.CreditCode || e.CreditCode == e1.CreditCode {
				class = "C" // 30 points: the C threshold
			}
			if e.Risk != class {
				want++
			}
		}
		changes, open, err := s.RiskChanges(ctx, admin, false, 100)
		if err != nil || open != want || len(changes) != want || run.Changed != want {
			t.Fatalf("changes %d open %d run %d, want %d (%v)", len(changes), open, run.Changed, want, err)
		}
		if c, err := s.Counts(ctx, admin); err != nil || c.Computed != 40 || c.ByRisk["C"] != 2 || c.ByRisk["A"] != 38 {
			t.Fatalf("counts by the class in force: %+v %v", c, err)
		}
		// The draw uses the computed classes and says so.
		task := inspect.Task{Name: "分类", Items: []string{"K-01"}, Scope: inspect.Scope{RegionPrefix: "63"},
			Ratios: map[string]inspect.Ratio{"A": 0, "B": 0, "C": 1_000_000, "D": 0}, TeamSize: 2}
		rec, err := s.Run(ctx, admin, task, inspect.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Result.Assignments) != 2 || !strings.Contains(strings.Join(rec.Notes, "\n"), "40 个检查对象采用信用风险分类计算的等级") {
			t.Fatalf("drawn %+v notes %v", rec.Result.Assignments, rec.Notes)
		}
		if err := inspect.Verify(rec); err != nil {
			t.Fatal(err)
		}
		// Again with nothing changed: no new warnings; the monthly run of
		// a month that has one does nothing.
		run2, _, err := s.Recompute(ctx, admin, inspect.CauseManual)
		if err != nil || run2.Changed != 0 {
			t.Fatalf("second run %+v %v", run2, err)
		}
		if _, did, err := s.Recompute(ctx, admin, inspect.CauseMonthly); err != nil || did {
			t.Fatalf("monthly again: %v %v", did, err)
		}
		if due, _ := s.RiskDue(ctx); due {
			t.Fatal("due after a run this month")
		}
		if n, err := s.HandleRiskChanges(ctx, admin, changes[0].ID); err != nil || n != want {
			t.Fatalf("handled %d %v", n, err)
		}
		if _, open, _ := s.RiskChanges(ctx, admin, false, 100); open != 0 {
			t.Fatalf("%d open after handling", open)
		}
		// A new scheme version: stricter thresholds put entities 0 and 1
		// in D; the warnings name the change from C.
		sc, _ := s.RiskScheme(ctx)
		sc.Thresholds = inspect.Thresholds{B: 5, C: 10, D: 20}
		if _, err := s.SaveRiskScheme(ctx, admin, sc.Version, sc); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveRiskScheme(ctx, admin, sc.Version, sc); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale edit: %v", err)
		}
		run3, _, err := s.Recompute(ctx, admin, inspect.CauseManual)
		if err != nil || run3.SchemeVersion != 2 || run3.Changed != 2 {
			t.Fatalf("third run %+v %v", run3, err)
		}
		ch, _, _ := s.RiskChanges(ctx, admin, false, 10)
		for _, c := range ch {
			if c.From != "C" || c.To != "D" || c.Score != 30 {
				t.Fatalf("change %+v", c)
			}
		}
		var audits int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity IN ('inspect_risk_run', 'inspect_risk_scheme', 'inspect_risk_change')`).Scan(&audits)
		if audits != 5 {
			t.Fatalf("%d audit entries", audits)
		}
		// Only the keepers' roles recompute and edit.
		viewer := auth.Principal{UserID: 50, Login: "insp", Roles: []auth.Role{auth.RoleInspector}, Scope: auth.ScopeOwn}
		if _, _, err := s.Recompute(ctx, viewer, inspect.CauseManual); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("inspector recomputes: %v", err)
		}
		if _, err := s.SaveRiskScheme(ctx, viewer, 2, sc); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("inspector edits: %v", err)
		}
	})
}

func TestImportRiskValuesHostile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		if err := s.EnsureRiskScheme(ctx); err != nil {
			t.Fatal(err)
		}
		good := "91630100MA752XKP3N"
		for _, tc := range []struct {
			name, body, want string
		}{
			{"unknown indicator", "统一社会信用代码,指标编码,指标值\n" + good + ",RUMOURS,1\n", "第 2 行"},
			{"Sidi's own indicator", "统一社会信用代码,指标编码,指标值\n" + good + ",SAMPLING_FAIL,1\n", "SAMPLING_FAIL"},
			{"NaN", "统一社会信用代码,指标编码,指标值\n" + good + ",ABNORMAL,NaN\n", "不是数字"},
			{"Inf", "统一社会信用代码,指标编码,指标值\n" + good + ",ABNORMAL,+Inf\n", "不是数字"},
			{"negative", "统一社会信用代码,指标编码,指标值\n" + good + ",COMPLAINTS,-3\n", "负数"},
			{"bad check character", "统一社会信用代码,指标编码,指标值\n91630100MA752XKP3E,ABNORMAL,1\n", "统一社会信用代码"},
			{"bad period", "统一社会信用代码,指标编码,指标值,统计期\n" + good + ",ABNORMAL,1,2026-13\n", "YYYY-MM"},
			{"duplicate", "统一社会信用代码,指标编码,指标值\n" + good + ",ABNORMAL,1\n" + good + ",abnormal,0\n", "重复"},
			{"missing column", "统一社会信用代码,指标值\n" + good + ",1\n", "指标编码"},
			{"formula", "统一社会信用代码,指标编码,指标值\n" + good + ",ABNORMAL,=1+1\n", "第 2 行"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := tc.body + good + ",COMPLAINTS,2\n" // a valid row after the bad one is not written either
				_, err := s.ImportRiskValues(ctx, admin, kit.BytesSource("v.csv", []byte(body)), kit.ImportOptions{})
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("got %v, want %q", err, tc.want)
				}
				var n int
				db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM inspect_risk_values`).Scan(&n)
				if n != 0 {
					t.Fatalf("%d rows written", n)
				}
			})
		}
	})
}
