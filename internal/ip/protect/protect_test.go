package protect_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/ip/protect"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var (
	ctx   = context.Background()
	admin = auth.CLI("test")
)

func setup(t *testing.T, db *store.DB) (*protect.Service, map[string]int64) {
	t.Helper()
	if _, err := org.NewService(db).EnsureDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, code := range []string{"630100", "630102", "632800"} {
		if err := db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(new(int64)); err != nil {
			t.Fatalf("department %s: %v", code, err)
		}
		var id int64
		_ = db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(&id)
		ids[code] = id
	}
	s := protect.NewService(db, enterprise.NewService(db))
	s.SetClock(func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC) })
	return s, ids
}

func inspector(dept int64, sc auth.Scope) auth.Principal {
	return auth.Principal{UserID: 7, Login: "insp", DeptID: dept, Roles: []auth.Role{auth.RoleInspector}, Scope: sc}
}

func TestCaseWorkflowScopeAndPrivacy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		xining := inspector(d["630100"], auth.ScopeSubtree) // 西宁 and its districts
		county := inspector(d["630102"], auth.ScopeOwn)     // 城东区
		haixi := inspector(d["632800"], auth.ScopeSubtree)
		c, err := s.CreateCase(ctx, county, protect.NewCase{CaseNo: "东市监知罚〔2025〕1号", Kind: protect.KindTrademark, DeptID: d["630102"],
			Subject: "销售侵犯注册商标专用权的枸杞", Party: "某商贸有限公司", PartyCode: "91630100MA752XUH3X", DiscoveredOn: "2025-06-02"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != protect.StatusClue || c.LimitDue != "2025-06-23" || c.Warning != "overdue" {
			t.Errorf("clue limit: %+v", c)
		}
		if c.EnterpriseID == 0 {
			t.Error("the party with a credit code is not in the enterprise directory")
		}
		// Scope both ways: the district and the city see it, 海西 does not.
		for _, v := range []struct {
			name string
			p    auth.Principal
			want int
		}{{"county", county, 1}, {"city subtree", xining, 1}, {"other prefecture", haixi, 0}, {"city own only", inspector(d["630100"], auth.ScopeOwn), 0}, {"admin", admin, 1}} {
			l, err := s.Cases(ctx, v.p, protect.CaseFilter{})
			if err != nil || len(l) != v.want {
				t.Errorf("%s sees %d cases (%v), want %d", v.name, len(l), err, v.want)
			}
		}
		if _, err := s.Case(ctx, haixi, c.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("海西 reads the case: %v", err)
		}
		if _, err := s.Step(ctx, haixi, c.ID, protect.CaseStep{Action: protect.StepFile}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("海西 files the case: %v", err)
		}
		if _, err := s.Cases(ctx, auth.Principal{}, protect.CaseFilter{}); err == nil {
			t.Error("the public lists cases")
		}
		if _, err := s.Cases(ctx, auth.Principal{UserID: 9, Login: "r", DeptID: d["630102"], Roles: []auth.Role{auth.RoleReporter}}, protect.CaseFilter{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("a reporter lists cases: %v", err)
		}
		// Out-of-order and hostile steps.
		for _, st := range []struct {
			name string
			st   protect.CaseStep
			kind error
		}{
			{"penalize a clue", protect.CaseStep{Action: protect.StepPenalize, DecisionNo: "x", Violation: "x", Penalty: "x"}, apperr.ErrConflict},
			{"unknown action", protect.CaseStep{Action: "<script>"}, apperr.ErrInvalid},
			{"future day", protect.CaseStep{Action: protect.StepFile, On: "2099-01-01"}, apperr.ErrInvalid},
			{"before discovery", protect.CaseStep{Action: protect.StepFile, On: "2025-06-01"}, apperr.ErrInvalid},
			{"garbage day", protect.CaseStep{Action: protect.StepFile, On: "'; DROP TABLE ip_cases;--"}, apperr.ErrInvalid},
		} {
			if _, err := s.Step(ctx, county, c.ID, st.st); !errors.Is(err, st.kind) {
				t.Errorf("%s: %v, want %v", st.name, err, st.kind)
			}
		}
		steps := []protect.CaseStep{
			{Action: protect.StepFile, On: "2025-06-10"},
			{Action: protect.StepInvestigate, On: "2025-06-11"},
		}
		for _, st := range steps {
			if c, err = s.Step(ctx, xining, c.ID, st); err != nil {
				t.Fatalf("%s: %v", st.Action, err)
			}
		}
		if c.LimitDue != "2025-09-08" || c.Warning != "" {
			t.Errorf("decision limit: %s %q", c.LimitDue, c.Warning)
		}
		for _, fine := range []string{"-5", "1.234", "abc", "1e9", "9999999999999"} {
			if _, err := s.Step(ctx, county, c.ID, protect.CaseStep{Action: protect.StepPenalize, DecisionNo: "东市监罚〔2025〕8号", Violation: "v", Penalty: "p", Fine: fine}); !errors.Is(err, apperr.ErrInvalid) {
				t.Errorf("fine %q: %v", fine, err)
			}
		}
		c, err = s.Step(ctx, county, c.ID, protect.CaseStep{Action: protect.StepPenalize, On: "2025-06-28", DecisionNo: "东市监罚〔2025〕8号",
			Violation: "销售侵犯注册商标专用权的商品", Penalty: "没收侵权商品，罚款", Fine: "12,345.6"})
		if err != nil || c.FineFen != 1234560 || c.Status != protect.StatusPenalized || c.Limit != "" {
			t.Fatalf("penalize: %+v %v", c, err)
		}
		// Not published yet: the public sees nothing.
		if l, err := s.PublicDecisions(ctx, 0); err != nil || len(l) != 0 {
			t.Errorf("unpublished decision public: %+v %v", l, err)
		}
		if c, err = s.Step(ctx, county, c.ID, protect.CaseStep{Action: protect.StepPublish}); err != nil || !c.Published {
			t.Fatalf("publish: %v", err)
		}
		l, err := s.PublicDecisions(ctx, 0)
		if err != nil || len(l) != 1 || l[0].Fine != "12,345.60" || l[0].DecidedOn != "2025-06-28" {
			t.Fatalf("public decisions: %+v %v", l, err)
		}
		js, _ := json.Marshal(l)
		for _, secret := range []string{"东市监知罚", "subject", "dept", "枸杞", "91630100MA752XUH3X"} {
			if strings.Contains(string(js), secret) {
				t.Errorf("the public decision shows %q: %s", secret, js)
			}
		}
		full, err := s.Case(ctx, xining, c.ID)
		if err != nil || len(full.Events) != 5 {
			t.Errorf("events: %+v %v", full.Events, err)
		}
		var audits int
		if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'ip_case' AND entity_id = $1`, fmt.Sprint(full.ID)).Scan(&audits); err != nil || audits != 5 {
			t.Errorf("audit entries: %d %v", audits, err)
		}
		// A withdrawn case needs a reason; a second case number is unique.
		c2, err := s.CreateCase(ctx, admin, protect.NewCase{CaseNo: "海西专利1号", Kind: protect.KindPatent, DeptID: d["632800"], Subject: "假冒专利", Party: "某公司", DiscoveredOn: "2025-06-20"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Step(ctx, admin, c2.ID, protect.CaseStep{Action: protect.StepFile}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Step(ctx, admin, c2.ID, protect.CaseStep{Action: protect.StepWithdraw}); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("withdraw without reason: %v", err)
		}
		if _, err := s.CreateCase(ctx, admin, protect.NewCase{CaseNo: "海西专利1号", Kind: protect.KindPatent, DeptID: d["632800"], Subject: "x", Party: "y", DiscoveredOn: "2025-06-20"}); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("duplicate case number: %v", err)
		}
	})
}

func TestCreateCaseRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		county := inspector(d["630102"], auth.ScopeOwn)
		ok := protect.NewCase{CaseNo: "N1", Kind: protect.KindGI, DeptID: d["630102"], Subject: "s", Party: "p", DiscoveredOn: "2025-01-01"}
		for _, c := range []struct {
			name  string
			edit  func(*protect.NewCase)
			field string
		}{
			{"no number", func(n *protect.NewCase) { n.CaseNo = "  " }, "case_no"},
			{"bad kind", func(n *protect.NewCase) { n.Kind = "copyright" }, "kind"},
			{"long subject", func(n *protect.NewCase) { n.Subject = strings.Repeat("案", 201) }, "subject"},
			{"control chars", func(n *protect.NewCase) { n.Party = "a\x00b" }, "party"},
			{"bad credit code", func(n *protect.NewCase) { n.PartyCode = "91630100MA752XUH3Y" }, "party_code"},
			{"bad date", func(n *protect.NewCase) { n.DiscoveredOn = "2025-02-30" }, "discovered_on"},
			{"other dept", func(n *protect.NewCase) { n.DeptID = d["632800"] }, "dept_id"},
			{"no dept", func(n *protect.NewCase) { n.DeptID = 999999 }, "dept_id"},
		} {
			n := ok
			c.edit(&n)
			_, err := s.CreateCase(ctx, county, n)
			var es kit.Errors
			if !errors.As(err, &es) || len(es) == 0 || es[0].Field != c.field {
				t.Errorf("%s: %v, want a failure of %s", c.name, err, c.field)
			}
		}
		var n int
		_ = db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM ip_cases`).Scan(&n)
		if n != 0 {
			t.Errorf("%d cases written by refused requests", n)
		}
	})
}

func TestAssists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		county := inspector(d["630102"], auth.ScopeOwn)
		a, err := s.CreateAssist(ctx, county, protect.Assist{ReqNo: "YZ-1", Kind: protect.MediationKind, DeptID: d["630102"], Applicant: "甲", Respondent: "乙", Matter: "商标许可费纠纷", ReceivedOn: "2025-04-01"})
		if err != nil || a.DueOn != "2025-05-31" || !a.Overdue {
			t.Fatalf("mediation: %+v %v", a, err)
		}
		b, err := s.CreateAssist(ctx, county, protect.Assist{ReqNo: "YZ-2", Kind: protect.AssistKind, DeptID: d["630102"], Applicant: "丙", Matter: "海外维权", ReceivedOn: "2025-06-20"})
		if err != nil || b.Overdue {
			t.Fatalf("assist: %+v %v", b, err)
		}
		if _, err := s.CreateAssist(ctx, county, protect.Assist{ReqNo: "YZ-3", Kind: protect.MediationKind, DeptID: d["630102"], Applicant: "甲", Matter: "m", ReceivedOn: "2025-04-01"}); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("mediation without respondent: %v", err)
		}
		if _, err := s.CreateAssist(ctx, county, protect.Assist{ReqNo: "YZ-4", Kind: protect.AssistKind, DeptID: d["630102"], Applicant: "甲", Matter: "m", ReceivedOn: "2025-04-01", DueOn: "2025-03-01"}); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("due before received: %v", err)
		}
		if l, err := s.Assists(ctx, county, true); err != nil || len(l) != 1 || l[0].ReqNo != "YZ-1" {
			t.Errorf("overdue: %+v %v", l, err)
		}
		if l, err := s.Assists(ctx, inspector(d["632800"], auth.ScopeSubtree), false); err != nil || len(l) != 0 {
			t.Errorf("海西 sees requests: %+v %v", l, err)
		}
		if _, err := s.CloseAssist(ctx, inspector(d["632800"], auth.ScopeSubtree), a.ID, "settled", "达成协议", ""); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("海西 closes: %v", err)
		}
		if _, err := s.CloseAssist(ctx, county, a.ID, "bogus", "x", ""); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("bad outcome: %v", err)
		}
		a, err = s.CloseAssist(ctx, county, a.ID, "settled", "双方达成调解协议", "2025-05-20")
		if err != nil || a.Overdue || a.Status != "closed" {
			t.Errorf("closed in time: %+v %v", a, err)
		}
		if _, err := s.CloseAssist(ctx, county, a.ID, "settled", "again", ""); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("closed twice: %v", err)
		}
	})
}

const outlets = "网点名称,级别,行政区划代码,服务内容,联系方式\n" +
	"青海省知识产权保护中心,省级,630100,专利预审；维权援助,0971-0000000\n" +
	"格尔木市知识产权服务站,县级,632801,商标受理,\n"

const operations = "登记号,运营类型,权利类型,权利号,出让人/许可人/出质人,受让人/被许可人/质权人,金额（元）,行政区划代码,登记日期\n" +
	"ZL-2024-1,质押,专利,ZL202010000001.X,某盐湖公司,某银行青海分行,\"30,000,000\",632801,2024-03-01\n" +
	"ZL-2024-2,质押,商标,12345678,某乳业公司,某银行,5000000.5,630100,2024-08-01\n" +
	"ZR-2025-1,转让,专利,ZL202110000002.3,某大学,某公司,200000,630100,2025-01-05\n" +
	"XK-2025-9,许可,专利,ZL202110000003.1,某所,外省公司,1,110105,2025-02-01\n"

func TestImports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db)
		for _, k := range []struct {
			body string
			imp  func(context.Context, auth.Principal, kit.Source, kit.ImportOptions) (kit.ImportReport, error)
			rows int
		}{{outlets, s.ImportOutlets, 2}, {operations, s.ImportOperations, 4}} {
			rep, err := k.imp(ctx, admin, kit.BytesSource("f.csv", []byte(k.body)), kit.ImportOptions{})
			if err != nil || rep.Created != k.rows {
				t.Fatalf("%+v %v", rep, err)
			}
			rep, err = k.imp(ctx, admin, kit.BytesSource("f.csv", []byte(k.body)), kit.ImportOptions{})
			if err != nil || rep.Unchanged != k.rows {
				t.Fatalf("again: %+v %v", rep, err)
			}
			if _, err := k.imp(ctx, inspector(1, auth.ScopeAll), kit.BytesSource("f.csv", []byte(k.body)), kit.ImportOptions{}); !errors.Is(err, apperr.ErrForbidden) {
				t.Errorf("an inspector imports: %v", err)
			}
		}
		tot, err := s.Totals(ctx)
		if err != nil || len(tot) != 2 || tot[0].Year != "2024" || tot[0].Kind != "pledge" || tot[0].AmountFen != 3500000050 || tot[0].Count != 2 {
			t.Errorf("totals: %+v %v", tot, err)
		}
		if l, err := s.Outlets(ctx, "632800"); err != nil || len(l) != 1 || l[0].RegionName != "格尔木市" {
			t.Errorf("outlets in 海西: %+v %v", l, err)
		}
		if _, err := s.Outlets(ctx, "'or 1=1"); err == nil {
			t.Error("a bad prefecture is accepted")
		}
		bad := []struct {
			name, body, column string
		}{
			{"level", "网点名称,级别,行政区划代码,服务内容\nA,乡级,630100,x\n", "级别"},
			{"region", "网点名称,级别,行政区划代码,服务内容\nA,省级,639999,x\n", "行政区划代码"},
			{"formula", "网点名称,级别,行政区划代码,服务内容\n=SUM(A1),省级,630100,x\n", "网点名称"},
			{"duplicate", "网点名称,级别,行政区划代码,服务内容\nA,省级,630100,x\nA,省级,630100,y\n", "网点名称"},
			{"amount", strings.Replace(operations, "200000", "-1", 1), "金额（元）"},
			{"op kind", strings.Replace(operations, "转让", "赠与", 1), "运营类型"},
			{"date", strings.Replace(operations, "2025-01-05", "2025-13-05", 1), "登记日期"},
		}
		for _, b := range bad {
			imp := s.ImportOutlets
			if strings.HasPrefix(b.body, "登记号") {
				imp = s.ImportOperations
			}
			rep, err := imp(ctx, admin, kit.BytesSource("bad.csv", []byte(b.body)), kit.ImportOptions{})
			if err == nil || len(rep.Errors) == 0 || rep.Errors[0].Column != b.column || rep.Errors[0].Row < 2 {
				t.Errorf("%s: %+v %v", b.name, rep.Errors, err)
			}
		}
		rep, err := s.ImportOutlets(ctx, admin, kit.BytesSource("skip.csv", []byte("网点名称,级别,行政区划代码,服务内容\nB,省级,630100,x\nC,乡级,630100,x\n")), kit.ImportOptions{SkipInvalid: true})
		if err != nil || rep.Created != 1 || rep.Rejected != 1 {
			t.Errorf("skip invalid: %+v %v", rep, err)
		}
	})
}

func TestParseYuan(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1": 100, "1.5": 150, "1.05": 105, "12,345.60": 1234560, "5000元": 500000} {
		if got, ok := protect.ParseYuan(in); !ok || got != want {
			t.Errorf("%q: %d %v, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-1", "+1", "1.001", ".5", "1e3", "１", "9999999999999", "1..2"} {
		if _, ok := protect.ParseYuan(in); ok {
			t.Errorf("%q accepted", in)
		}
	}
	for fen, want := range map[int64]string{0: "0.00", 5: "0.05", 100000: "1,000.00", 99999: "999.99", 123456789: "1,234,567.89", 100000000000: "1,000,000,000.00", -150: "-1.50"} {
		if got := protect.Yuan(fen); got != want {
			t.Errorf("Yuan(%d) = %s, want %s", fen, got, want)
		}
	}
	if protect.AddWorkdays("2025-06-02", 15) != "2025-06-23" {
		t.Error("AddWorkdays")
	}
}

func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"1", "1.5", "12,345.60", "-1", "元", "9999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := protect.ParseYuan(s)
		if ok && (n < 0 || protect.Yuan(n) == "") {
			t.Fatalf("%q → %d", s, n)
		}
	})
}

func TestDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db)
		if n, err := protect.SeedDemo(ctx, s, admin); err != nil || n != 11 {
			t.Fatalf("demo: %d %v", n, err)
		}
		if n, err := protect.SeedDemo(ctx, s, admin); err != nil || n != 0 {
			t.Errorf("demo twice: %d %v", n, err)
		}
		l, err := s.PublicDecisions(ctx, 0)
		if err != nil || len(l) != 1 || !l[0].Demo || !strings.Contains(l[0].Party, protect.DemoLabel) {
			t.Errorf("demo decision: %+v %v", l, err)
		}
		if w, err := s.Cases(ctx, admin, protect.CaseFilter{Warning: true}); err != nil || len(w) != 1 || w[0].Warning != "overdue" {
			t.Errorf("demo warnings: %+v %v", w, err)
		}
	})
}

// TestRealOutlets imports the three 西宁 outlets of the 2024 provincial
// list (testdata/SOURCES.md) and finds them in the public list.
func TestRealOutlets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db)
		rep, err := s.ImportOutlets(ctx, admin, kit.FileSource("testdata/real/outlets_xining_2024.csv"), kit.ImportOptions{})
		if err != nil || rep.Created != 3 {
			t.Fatalf("%+v %v", rep, err)
		}
		l, err := s.Outlets(ctx, "630100")
		if err != nil || len(l) != 3 || l[0].RegionName != "西宁市" || l[0].Demo {
			t.Errorf("%+v %v", l, err)
		}
	})
}
