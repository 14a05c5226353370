package evalmodel_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/quality/evalmodel"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var (
	ctx   = context.Background()
	admin = auth.CLI("test")
)

func setup(t testing.TB, db *store.DB) (*evalmodel.Service, map[string]int64) {
	t.Helper()
	if _, err := org.NewService(db).EnsureDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, code := range []string{"qh-samr", "632800"} {
		var id int64
		if err := db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(&id); err != nil {
			t.Fatalf("department %s: %v", code, err)
		}
		ids[code] = id
	}
	s := evalmodel.NewService(db, enterprise.NewService(db))
	s.SetClock(func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) })
	return s, ids
}

func audits(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'eval_model' AND action = $1`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDemoModelScoresExplainsAndMoves seeds the demo (AHP version 1
// published, entropy version 2 a draft) and reads it as the pages do.
func TestDemoModelScoresExplainsAndMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db)
		n, err := evalmodel.SeedDemo(ctx, s, admin)
		if err != nil || n < 100 {
			t.Fatalf("seed: %d %v", n, err)
		}
		if again, err := evalmodel.SeedDemo(ctx, s, admin); err != nil || again != 0 {
			t.Fatalf("second seed: %d %v", again, err)
		}
		ms, err := s.Models(ctx, admin)
		if err != nil || len(ms) != 2 || ms[0].Version != 2 || ms[0].Method != "entropy" || ms[1].Status != evalmodel.Published || ms[1].Method != "ahp" {
			t.Fatalf("models: %+v %v", ms, err)
		}
		v1 := ms[1]
		sc, err := s.Scores(ctx, admin, v1.ID)
		if err != nil || len(sc.Rows) != 12 {
			t.Fatalf("scores: %v %v", sc, err)
		}
		total := 0
		for _, c := range sc.Counts {
			total += c
		}
		if total != 12 || sc.Rows[0].Rank != 1 || sc.Rows[0].Score < sc.Rows[11].Score {
			t.Errorf("counts %v rows %+v", sc.Counts, sc.Rows[0])
		}
		m, _ := s.Model(ctx, admin, v1.ID)
		sum := 0.0
		for _, ind := range m.Indicators() {
			sum += m.GlobalWeight(ind)
		}
		if math.Abs(sum-1) > 1e-9 || len(m.Judgements) != 6 {
			t.Errorf("global weights sum %v, %d judgements", sum, len(m.Judgements))
		}
		// The explanation adds up: the points are the score.
		r := sc.Rows[5]
		ex, err := s.Explain(ctx, admin, v1.ID, r.CreditCode, 10)
		if err != nil {
			t.Fatal(err)
		}
		pts := 0.0
		for _, c := range ex.Indicators {
			pts += c.Points
		}
		if math.Abs(pts-r.Score) > 1e-9 || !strings.Contains(ex.Summary, "属 "+r.Class+" 类") || len(ex.Moves) != 14 {
			t.Errorf("explanation: %v vs %v: %s", pts, r.Score, ex.Summary)
		}
		for i := 1; i < len(ex.Indicators); i++ {
			if ex.Indicators[i].Lost > ex.Indicators[i-1].Lost {
				t.Fatal("indicators not by lost points")
			}
		}
		// The enterprise with a missing value loses that indicator's points.
		for _, row := range sc.Rows {
			if row.Missing == 1 {
				ex, _ := s.Explain(ctx, admin, v1.ID, row.CreditCode, 10)
				found := false
				for _, c := range ex.Indicators {
					found = found || c.Missing && c.Code == "B2" && c.Points == 0
				}
				if !found {
					t.Error("missing B2 not shown")
				}
			}
		}
		// Sensitivity: a ±50 % move changes something, a ±1 % hardly; the
		// moves agree with rescoring by hand.
		sv, err := s.Sensitivity(ctx, admin, v1.ID, 50)
		if err != nil || len(sv.Rows) != 14 || sv.Scored != 12 {
			t.Fatalf("sensitivity: %+v %v", sv, err)
		}
		if _, err := s.Sensitivity(ctx, admin, v1.ID, 0); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("0 %%: %v", err)
		}
		// Published: no change; the draft v2 can be changed.
		if _, _, err := s.SetAHP(ctx, admin, v1.ID, "B", [][]float64{{1, 3}, {1.0 / 3, 1}}); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("change of a published model: %v", err)
		}
		if _, err := s.SetClasses(ctx, admin, ms[0].ID, "甲,80,优\n乙,0,其他"); err != nil {
			t.Error(err)
		}
	})
}

func TestAHPGateAndBadMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		m, err := s.CreateModel(ctx, admin, evalmodel.NewModel{Code: "T1", Name: "测试模型", Period: "2025", DeptID: d["qh-samr"], Tree: evalmodel.DemoTree})
		if err != nil {
			t.Fatal(err)
		}
		before := audits(t, db, "weights_ahp")
		// A preference cycle: CR far above 0.1, refused, nothing written.
		_, _, err = s.SetAHP(ctx, admin, m.ID, "S", [][]float64{{1, 9, 1.0 / 9}, {1.0 / 9, 1, 9}, {9, 1.0 / 9, 1}})
		if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(err.Error(), "一致性") {
			t.Fatalf("inconsistent: %v", err)
		}
		// A broken reciprocal and a zero: refused naming the cell.
		_, _, err = s.SetAHP(ctx, admin, m.ID, "S", [][]float64{{1, 3, 2}, {3, 1, 0.5}, {0.5, 2, 1}})
		if err == nil || !strings.Contains(err.Error(), "第 2 行第 1 列") {
			t.Errorf("reciprocal: %v", err)
		}
		_, _, err = s.SetAHP(ctx, admin, m.ID, "S", [][]float64{{1, 0, 2}, {3, 1, 0.5}, {0.5, 2, 1}})
		if err == nil || !strings.Contains(err.Error(), "第 1 行第 2 列") {
			t.Errorf("zero: %v", err)
		}
		if _, _, err = s.SetAHP(ctx, admin, m.ID, "S", [][]float64{{1, 2}, {0.5, 1}}); err == nil {
			t.Error("2×2 for a group of 3 accepted")
		}
		got, _ := s.Model(ctx, admin, m.ID)
		for _, n := range got.Children("S") {
			if n.Weight != 0 {
				t.Errorf("weight written: %+v", n)
			}
		}
		if audits(t, db, "weights_ahp") != before || len(got.Judgements) != 0 {
			t.Error("refused matrix left an audit entry or a judgement")
		}
		if _, err := s.Publish(ctx, admin, m.ID); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("publish without weights: %v", err)
		}
		if _, err := s.Scores(ctx, admin, m.ID); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("scores without weights: %v", err)
		}
		res, _, err := s.SetAHP(ctx, admin, m.ID, "S", [][]float64{{1, 3, 2}, {1.0 / 3, 1, 0.5}, {0.5, 2, 1}})
		if err != nil || !res.Consistent || audits(t, db, "weights_ahp") != before+1 {
			t.Fatalf("consistent: %+v %v", res, err)
		}
		// Entropy needs data.
		if _, _, err := s.SetEntropy(ctx, admin, m.ID); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("entropy without data: %v", err)
		}
	})
}

func TestScopeAndEnterpriseAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		if _, err := evalmodel.SeedDemo(ctx, s, admin); err != nil {
			t.Fatal(err)
		}
		ms, _ := s.Models(ctx, admin)
		v1 := ms[1]
		haixi := auth.Principal{UserID: 9, Login: "hx", DeptID: d["632800"], Roles: []auth.Role{auth.RoleInspector}, Scope: auth.ScopeSubtree}
		if l, err := s.Models(ctx, haixi); err != nil || len(l) != 0 {
			t.Errorf("海西 inspector sees %d models (%v)", len(l), err)
		}
		if _, err := s.Scores(ctx, haixi, v1.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("海西 scores: %v", err)
		}
		if _, err := s.CreateModel(ctx, haixi, evalmodel.NewModel{Code: "X", Name: "x", Period: "2025", DeptID: d["632800"], Tree: evalmodel.DemoTree}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("inspector creates: %v", err)
		}
		sc, _ := s.Scores(ctx, admin, v1.ID)
		code := sc.Rows[0].CreditCode
		pub := auth.Principal{}
		if _, err := s.Explain(ctx, pub, v1.ID, code, 10); err == nil {
			t.Error("the public reads an explanation")
		}
		// An enterprise user: only its own enterprise.
		ents := enterprise.NewService(db)
		own, _ := ents.ByCreditCode(ctx, code)
		var uid int64
		if err := db.Writer().QueryRowContext(ctx, `INSERT INTO users(login, name, dept_id, password_hash, password_changed_at, created_at, updated_at)
			VALUES ('ent1', '企业', $1, 'x', $2, $2, $2) RETURNING id`, d["qh-samr"], time.Now().UTC()).Scan(&uid); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Writer().ExecContext(ctx, `INSERT INTO user_roles(user_id, role) VALUES ($1, 'enterprise')`, uid); err != nil {
			t.Fatal(err)
		}
		if err := ents.LinkUser(ctx, admin, uid, own.ID); err != nil {
			t.Fatal(err)
		}
		eu := auth.Principal{UserID: uid, Login: "ent1", Roles: []auth.Role{auth.RoleEnterprise}}
		if ex, err := s.Explain(ctx, eu, v1.ID, code, 10); err != nil || ex.Enterprise.CreditCode != code {
			t.Errorf("own explanation: %v", err)
		}
		if _, err := s.Explain(ctx, eu, v1.ID, sc.Rows[1].CreditCode, 10); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("other enterprise's explanation: %v", err)
		}
		if _, err := s.Explain(ctx, eu, ms[0].ID, code, 10); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("draft model's explanation: %v", err)
		}
		sec, err := s.EnterpriseSection(ctx, eu, own.ID)
		if err != nil || len(sec.Items) != 1 || !strings.Contains(sec.Items[0].Href, code) {
			t.Errorf("section: %+v %v", sec, err)
		}
	})
}

func TestImportValuesRefusesWithRowAndColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		if _, err := s.CreateModel(ctx, admin, evalmodel.NewModel{Code: "T1", Name: "测试模型", Period: "2025", DeptID: d["qh-samr"], Tree: evalmodel.DemoTree}); err != nil {
			t.Fatal(err)
		}
		file := "统一社会信用代码,企业名称,年度,指标代码,指标值\n" +
			"91630100MA752XUH3X,甲公司,2025,R1,70.5\n" +
			"91630100MA752XUH3Y,乙公司,2025,R1,70\n" + // bad check character
			"91630100MA752XUH3X,甲公司,2025,ZZ9,1\n" + // unknown indicator
			"91630100MA752XUH3X,甲公司,1899,R2,1\n" +
			"91630100MA752XUH3X,甲公司,2025,R3,NaN\n" +
			"91630100MA752XUH3X,甲公司,2025,R1,71\n" // duplicate of row 2
		rep, err := s.ImportValues(ctx, admin, kit.BytesSource("v.csv", []byte(file)), kit.ImportOptions{})
		if err == nil {
			t.Fatal("bad file accepted")
		}
		want := map[int]string{3: evalmodel.ColCredit, 4: evalmodel.ColIndicator, 5: evalmodel.ColPeriod, 6: evalmodel.ColValue, 7: evalmodel.ColIndicator}
		for _, e := range rep.Errors {
			if want[e.Row] == e.Column {
				delete(want, e.Row)
			}
		}
		if len(want) != 0 {
			t.Errorf("errors %v lack %v", rep.Errors, want)
		}
		var n int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM eval_values`).Scan(&n)
		if n != 0 {
			t.Errorf("%d values written", n)
		}
		good := "统一社会信用代码,企业名称,年度,指标代码,指标值\n91630100MA752XUH3X,甲公司,2025,R1,\"1,070.5\"\n"
		if rep, err := s.ImportValues(ctx, admin, kit.BytesSource("v.csv", []byte(good)), kit.ImportOptions{}); err != nil || rep.Created != 1 {
			t.Fatalf("good: %+v %v", rep, err)
		}
		if rep, err := s.ImportValues(ctx, admin, kit.BytesSource("v.csv", []byte(good)), kit.ImportOptions{}); err != nil || rep.Unchanged != 1 {
			t.Fatalf("again: %+v %v", rep, err)
		}
	})
}
