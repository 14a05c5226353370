package sampling_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/indicator"
	"sidi/internal/kit"
	"sidi/internal/kit/kittest"
	"sidi/internal/org"
	"sidi/internal/quality/sampling"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var (
	ctx   = context.Background()
	admin = auth.CLI("test")
)

const today = "2025-06-30"

func setup(t testing.TB, db *store.DB) (*sampling.Service, map[string]int64) {
	t.Helper()
	if _, err := org.NewService(db).EnsureDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, code := range []string{"630100", "632800"} {
		var id int64
		if err := db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(&id); err != nil {
			t.Fatalf("department %s: %v", code, err)
		}
		ids[code] = id
	}
	s := sampling.NewService(db, enterprise.NewService(db))
	s.SetClock(func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC) })
	return s, ids
}

func inspector(dept int64) auth.Principal {
	return auth.Principal{UserID: 7, Login: "insp", DeptID: dept, Roles: []auth.Role{auth.RoleInspector}, Scope: auth.ScopeSubtree}
}

// TestBulletins checks the failure rate against published bulletins: the
// rate counts tested batches only (testdata/README.md names the sources).
func TestBulletins(t *testing.T) {
	// DOMAIN §5: the 2020 national bulletin, 4 of 4,796 batches referred.
	s := sampling.Summarize(sampling.Tally{sampling.Qualified: 4329, sampling.Failed: 463, sampling.Unlicensed: 4})
	if s.Batches != 4796 || s.Tested != 4792 || s.Failed != 463 || s.NotTested != 4 || s.RateText != "9.7%" {
		t.Errorf("2020 national bulletin: %+v", s)
	}
	// Counting the referred batches would have given 9.65 %, still 9.7 %
	// rounded: check the unrounded rate too.
	if s.Rate < 9.661 || s.Rate > 9.662 {
		t.Errorf("rate %.4f, want 463/4792 = 9.6619 %%", s.Rate)
	}
	f, err := os.Open("testdata/bulletins.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		n := func(i int) int { v, _ := strconv.Atoi(r[i]); return v }
		batches, tested, failed := n(1), n(2), n(3)
		got := sampling.Summarize(sampling.Tally{sampling.Qualified: tested - failed, sampling.Failed: failed, sampling.NoSample: batches - tested})
		if got.Batches != batches || got.RateText != r[4] {
			t.Errorf("%s: %d batches, rate %s; the bulletin says %d and %s", r[0], got.Batches, got.RateText, batches, r[4])
		}
	}
	if got := sampling.Summarize(sampling.Tally{sampling.Unlicensed: 3}); got.RateText != "—" || got.Tested != 0 {
		t.Errorf("no tested batch: %+v", got)
	}
	// Re-tests: pending and upheld stay failed, overturned is qualified.
	got := sampling.Summarize(sampling.Tally{sampling.Retesting: 1, sampling.Upheld: 1, sampling.Overturned: 2, sampling.Refused: 5})
	if got.Tested != 4 || got.Failed != 2 || got.RateText != "50.0%" {
		t.Errorf("re-tests: %+v", got)
	}
}

const header = "抽样单编号,抽查年度,抽查级别,任务编号,产品名称,重点产品,受检单位名称,统一社会信用代码,抽样单位,抽样日期,检验机构,检验报告编号,检验结论,结果通知日期,不合格项目,复检申请日期,逾期复检理由,公告日期\n"

const good = "QH-2025-0001,2025,省,,氯化钾,盐湖化工,青海某钾肥有限公司,91630100MA752XUH3X,青海省产品质量监督检验检测院,2025-03-02,青海省产品质量监督检验检测院,BG-1,合格,2025-03-20,,,,\n"

func TestImportRefusesBadRowsWithRowAndColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := setup(t, db)
		file := header + good +
			"QH-2025-0002,2025,省,,光伏组件,光伏,某光伏公司,91630100MA752XUH3X,省质检院,2025-03-02,省质检院,BG-2,基本合格,2025-03-20,,,,\n" +
			"QH-2025-0003,2025,省,,水泥,,某水泥公司,91630100MA752XUH3Y,省质检院,2025-02-30,省质检院,BG-3,合格,2025-03-20,,,,\n" +
			"QH-2025-0004,2025,省,,水泥,,某水泥公司,91630100MA752XUH3X,省质检院,2025-03-01,省质检院,BG-4,复检维持,2025-03-10,强度,2025-04-01,,\n" +
			"QH-2025-0001,2025,省,,水泥,,某水泥公司,91630100MA752XUH3X,省质检院,2025-03-01,省质检院,BG-5,合格,2025-03-10,,,,\n"
		_, err := s.Import(ctx, admin, kit.BytesSource("bad.csv", []byte(file)), kit.ImportOptions{})
		if !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("bad file accepted: %v", err)
		}
		var ref *kit.ImportRefused
		if !errors.As(err, &ref) {
			t.Fatalf("not a refusal: %T %v", err, err)
		}
		want := map[string]string{"3 检验结论": "不在规定范围内", "4 统一社会信用代码": "无效", "4 抽样日期": "不是有效日期", "5 复检申请日期": "超过结果通知日期 2025-03-10 后 15 日", "6 抽样单编号": "与第 2 行重复"}
		for _, e := range ref.Report.Errors {
			k := strconv.Itoa(e.Row) + " " + e.Column
			if w, ok := want[k]; ok && strings.Contains(e.Msg, w) {
				delete(want, k)
			}
		}
		for k, w := range want {
			t.Errorf("row/column %s: no failure containing %q in %v", k, w, ref.Report.Errors)
		}
		var n int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM sampling_batches`).Scan(&n)
		if n != 0 {
			t.Errorf("%d batches written from a refused file", n)
		}
		// The late re-test with a reason is accepted; the valid rows import.
		fixed := header + good + "QH-2025-0004,2025,省,,水泥,,某水泥公司,91630100MA752XUH3X,省质检院,2025-03-01,省质检院,BG-4,复检维持,2025-03-10,强度,2025-04-01,企业因疫情封控未能按期申请（有证明）,\n"
		rep, err := s.Import(ctx, admin, kit.BytesSource("ok.csv", []byte(fixed)), kit.ImportOptions{})
		if err != nil || rep.Created != 2 {
			t.Fatalf("fixed file: %+v %v", rep, err)
		}
		rep, err = s.Import(ctx, admin, kit.BytesSource("ok.csv", []byte(fixed)), kit.ImportOptions{})
		if err != nil || rep.Unchanged != 2 || rep.Created+rep.Updated != 0 {
			t.Errorf("same file again: %+v %v", rep, err)
		}
		var ent int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM sampling_batches WHERE enterprise_id IS NOT NULL`).Scan(&ent)
		if ent != 2 {
			t.Errorf("%d batches linked to the enterprise directory, want 2", ent)
		}
		// Export → import changes nothing.
		var buf bytes.Buffer
		tf, _ := kit.NewTableFile("csv", &buf)
		if err := s.Export(ctx, admin, tf); err != nil {
			t.Fatal(err)
		}
		tf.Close()
		rep, err = s.Import(ctx, admin, kit.BytesSource("export.csv", buf.Bytes()), kit.ImportOptions{})
		if err != nil || rep.Unchanged != 2 {
			t.Errorf("export re-imported: %+v %v", rep, err)
		}
	})
}

func TestMetricCountsAsOfAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		pl, err := s.CreatePlan(ctx, admin, sampling.PlanInput{PlanNo: "QH-2025", Year: "2025", Level: "省", Title: "2025年省级监督抽查", Products: "盐湖化工产品、光伏清洁能源产品、氯化钾"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreatePlan(ctx, admin, sampling.PlanInput{PlanNo: "QH-2025b", Year: "2025", Level: "省", Title: "x", Products: "水泥"}); err == nil {
			t.Error("a provincial plan without the key products was accepted")
		}
		if _, err := s.CreateTask(ctx, admin, pl.ID, sampling.TaskInput{TaskNo: "HX-1", Product: "氯化钾", DeptID: d["632800"], Planned: "50", DueOn: "2025-12-31"}); err != nil {
			t.Fatal(err)
		}
		g := &sampling.Gen{Seed: 5, Today: today, FromYear: 2023, Prefix: "T-", Enterprises: 40, TaskNo: func(i int) string {
			if i%3 == 0 {
				return "HX-1"
			}
			return ""
		}}
		var buf bytes.Buffer
		if err := g.WriteCSV(&buf, 600); err != nil {
			t.Fatal(err)
		}
		rep, err := s.Import(ctx, admin, kit.BytesSource("gen.csv", buf.Bytes()), kit.ImportOptions{Batch: 100})
		if err != nil || rep.Created != 600 || rep.Batches != 6 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		r := indicator.NewRegistry()
		if err := sampling.RegisterMetrics(r); err != nil {
			t.Fatal(err)
		}
		m, _ := r.Get(sampling.MetricBatches)
		for _, day := range []string{"2023-01-01", "2024-03-15", "2025-06-30"} {
			at, _ := time.Parse(time.DateOnly, day)
			got, err := m.Compute(ctx, db.Reader(), at, at.Add(12*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			scan := countDone(t, db, day)
			if int(got) != scan {
				t.Errorf("as of %s: metric %v, scan %d", day, got, scan)
			}
		}
		// The 海西 inspector sees the task's batches only; 西宁 none.
		l, err := s.Search(ctx, sampling.Filter{P: inspector(d["632800"])})
		if err != nil || l.Total != 200 {
			t.Errorf("海西 sees %d batches (%v), want 200", l.Total, err)
		}
		l, err = s.Search(ctx, sampling.Filter{P: inspector(d["630100"])})
		if err != nil || l.Total != 0 {
			t.Errorf("西宁 sees %d batches (%v), want 0", l.Total, err)
		}
		all, err := s.Search(ctx, sampling.Filter{P: admin, Outcome: "failed_all"})
		if err != nil || all.Total == 0 || all.Summary.Failed != all.Total {
			t.Errorf("failed filter: %+v %v", all.Summary, err)
		}
		if _, err := s.Search(ctx, sampling.Filter{P: auth.Principal{}}); !errors.Is(err, apperr.ErrForbidden) && !errors.Is(err, apperr.ErrUnauthenticated) {
			t.Errorf("the public lists batches: %v", err)
		}
	})
}

// countDone counts the batches completed by day from their outcome and
// dates, independently of the stored done_on.
func countDone(t *testing.T, db *store.DB, day string) int {
	t.Helper()
	n := 0
	err := store.EachRow(ctx, db.Reader(), `SELECT outcome, sampled_on, result_on FROM sampling_batches`, nil, func(r *sql.Rows) error {
		var o, sampled, result string
		if err := r.Scan(&o, &sampled, &result); err != nil {
			return err
		}
		switch {
		case sampling.Tested(o) && result <= day:
			n++
		case (o == sampling.Unlicensed || o == sampling.Refused) && sampled <= day:
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRetestDisposalAndNotice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := setup(t, db)
		in := sampling.BatchInput{sampling.ColBatchNo: "QH-F-1", sampling.ColYear: "2025", sampling.ColLevel: "省", sampling.ColProduct: "光伏组件",
			sampling.ColKey: "光伏", sampling.ColEnterprise: "某光伏科技有限公司", sampling.ColCreditCode: "91630100MA752XUH3X", sampling.ColUnit: "省质检院",
			sampling.ColSampledOn: "2025-04-01", sampling.ColBody: "国家光伏产品质量检验检测中心（青海）", sampling.ColReportNo: "GF-1",
			sampling.ColOutcome: "不合格", sampling.ColResultOn: "2025-04-20", sampling.ColItems: "标称功率"}
		if _, err := s.SaveBatch(ctx, auth.Principal{UserID: 8, Login: "x", Roles: []auth.Role{auth.RoleInspector}}, 0, in); err == nil {
			t.Error("an inspector without a department recorded a province-wide batch")
		}
		hx, err := s.SaveBatch(ctx, inspector(d["632800"]), 0, sampling.BatchInput{sampling.ColBatchNo: "HX-F-1", sampling.ColYear: "2025", sampling.ColLevel: "市州",
			sampling.ColProduct: "氯化钾", sampling.ColEnterprise: "某钾肥公司", sampling.ColCreditCode: "91630100MA752XUH3X", sampling.ColUnit: "海西州局",
			sampling.ColSampledOn: "2025-04-01", sampling.ColOutcome: "未抽到样"})
		if err != nil || hx.DeptID != d["632800"] {
			t.Fatalf("海西 batch: %+v %v", hx, err)
		}
		if _, err := s.Batch(ctx, inspector(d["630100"]), hx.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("西宁 reads 海西's batch: %v", err)
		}
		b, err := s.SaveBatch(ctx, admin, 0, in)
		if err != nil {
			t.Fatal(err)
		}
		if b.RetestDue != "2025-05-05" || b.EnterpriseID == 0 || b.DoneOn != "2025-04-20" {
			t.Errorf("saved: %+v", b)
		}
		if _, err := s.SaveBatch(ctx, admin, 0, in); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("the same batch number twice: %v", err)
		}
		// A re-test after the window without a reason is refused.
		_, err = s.RecordRetest(ctx, admin, b.ID, sampling.RetestInput{On: "2025-05-06", Outcome: "复检中"})
		var es kit.Errors
		if !errors.As(err, &es) || !strings.Contains(es.Error(), "超过结果通知日期") {
			t.Errorf("late re-test: %v", err)
		}
		states := []sampling.Batch{b} // the batch after each write, as returned
		if b, err = s.RecordRetest(ctx, admin, b.ID, sampling.RetestInput{On: "2025-05-05", Outcome: "复检维持"}); err != nil || b.Outcome != sampling.Upheld {
			t.Fatalf("re-test in the window: %+v %v", b, err)
		}
		states = append(states, b)
		// The disposal ladder: in order, no skipping, no date going back.
		if _, err := s.Dispose(ctx, admin, b.ID, sampling.DisposalInput{Step: "公告", On: "2025-05-10", DocNo: "X-1"}); err == nil {
			t.Error("skipped 责令改正")
		}
		if _, err := s.Dispose(ctx, admin, b.ID, sampling.DisposalInput{Step: "责令改正", On: "2025-04-01", DocNo: "X-1"}); err == nil {
			t.Error("a disposal before the result was accepted")
		}
		for _, st := range []string{"责令改正", "公告", "责令停业整顿", "吊销营业执照"} {
			if b, err = s.Dispose(ctx, admin, b.ID, sampling.DisposalInput{Step: st, On: "2025-06-01", DocNo: "X-" + st}); err != nil {
				t.Fatalf("%s: %v", st, err)
			}
			states = append(states, b)
		}
		if len(b.Disposals) != 4 {
			t.Errorf("disposals: %+v", b.Disposals)
		}
		if _, err := s.Dispose(ctx, admin, b.ID, sampling.DisposalInput{Step: "吊销营业执照", On: "2025-06-02", DocNo: "X"}); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("a fifth step: %v", err)
		}
		// Public notice: only once, only for failed batches, then public.
		if n, _ := s.Notices(ctx, 0); len(n) != 0 {
			t.Errorf("notices before publishing: %+v", n)
		}
		if b, err = s.Publish(ctx, admin, b.ID, "2025-06-10"); err != nil {
			t.Fatal(err)
		}
		states = append(states, b)
		// A change of a batch outside the caller's scope: not found, nothing
		// written.
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM sampling_disposals`}, []kittest.Refusal{
			{Name: "out of scope", Kind: apperr.ErrOutOfScope, Msg: fmt.Sprintf("没有编号为 %d 的抽样批次", hx.ID), Write: func() error {
				_, err := s.Dispose(ctx, inspector(d["630100"]), hx.ID, sampling.DisposalInput{Step: "责令改正", On: "2025-06-01", DocNo: "X"})
				return err
			}},
		})
		// The entries: each change's before the batch as the previous write
		// returned it, its after the batch as this one returned it.
		actions := []string{"create", "retest", "dispose", "dispose", "dispose", "dispose", "publish"}
		entries := kittest.AuditEntries(t, db, "sampling_batch")[1:] // 海西's create first
		if len(entries) != len(actions) {
			t.Fatalf("entries %q", entries)
		}
		for i, action := range actions {
			var before any
			if i > 0 {
				before = states[i-1]
			}
			if want := kittest.Entry(t, strconv.FormatInt(b.ID, 10), action, before, states[i]); entries[i] != want {
				t.Errorf("entry %d: %s\nwant %s", i, entries[i], want)
			}
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
		if _, err := s.Publish(ctx, admin, b.ID, ""); !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("published twice: %v", err)
		}
		n, err := s.Notices(ctx, 2025)
		if err != nil || len(n) != 1 || n[0].FailedItems != "标称功率" || n[0].Outcome != "复检维持" {
			t.Errorf("notices: %+v %v", n, err)
		}
		var audits int
		db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'sampling_batch'`).Scan(&audits)
		if audits != 8 {
			t.Errorf("%d audit entries for the batch, want 8 (海西's create, create, retest, 4 disposals, publish)", audits)
		}
	})
}
