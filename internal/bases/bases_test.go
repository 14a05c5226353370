package bases_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/bases"
	"sidi/internal/indicator"
	"sidi/internal/org"
	"sidi/internal/standards"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var (
	ctx   = context.Background()
	admin = auth.CLI("test")
)

type env struct {
	db  *store.DB
	svc *bases.Service
	std *standards.Service
}

func deptID(t *testing.T, db *store.DB, code string) int64 {
	t.Helper()
	var id int64
	if err := db.Reader().QueryRow(`SELECT id FROM departments WHERE code = $1`, code).Scan(&id); err != nil {
		t.Fatalf("department %s: %v", code, err)
	}
	return id
}

// setup gives a directory, the standards registry with its demo records
// (so codes link) and the bases register on a fixed clock.
func setup(t *testing.T, db *store.DB) env {
	t.Helper()
	o := org.NewService(db)
	if _, err := o.EnsureDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	std := standards.NewService(db)
	if _, err := standards.SeedDemo(ctx, std, admin); err != nil {
		t.Fatal(err)
	}
	lookup := func(ctx context.Context, code string) (bases.StandardRef, error) {
		c := standards.ParseCode(code)
		if !c.Valid {
			return bases.StandardRef{}, apperr.Invalid("标准号“%s”无法识别", code)
		}
		st, err := std.ByCode(ctx, auth.Principal{}, code)
		if errors.Is(err, apperr.ErrNotFound) {
			return bases.StandardRef{Code: c.Display}, nil
		}
		if err != nil {
			return bases.StandardRef{}, err
		}
		return bases.StandardRef{Code: st.Code, ID: st.ID, Title: st.Title}, nil
	}
	svc := bases.NewService(db, auth.NewService(db, o), lookup)
	svc.SetClock(func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC) })
	return env{db: db, svc: svc, std: std}
}

func staff(t *testing.T, db *store.DB, code string, role auth.Role) auth.Principal {
	return auth.Principal{UserID: 9000, Login: "t-" + code + "-" + string(role), DeptID: deptID(t, db, code), Roles: []auth.Role{role}, Scope: auth.ScopeOwn}
}

func yak() bases.Input {
	return bases.Input{Name: "测试千头牦牛基地", Kind: "千头牦牛标准化生产基地", Prefecture: "海北藏族自治州", County: "祁连县",
		OperatorName: "测试合作社", OperatorCreditCode: "91630100MA752XUH3X", Scale: 1200,
		Standards: []string{"DB63/T 9002—2023", "ＧＢ／Ｔ　19630—2019"},
		Materials: []bases.Material{{Kind: "标准模式图", Title: "牦牛标准化养殖模式图"}, {Kind: "risk", Title: "风险管控手册"}, {}}}
}

func TestCreateValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		b, err := e.svc.Create(ctx, admin, yak())
		if err != nil {
			t.Fatal(err)
		}
		if b.Kind != bases.KindYak || b.Prefecture != "海北州" || b.County != "祁连县" || b.Status != bases.StatusBuilding || b.Dept != "省农业农村厅" {
			t.Errorf("created: %+v", b)
		}
		if len(b.Standards) != 2 || b.Standards[0].ID == 0 || b.Standards[1].ID != 0 || b.Standards[1].Code != "GB/T 19630—2019" {
			t.Errorf("standards: %+v", b.Standards)
		}
		if len(b.Materials) != 2 || b.Materials[0].Label != "标准模式图" || b.Materials[1].Label != "风险管控手册" {
			t.Errorf("materials: %+v", b.Materials)
		}
		cases := []struct {
			name string
			edit func(*bases.Input)
			want []string
		}{
			{"empty name", func(in *bases.Input) { in.Name = "  " }, []string{"名称：不能为空"}},
			{"bad kind", func(in *bases.Input) { in.Kind = "养鸡场" }, []string{"类型：“养鸡场”无效"}},
			{"not a prefecture", func(in *bases.Input) { in.Prefecture = "拉萨市" }, []string{"所在市州：“拉萨市”不是青海省的市州"}},
			{"county of another prefecture", func(in *bases.Input) { in.County = "共和县" }, []string{"海北州没有“共和县”", "祁连县"}},
			{"no operator", func(in *bases.Input) { in.OperatorName = "" }, []string{"经营主体：不能为空"}},
			{"bad check digit", func(in *bases.Input) { in.OperatorCreditCode = "91630100MA752XUH3K" }, []string{"校验位不符", "应为“X”"}},
			{"negative scale", func(in *bases.Input) { in.Scale = -5 }, []string{"存栏规模：应在"}},
			{"zero scale", func(in *bases.Input) { in.Scale = 0 }, []string{"存栏规模：请填写"}},
			{"bad standard code", func(in *bases.Input) { in.Standards = []string{"不是标准号"} }, []string{"执行的标准"}},
			{"bad material", func(in *bases.Input) { in.Materials = []bases.Material{{Kind: "宣传册", Title: "x"}} }, []string{"标准化材料第 1 项：种类“宣传册”无效"}},
			{"control chars", func(in *bases.Input) { in.Name = "基地\x00" }, []string{"名称：含有不可见的控制字符"}},
			{"too long", func(in *bases.Input) { in.Name = strings.Repeat("牛", 101) }, []string{"名称：不能超过 100 个字"}},
			{"several at once", func(in *bases.Input) { in.Name, in.Scale = "", -1 }, []string{"名称：不能为空", "存栏规模"}},
		}
		for _, tc := range cases {
			in := yak()
			in.Name = "另一个基地"
			tc.edit(&in)
			_, err := e.svc.Create(ctx, admin, in)
			if !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("%s: %v, want invalid", tc.name, err)
				continue
			}
			for _, w := range tc.want {
				if !strings.Contains(apperr.Message(err), w) {
					t.Errorf("%s: %q lacks %q", tc.name, apperr.Message(err), w)
				}
			}
		}
		// Same name in the same county twice is a conflict; a county needs no operator.
		if _, err := e.svc.Create(ctx, admin, yak()); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("duplicate: %v", err)
		}
		c, err := e.svc.Create(ctx, admin, bases.Input{Name: "共和县标准化生产县", Kind: "county", Prefecture: "632500", County: "632521"})
		if err != nil || c.County != "共和县" || c.BelowThreshold {
			t.Errorf("county: %+v %v", c, err)
		}
		// Nothing of the failed attempts was written.
		var n int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM bases`).Scan(&n)
		if n != 2 {
			t.Errorf("%d bases stored, want 2", n)
		}
	})
}

func TestWorkflowAndMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		in := yak()
		in.Scale = 800
		b, err := e.svc.Create(ctx, admin, in)
		if err != nil {
			t.Fatal(err)
		}
		if !b.BelowThreshold {
			t.Error("800 head not flagged below the 1000-head threshold")
		}
		steps := []struct {
			step   bases.Step
			status string
			err    string
		}{
			{bases.Step{Action: "recognise", Date: "2024-03-01"}, "", "未达标准不能认定"},
			{bases.Step{Action: "review", Date: "2024-03-01", Result: "pass"}, "", "只有已认定的基地可以复核"},
			{bases.Step{Action: "认定", Date: "2099-01-01"}, "", "晚于今天"},
			{bases.Step{Action: "approve", Date: "2024-03-01"}, "", "办理事项：“approve”无效"},
		}
		for _, s := range steps {
			if _, err := e.svc.Advance(ctx, admin, b.ID, s.step); err == nil || !strings.Contains(apperr.Message(err), s.err) {
				t.Errorf("%+v: %v, want %q", s.step, err, s.err)
			}
		}
		in.Scale = 1000
		if _, err := e.svc.Update(ctx, admin, b.ID, in); err != nil {
			t.Fatal(err)
		}
		b, err = e.svc.Advance(ctx, admin, b.ID, bases.Step{Action: "认定", Date: "2024年3月1日"})
		if err != nil || b.Status != bases.StatusRecognised || b.RecognisedOn != "2024-03-01" || b.RecognisedBy != bases.DefaultRecogniser {
			t.Fatalf("recognise: %+v %v", b, err)
		}
		in.Kind = "sheep"
		if _, err := e.svc.Update(ctx, admin, b.ID, in); err == nil || !strings.Contains(apperr.Message(err), "不能更改类型") {
			t.Errorf("kind change of a recognised base: %v", err)
		}
		if _, err := e.svc.Advance(ctx, admin, b.ID, bases.Step{Action: "review", Date: "2025-03-01", Result: "fail"}); err == nil || !strings.Contains(apperr.Message(err), "须写明原因") {
			t.Errorf("failed review without reason: %v", err)
		}
		if b, err = e.svc.Advance(ctx, admin, b.ID, bases.Step{Action: "review", Date: "2025-03-01", Result: "通过"}); err != nil || b.ReviewedOn != "2025-03-01" || b.Status != bases.StatusRecognised {
			t.Fatalf("review: %+v %v", b, err)
		}
		if b, err = e.svc.Advance(ctx, admin, b.ID, bases.Step{Action: "撤销", Date: "2025-06-01", Note: "存栏不足"}); err != nil || b.Status != bases.StatusRevoked {
			t.Fatalf("revoke: %+v %v", b, err)
		}
		if len(b.Events) != 4 || b.Events[0].Action != "create" || b.Events[3].Note != "存栏不足" {
			t.Errorf("events: %+v", b.Events)
		}
		// Every write was audited, and the chain holds.
		var n int
		db.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'base' AND entity_id = $1`, fmt.Sprint(b.ID)).Scan(&n)
		if n != 5 {
			t.Errorf("%d audit records, want 5 (create, update, recognise, review, revoke)", n)
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Error(err)
		}

		r := indicator.NewRegistry()
		if err := bases.RegisterMetrics(r); err != nil {
			t.Fatal(err)
		}
		m, ok := r.Get("bases.yak")
		if !ok {
			t.Fatal("bases.yak not registered")
		}
		since := time.Date(2021, 12, 22, 0, 0, 0, 0, time.UTC)
		for _, tc := range []struct {
			asOf string
			want float64
		}{{"2024-02-29", 0}, {"2024-03-01", 1}, {"2025-05-31", 1}, {"2025-06-01", 0}} {
			at, _ := time.ParseInLocation("2006-01-02", tc.asOf, time.FixedZone("CST", 8*3600))
			got, err := m.Compute(ctx, db.Reader(), since, at.Add(12*time.Hour))
			if err != nil || got != tc.want {
				t.Errorf("bases.yak as of %s: %v %v, want %v", tc.asOf, got, err, tc.want)
			}
		}
		for _, k := range []string{"bases.sheep", "bases.ranch", "bases.county"} {
			if _, ok := r.Get(k); !ok {
				t.Errorf("%s not registered", k)
			}
		}
	})
}

func TestScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		agri := staff(t, db, "qh-agri", auth.RoleReporter)
		forest := staff(t, db, "qh-forest", auth.RoleApprover)
		drc := staff(t, db, "qh-drc", auth.RoleReporter)
		inspector := staff(t, db, "qh-samr", auth.RoleInspector)

		b, err := e.svc.Create(ctx, agri, yak())
		if err != nil || b.DeptID != deptID(t, db, "qh-agri") {
			t.Fatalf("agri reporter: %+v %v", b, err)
		}
		cases := []struct {
			name string
			p    auth.Principal
			do   func(auth.Principal) error
			kind error
		}{
			{"drc creates", drc, func(p auth.Principal) error {
				in := yak()
				in.Name = "x"
				_, err := e.svc.Create(ctx, p, in)
				return err
			}, apperr.ErrForbidden},
			{"inspector creates", inspector, func(p auth.Principal) error {
				in := yak()
				in.Name = "x"
				_, err := e.svc.Create(ctx, p, in)
				return err
			}, apperr.ErrForbidden},
			{"public creates", auth.Principal{}, func(p auth.Principal) error { _, err := e.svc.Create(ctx, p, yak()); return err }, apperr.ErrUnauthenticated},
			{"forest edits agri's base", forest, func(p auth.Principal) error { _, err := e.svc.Update(ctx, p, b.ID, yak()); return err }, apperr.ErrForbidden},
			{"forest recognises agri's base", forest, func(p auth.Principal) error {
				_, err := e.svc.Advance(ctx, p, b.ID, bases.Step{Action: "recognise", Date: "2025-01-01"})
				return err
			}, apperr.ErrForbidden},
			{"agri files under forest", agri, func(p auth.Principal) error {
				in := yak()
				in.Name, in.DeptID = "y", deptID(t, db, "qh-forest")
				_, err := e.svc.Create(ctx, p, in)
				return err
			}, apperr.ErrInvalid},
			{"agri edits its own", agri, func(p auth.Principal) error { _, err := e.svc.Update(ctx, p, b.ID, yak()); return err }, nil},
			{"forest files its own", forest, func(p auth.Principal) error {
				in := yak()
				in.Name = "林草局基地"
				_, err := e.svc.Create(ctx, p, in)
				return err
			}, nil},
		}
		for _, tc := range cases {
			err := tc.do(tc.p)
			if tc.kind == nil && err != nil || tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.kind)
			}
		}
		if e.svc.CanEdit(ctx, forest, b) || !e.svc.CanEdit(ctx, agri, b) || e.svc.CanCreate(ctx, drc) {
			t.Error("CanEdit/CanCreate disagree with the service")
		}
	})
}

func TestSearchAndDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db)
		n, err := bases.SeedDemo(ctx, e.svc, admin)
		if err != nil || n < 20 {
			t.Fatalf("demo: %d %v", n, err)
		}
		if again, err := bases.SeedDemo(ctx, e.svc, admin); err != nil || again != 0 {
			t.Fatalf("second demo seed added %d, %v", again, err)
		}
		all, err := e.svc.Search(ctx, bases.Filter{})
		if err != nil || all.Total != n {
			t.Fatalf("all: %d %v", all.Total, err)
		}
		kinds := map[string]bool{}
		prefs := map[string]bool{}
		for _, b := range all.Bases {
			kinds[b.Kind], prefs[b.PrefectureCode] = true, true
			if !b.Demo || !strings.Contains(b.Note, "【演示数据】") {
				t.Errorf("%s is not labelled demo", b.Name)
			}
		}
		if len(kinds) != 4 || len(prefs) != 8 {
			t.Errorf("demo covers %d kinds and %d prefectures", len(kinds), len(prefs))
		}
		cases := []struct {
			f    bases.Filter
			want func(bases.Base) bool
		}{
			{bases.Filter{Kind: "yak"}, func(b bases.Base) bool { return b.Kind == "yak" }},
			{bases.Filter{Kind: "藏羊养殖场", Prefecture: "632500"}, func(b bases.Base) bool { return b.Kind == "sheep" && b.Prefecture == "海南州" }},
			{bases.Filter{Status: "已认定"}, func(b bases.Base) bool { return b.Status == "recognised" }},
			{bases.Filter{Q: "祁连"}, func(b bases.Base) bool { return strings.Contains(b.Name+b.County, "祁连") }},
			{bases.Filter{Q: "100%_"}, func(b bases.Base) bool { return false }},
		}
		for _, tc := range cases {
			l, err := e.svc.Search(ctx, tc.f)
			if err != nil {
				t.Errorf("%+v: %v", tc.f, err)
				continue
			}
			if l.Total == 0 && tc.f.Q != "100%_" {
				t.Errorf("%+v: nothing found", tc.f)
			}
			for _, b := range l.Bases {
				if !tc.want(b) {
					t.Errorf("%+v: %s does not match", tc.f, b.Name)
				}
			}
		}
		for _, f := range []bases.Filter{{Kind: "cow"}, {Prefecture: "540100"}, {Status: "x"}, {PerPage: 500}, {Page: -1}} {
			if _, err := e.svc.Search(ctx, f); !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("%+v: %v, want invalid", f, err)
			}
		}
		// The summary table agrees with the metric as of today.
		r := indicator.NewRegistry()
		bases.RegisterMetrics(r)
		for _, k := range bases.Kinds {
			m, _ := r.Get(bases.MetricKeys[k])
			v, err := m.Compute(ctx, db.Reader(), time.Time{}, time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC))
			if err != nil || int(v) != all.Sum.Recognised[k] {
				t.Errorf("%s: metric %v %v, table %d", k, v, err, all.Sum.Recognised[k])
			}
		}
	})
}
