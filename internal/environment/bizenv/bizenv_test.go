package bizenv_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/environment/bizenv"
	"sidi/internal/indicator"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var (
	ctx   = context.Background()
	admin = auth.CLI("test")
)

func setup(t *testing.T, db *store.DB) (*bizenv.Service, map[string]int64) {
	t.Helper()
	if _, err := org.NewService(db).EnsureDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, code := range []string{"qh-samr", "630100", "630102", "632800"} {
		var id int64
		if err := db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(&id); err != nil {
			t.Fatalf("department %s: %v", code, err)
		}
		ids[code] = id
	}
	s := bizenv.NewService(db)
	s.SetClock(func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC) })
	if err := s.EnsureLimits(ctx); err != nil {
		t.Fatal(err)
	}
	return s, ids
}

func user(dept int64, sc auth.Scope, roles ...auth.Role) auth.Principal {
	return auth.Principal{UserID: 7, Login: "u", Name: "用户", DeptID: dept, Roles: roles, Scope: sc}
}

func isConflict(err error) bool { return errors.Is(err, apperr.ErrConflict) }

func answerAll(t *testing.T, s *bizenv.Service, p auth.Principal, m bizenv.Measure, restrict string) bizenv.Measure {
	t.Helper()
	c, _ := bizenv.ChecklistVersion(m.Checklist)
	var as []bizenv.Answer
	for _, it := range c.Items() {
		a := bizenv.Answer{Item: it.Code, Verdict: bizenv.VerdictClear}
		if it.Code == restrict {
			a.Verdict, a.Note = bizenv.VerdictRestricts, "对本地企业给予差异化补贴"
		}
		as = append(as, a)
	}
	m, err := s.Answer(ctx, p, m.ID, as)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func auditCount(t *testing.T, db *store.DB, entity string) int {
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = $1`, entity).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestReviewGate walks a measure through the review: it cannot be issued
// before a passing conclusion, a conclusion needs every checklist row and
// a stakeholder heard, "pass" is refused when a row restricts competition,
// the exception path needs its ground, alternative and time limit, a
// "fail" conclusion blocks issuing, and changing answers reopens the review.
func TestReviewGate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		drafter := user(d["630100"], auth.ScopeSubtree, auth.RoleApprover)
		m, err := s.CreateMeasure(ctx, drafter, bizenv.NewMeasure{DeptID: d["630100"], Title: "西宁市促进商贸流通若干措施", DocKind: "规范性文件", DraftedOn: "2025-03-01"})
		if err != nil {
			t.Fatal(err)
		}
		if m.Checklist != "2024" {
			t.Fatalf("checklist %s, want 2024", m.Checklist)
		}
		if _, err := s.Issue(ctx, drafter, m.ID, "宁政〔2025〕1号", "2025-04-01"); !isConflict(err) {
			t.Fatalf("issue without review: %v", err)
		}
		if _, err := s.Conclude(ctx, drafter, m.ID, bizenv.Conclusion{Result: bizenv.ConclusionPass, On: "2025-03-20"}); !isConflict(err) || !strings.Contains(err.Error(), "19 项") {
			t.Fatalf("conclude without checklist: %v", err)
		}
		m = answerAll(t, s, drafter, m, "10.2")
		if _, err := s.Conclude(ctx, drafter, m.ID, bizenv.Conclusion{Result: bizenv.ConclusionException, Note: "n", Ground: "12.3", Alternative: "a", Limit: "2027-12-31", On: "2025-03-20"}); !isConflict(err) || !strings.Contains(err.Error(), "利害关系人") {
			t.Fatalf("conclude without opinions: %v", err)
		}
		if _, err := s.AddOpinion(ctx, drafter, m.ID, bizenv.Opinion{Kind: "stakeholder", Source: "西宁市商业联合会", Content: "建议补贴面向所有在宁经营者", ReceivedOn: "2025-03-10", Adopted: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Conclude(ctx, drafter, m.ID, bizenv.Conclusion{Result: bizenv.ConclusionPass, On: "2025-03-20"}); !isConflict(err) {
			t.Fatalf("pass with a restricting row: %v", err)
		}
		if _, err := s.Conclude(ctx, drafter, m.ID, bizenv.Conclusion{Result: bizenv.ConclusionException, Note: "n", Ground: "E3", Alternative: "a", Limit: "l", On: "2025-03-20"}); err == nil {
			t.Fatal("a 2021 exception ground accepted on a 2024 checklist")
		}
		if _, err := s.Conclude(ctx, drafter, m.ID, bizenv.Conclusion{Result: bizenv.ConclusionException, Note: "n", Ground: "12.3", On: "2025-03-20"}); err == nil {
			t.Fatal("exception without alternative and limit accepted")
		}
		// A reporter may draft but not conclude.
		if _, err := s.Conclude(ctx, user(d["630100"], auth.ScopeSubtree, auth.RoleReporter), m.ID, bizenv.Conclusion{Result: bizenv.ConclusionFail, Note: "n"}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("reporter concludes: %v", err)
		}
		// Fail: issuing stays blocked.
		if _, err := s.Conclude(ctx, drafter, m.ID, bizenv.Conclusion{Result: bizenv.ConclusionFail, Note: "限定本地经营者享受补贴", On: "2025-03-20"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Issue(ctx, drafter, m.ID, "宁政〔2025〕1号", "2025-04-01"); !isConflict(err) {
			t.Fatalf("issue after a failing conclusion: %v", err)
		}
		// Revised: the answers change, the conclusion is withdrawn, then passes.
		m = answerAll(t, s, drafter, m, "")
		if m.Status != bizenv.MeasureDraft || m.Conclusion != "" {
			t.Fatalf("answers changed, still %s/%s", m.Status, m.Conclusion)
		}
		if _, err := s.Conclude(ctx, drafter, m.ID, bizenv.Conclusion{Result: bizenv.ConclusionPass, On: "2025-03-25"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Issue(ctx, drafter, m.ID, "宁政〔2025〕1号", "2025-03-24"); err == nil {
			t.Fatal("issued before the conclusion")
		}
		m, err = s.Issue(ctx, drafter, m.ID, "宁政〔2025〕1号", "2025-04-01")
		if err != nil || m.Status != bizenv.MeasureIssued {
			t.Fatalf("issue: %v %s", err, m.Status)
		}
		if _, err := s.AddOpinion(ctx, drafter, m.ID, bizenv.Opinion{Kind: "expert", Source: "x", Content: "y", ReceivedOn: "2025-04-02"}); !isConflict(err) {
			t.Fatalf("changed after issue: %v", err)
		}
		// Exception path on another measure, 2021 rules for an older draft.
		old, err := s.CreateMeasure(ctx, drafter, bizenv.NewMeasure{DeptID: d["630100"], Title: "生态保护补偿办法", DocKind: "其他政策性文件", DraftedOn: "2023-05-01"})
		if err != nil || old.Checklist != "2021" {
			t.Fatalf("2023 draft: %v %s", err, old.Checklist)
		}
		old = answerAll(t, s, drafter, old, "C1")
		if _, err := s.AddOpinion(ctx, drafter, old.ID, bizenv.Opinion{Kind: "public", Source: "社会公众", Content: "同意", ReceivedOn: "2023-05-10"}); err != nil {
			t.Fatal(err)
		}
		old, err = s.Conclude(ctx, drafter, old.ID, bizenv.Conclusion{Result: bizenv.ConclusionException, Note: "保护生态环境所必需", Ground: "E3", Alternative: "无其他可行方式", Limit: "实施至 2025-12-31", On: "2023-06-01"})
		if err != nil || old.Conclusion != bizenv.ConclusionException {
			t.Fatalf("exception: %v", err)
		}
		if auditCount(t, db, "fair_measure") != 11 { // every change, in its transaction
			t.Errorf("audit entries: %d", auditCount(t, db, "fair_measure"))
		}
	})
}

// TestReviewScope: a county account sees and drafts only inside its
// department; 海西's measure does not exist for 西宁.
func TestReviewScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		haixi := user(d["632800"], auth.ScopeSubtree, auth.RoleApprover)
		xining := user(d["630100"], auth.ScopeSubtree, auth.RoleApprover)
		m, err := s.CreateMeasure(ctx, haixi, bizenv.NewMeasure{DeptID: d["632800"], Title: "海西州招商引资优惠办法", DocKind: "规范性文件", DraftedOn: "2025-01-02"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Measure(ctx, xining, m.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("西宁 reads 海西's measure: %v", err)
		}
		if _, err := s.AddOpinion(ctx, xining, m.ID, bizenv.Opinion{Kind: "expert", Source: "x", Content: "y", ReceivedOn: "2025-01-03"}); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("西宁 changes 海西's measure: %v", err)
		}
		if _, err := s.CreateMeasure(ctx, xining, bizenv.NewMeasure{DeptID: d["632800"], Title: "x", DocKind: "规章", DraftedOn: "2025-01-02"}); err == nil {
			t.Fatal("西宁 drafts for 海西")
		}
		l, err := s.Measures(ctx, xining, "")
		if err != nil || len(l) != 0 {
			t.Fatalf("西宁 lists %d (%v)", len(l), err)
		}
		if _, err := s.Measures(ctx, user(d["630100"], auth.ScopeSubtree, auth.RoleInspector), ""); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("inspector lists measures: %v", err)
		}
	})
}

func TestOversightHandlingTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		p := user(d["qh-samr"], auth.ScopeOwn, auth.RoleSupervisor)
		c, err := s.CreateOversight(ctx, p, bizenv.Oversight{DeptID: d["qh-samr"], Kind: "complaint", MeasureTitle: "某县限定本地砂石企业供货的通知", Source: "某建材公司", Content: "限定供货", ReceivedOn: "2025-04-01"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Days != 90 || !c.Overdue {
			t.Fatalf("open complaint: %d days, overdue %v", c.Days, c.Overdue)
		}
		if _, err := s.CloseOversight(ctx, p, c.ID, "rectify", "已督促起草单位废止", "2025-03-01"); err == nil {
			t.Fatal("closed before received")
		}
		c, err = s.CloseOversight(ctx, p, c.ID, "rectify", "已督促起草单位废止", "2025-04-21")
		if err != nil || c.Days != 20 || c.Overdue {
			t.Fatalf("closed: %v %d %v", err, c.Days, c.Overdue)
		}
		if _, err := s.CloseOversight(ctx, p, c.ID, "rectify", "x", ""); !isConflict(err) {
			t.Fatalf("closed twice: %v", err)
		}
		if _, err := s.CreateOversight(ctx, p, bizenv.Oversight{DeptID: d["qh-samr"], Kind: "spotcheck", MeasureTitle: "x", Source: "省市场监管局", Content: "y", ReceivedOn: "2025-05-01", MeasureID: 999}); err == nil {
			t.Fatal("unknown measure linked")
		}
	})
}

func importFile(t *testing.T, imp func(context.Context, auth.Principal, kit.Source, kit.ImportOptions) (kit.ImportReport, error), p auth.Principal, path string) (kit.ImportReport, error) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return imp(ctx, p, kit.BytesSource(path, b), kit.ImportOptions{})
}

// TestBusinessStarts imports the sample file twice (the second time
// changes nothing), refuses the bad file with row and column and writes
// nothing, and monitors the commitments: overdue list, median and p90 by
// prefecture and month, region scope.
func TestBusinessStarts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		rep, err := importFile(t, s.ImportStarts, admin, "testdata/starts_sample.csv")
		if err != nil || rep.Created != 3 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		if rep, err = importFile(t, s.ImportStarts, admin, "testdata/starts_sample.csv"); err != nil || rep.Unchanged != 3 || rep.Created+rep.Updated != 0 {
			t.Fatalf("again: %+v %v", rep, err)
		}
		_, err = importFile(t, s.ImportStarts, admin, "testdata/starts_bad.csv")
		var fe kit.Errors
		if !errors.As(err, &fe) {
			t.Fatalf("bad file: %v", err)
		}
		want := map[string]bool{"2/行政区划代码": false, "3/办结时间": false, "3/统一社会信用代码": false, "4/提交时间": false, "4/设立登记": false, "5/企业类型": false, "7/业务编号": false}
		for _, e := range fe {
			k := strconv.Itoa(e.Row) + "/" + e.Column
			if _, ok := want[k]; ok {
				want[k] = true
			}
		}
		for k, seen := range want {
			if !seen {
				t.Errorf("no error at row/column %s in %v", k, fe)
			}
		}
		all, err := s.Starts(ctx, admin, bizenv.StartFilter{})
		if err != nil || len(all) != 3 {
			t.Fatalf("starts: %d %v", len(all), err)
		}
		over, err := s.Starts(ctx, admin, bizenv.StartFilter{Overdue: true})
		if err != nil || len(over) != 1 || over[0].AppNo != "QH-2025-0002" || strings.Join(over[0].Overdue, "、") != "全流程、设立登记、公章刻制、发票申领、银行开户" {
			t.Fatalf("overdue: %+v %v", over, err)
		}
		stats, err := s.Stats(ctx, admin, bizenv.StartFilter{From: "2025-03", To: "2025-03"})
		if err != nil || len(stats) != 3 {
			t.Fatalf("stats: %+v %v", stats, err)
		}
		for _, st := range stats {
			if st.Prefecture == "632800" && (st.Median != 48 || st.P90 != 48 || st.Within != 0) {
				t.Errorf("海西 %+v", st)
			}
			if st.Prefecture == "630100" && (st.Median != 7.5 || st.Share() != 100) {
				t.Errorf("西宁 %+v", st)
			}
		}
		// 海西's inspector sees 格尔木 only; the provincial bureau all.
		hx, err := s.Starts(ctx, user(d["632800"], auth.ScopeSubtree, auth.RoleInspector), bizenv.StartFilter{})
		if err != nil || len(hx) != 1 || hx[0].Region != "632801" {
			t.Fatalf("海西 sees %+v %v", hx, err)
		}
		if pv, _ := s.Starts(ctx, user(d["qh-samr"], auth.ScopeOwn, auth.RoleInspector), bizenv.StartFilter{}); len(pv) != 3 {
			t.Fatalf("province sees %d", len(pv))
		}
		if _, err := importFile(t, s.ImportStarts, user(d["qh-samr"], auth.ScopeOwn, auth.RoleInspector), "testdata/starts_sample.csv"); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("inspector imports: %v", err)
		}
		// The commitment is data: raising the total limit puts 0002 within it.
		if _, err := s.SetLimit(ctx, admin, "total", "48", "测试"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetLimit(ctx, admin, "total", "-1", "测试"); err == nil {
			t.Fatal("negative limit accepted")
		}
		if over, _ := s.Starts(ctx, admin, bizenv.StartFilter{Overdue: true}); len(over) != 1 || strings.Join(over[0].Overdue, "、") != "设立登记、公章刻制、发票申领、银行开户" {
			t.Fatalf("after the change: %+v", over)
		}
	})
}

// TestFeeListsAndCheck imports the real list extracts, shows them as the
// public lists, and checks charges named in complaints against them.
func TestFeeListsAndCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		rep, err := importFile(t, s.ImportFees, admin, "testdata/fees_real.csv")
		if err != nil || rep.Created != 18 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		n, err := s.ListCounts(ctx)
		if err != nil || n[bizenv.ListAdmin] != 7 || n[bizenv.ListFund] != 7 || n[bizenv.ListDeposit] != 4 || n[bizenv.ListService] != 0 {
			t.Fatalf("counts %v %v", n, err)
		}
		if l, _ := s.Fees(ctx, bizenv.ListFund, "财综[2012]17号", ""); len(l) != 1 || l[0].Name != "民航发展基金" {
			t.Fatalf("search by basis: %+v", l)
		}
		if l, _ := s.Fees(ctx, bizenv.ListFund, "", "2019-06-30"); len(l) != 0 {
			t.Fatalf("funds before they were listed: %d", len(l))
		}
		p := user(d["630100"], auth.ScopeSubtree, auth.RoleInspector)
		off, err := s.CreateFeeCase(ctx, p, bizenv.FeeCase{DeptID: d["630100"], Kind: "complaint", RefNo: "宁收费投〔2025〕1号", Party: "某行业协会", Charge: "会员资料审核费", Amount: "2,000", Field: "行业协会商会", ReceivedOn: "2025-05-06"})
		if err != nil || !off.OffList || off.AmountFen != 200000 {
			t.Fatalf("off-list charge: %+v %v", off, err)
		}
		on, err := s.CreateFeeCase(ctx, p, bizenv.FeeCase{DeptID: d["630100"], Kind: "complaint", RefNo: "宁收费投〔2025〕2号", Party: "某招标代理公司", Charge: "投标保证金", Amount: "50000", Field: "中介机构", ReceivedOn: "2025-05-07"})
		if err != nil || on.OffList || !strings.Contains(on.FeeItem, "投标保证金") {
			t.Fatalf("listed charge: %+v %v", on, err)
		}
		if _, err := s.CreateFeeCase(ctx, p, bizenv.FeeCase{DeptID: d["632800"], Kind: "case", RefNo: "x", Party: "p", Charge: "c", Amount: "1", Field: "银行", ReceivedOn: "2025-05-07"}); err == nil {
			t.Fatal("case in 海西 by 西宁")
		}
		if _, err := s.CreateFeeCase(ctx, p, bizenv.FeeCase{DeptID: d["630100"], Kind: "case", RefNo: "宁收费投〔2025〕1号", Party: "p", Charge: "c", Amount: "1", Field: "银行", ReceivedOn: "2025-05-07"}); !isConflict(err) {
			t.Fatalf("duplicate ref: %v", err)
		}
		l, err := s.FeeCases(ctx, p, true)
		if err != nil || len(l) != 1 || l[0].ID != off.ID {
			t.Fatalf("off-list cases: %+v %v", l, err)
		}
		if c, err := s.CloseFeeCase(ctx, p, off.ID, "责令退还", "2000", "2025-05-20"); err != nil || c.RefundFen != 200000 {
			t.Fatalf("close: %+v %v", c, err)
		}
		if l, _ := s.FeeCases(ctx, user(d["632800"], auth.ScopeSubtree, auth.RoleInspector), false); len(l) != 0 {
			t.Fatalf("海西 sees 西宁's cases: %d", len(l))
		}
	})
}

func TestAdsCountsByPrefecture(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		p := user(d["qh-samr"], auth.ScopeOwn, auth.RoleInspector)
		c, err := s.CreateCampaign(ctx, p, bizenv.Campaign{DeptID: d["qh-samr"], Title: "大美青海 生态之美", Theme: "生态保护", StartOn: "2025-04-01", EndOn: "2025-09-30"})
		if err != nil {
			t.Fatal(err)
		}
		for _, pl := range []bizenv.Placement{
			{Medium: "电视", Outlet: "青海卫视", Region: "630000", StartOn: "2025-04-01", EndOn: "2025-04-30", Quantity: 60},
			{Medium: "户外", Outlet: "西宁火车站广场大屏", Region: "630104", StartOn: "2025-05-01", EndOn: "2025-06-30", Quantity: 1},
			{Medium: "户外", Outlet: "格尔木市区公交站牌", Region: "632801", StartOn: "2025-05-01", EndOn: "2025-06-30", Quantity: 20},
		} {
			if c, err = s.AddPlacement(ctx, p, c.ID, pl); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.AddPlacement(ctx, p, c.ID, bizenv.Placement{Medium: "网络", Outlet: "x", Region: "630104", StartOn: "2025-10-01", EndOn: "2025-10-02", Quantity: 1}); err == nil {
			t.Fatal("placement outside the campaign")
		}
		counts, err := s.AdCounts(ctx, p, "2025")
		if err != nil || len(counts) != 9 {
			t.Fatalf("counts %+v %v", counts, err)
		}
		got := map[string]bizenv.AdCount{}
		for _, a := range counts {
			got[a.Prefecture] = a
		}
		if got["630100"].Placements != 1 || got["632800"].Quantity != 20 || got[""].Quantity != 60 || got["632200"].Campaigns != 0 {
			t.Fatalf("counts %+v", got)
		}
		if _, err := s.Campaign(ctx, user(d["632800"], auth.ScopeSubtree, auth.RoleInspector), c.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("海西 reads the province's campaign: %v", err)
		}
	})
}

// TestMetricsAsOf computes every figure from the records as of two dates.
func TestMetricsAsOf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		if _, err := bizenv.SeedDemo(ctx, s, admin); err != nil {
			t.Fatal(err)
		}
		if n, err := bizenv.SeedDemo(ctx, s, admin); err != nil || n != 0 {
			t.Fatalf("demo twice added %d (%v)", n, err)
		}
		_ = d
		r := indicator.NewRegistry()
		if err := bizenv.RegisterMetrics(r); err != nil {
			t.Fatal(err)
		}
		since := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, k := range bizenv.MetricKeys {
			{
				m, ok := r.Get(k)
				if !ok {
					t.Fatalf("metric %s not registered", k)
				}
				early, err := m.Compute(ctx, db.Reader(), since, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC))
				if err != nil && !errors.Is(err, indicator.ErrNoValue) {
					t.Fatal(err)
				}
				now, err := m.Compute(ctx, db.Reader(), since, time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC))
				if err != nil {
					t.Fatalf("%s: %v", k, err)
				}
				if now <= 0 || (k != bizenv.MetricWithin && early > now) {
					t.Errorf("%s: %v then %v", k, early, now)
				}
			}
		}
	})
}
