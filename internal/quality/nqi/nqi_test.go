package nqi_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/enterprise"
	"sidi/internal/indicator"
	"sidi/internal/kit"
	"sidi/internal/quality/nqi"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var (
	ctx   = context.Background()
	admin = auth.CLI("test")
)

func setup(t *testing.T, db *store.DB) *nqi.Service {
	t.Helper()
	s := nqi.NewService(db, enterprise.NewService(db))
	s.SetClock(func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC) })
	if n, err := s.EnsureCatalogue(ctx); err != nil || n < 20 {
		t.Fatalf("catalogue: %d, %v", n, err)
	}
	return s
}

func src(name, body string) kit.Source { return kit.BytesSource(name, []byte(body)) }

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

const certHeader = "证书编号,认证类型,认证项目,认证机构,获证组织,统一社会信用代码,行政区划代码,认证范围,等级,有效期起,有效期至,证书状态,状态变更日期\n"

// TestCertRefusedWithRowAndColumn: a valid-to before the valid-from is
// refused with row, column and reason, and nothing of the file is written.
func TestCertRefusedWithRowAndColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		file := certHeader +
			"1234OP2400001,有机产品认证,有机产品认证（生产）,某认证中心,某牧场,,632800,牦牛肉,,2024-01-01,2024-12-31,有效,\n" +
			"1234OP2400002,有机产品认证,有机产品认证（生产）,某认证中心,另一牧场,,632800,牦牛肉,,2024-05-01,2024-04-30,有效,\n" +
			"OP-BAD,有机产品认证,有机产品认证（加工）,某认证中心,第三家,,630100,枸杞,,2024-01-01,2024-06-30,有效,\n" +
			"LJC-1,绿色建材产品认证,绿色建材,某认证中心,建材公司,,630100,混凝土,五星级,2024-01-01,2028-12-31,有效,\n"
		rep, err := s.ImportCerts(ctx, admin, src("c.csv", file), kit.ImportOptions{})
		if err == nil {
			t.Fatal("an invalid file was accepted")
		}
		want := map[string]string{"3|有效期至": "早于有效期起", "4|证书编号": "编号规则", "5|等级": "一星级"}
		for _, e := range rep.Errors {
			key := strings.Join([]string{itoa(e.Row), e.Column}, "|")
			if w, ok := want[key]; ok && strings.Contains(e.Msg, w) {
				delete(want, key)
			}
		}
		if len(want) > 0 {
			t.Errorf("missing errors %v in %+v", want, rep.Errors)
		}
		if n := count(t, db, "certificates"); n != 0 {
			t.Errorf("%d certificates written from a refused file", n)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

func code(first17 string) string { return first17 + string(creditcode.Check(first17)) }

// TestGrowthMetrics: organisations are counted while valid (distinct
// holders), the organic growth against the recorded baseline, the
// voluntary growth year on year.
func TestGrowthMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		file := certHeader +
			// 2020: two organic holders (one with two certificates), one other.
			"1234OP2000001,有机产品认证,有机产品认证（生产）,甲中心,牧场A,,632800,牦牛肉,,2020-01-01,2020-12-31,有效,\n" +
			"1234OP2000002,有机产品认证,有机产品认证（加工）,甲中心,牧场A,,632800,牦牛肉干,,2020-03-01,2021-02-28,有效,\n" +
			"1234OP2000003,有机产品认证,有机产品认证（生产）,甲中心,牧场B,,630100,青稞,,2020-01-01,2020-12-31,有效,\n" +
			"Q-2020-1,管理体系认证,质量管理体系认证,乙中心,工厂C,,630200,生产,,2020-01-01,2022-12-31,有效,\n" +
			// 2025: three organic holders, one suspended before the date.
			"1234OP2500001,有机产品认证,有机产品认证（生产）,甲中心,牧场A,,632800,牦牛肉,,2025-01-01,2025-12-31,有效,\n" +
			"1234OP2500002,有机产品认证,有机产品认证（生产）,甲中心,牧场B,,630100,青稞,,2025-01-01,2025-12-31,有效,\n" +
			"1234OP2500003,有机产品认证,有机产品认证（生产）,甲中心,牧场D,,632200,枸杞,,2025-01-01,2025-12-31,有效,\n" +
			"1234OP2500004,有机产品认证,有机产品认证（生产）,甲中心,牧场E,,632200,枸杞,,2025-01-01,2025-12-31,暂停,2025-03-01\n" +
			"F12OP2500001,有机产品认证,有机产品认证（生产）,外资中心,外省牧场,,110105,牛奶,,2025-01-01,2025-12-31,有效,\n" +
			"Q-2024-1,管理体系认证,质量管理体系认证,乙中心,工厂C,,630200,生产,,2024-01-01,2026-12-31,有效,\n" +
			"LJC-2025-1,绿色建材产品认证,绿色建材产品分级认证,丙中心,建材F,,630100,混凝土,二星级,2025-01-01,2029-12-31,有效,\n"
		if _, err := s.ImportCerts(ctx, admin, src("c.csv", file), kit.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		// The same file again changes nothing.
		rep, err := s.ImportCerts(ctx, admin, src("c.csv", file), kit.ImportOptions{})
		if err != nil || rep.Created+rep.Updated != 0 || rep.Unchanged != 11 {
			t.Fatalf("re-import: %+v %v", rep, err)
		}
		roundTrip(t, s)
		r := indicator.NewRegistry()
		if err := nqi.RegisterMetrics(r); err != nil {
			t.Fatal(err)
		}
		at := func(key, day string) (float64, error) {
			m, _ := r.Get(key)
			d, _ := time.Parse(time.DateOnly, day)
			return m.Compute(ctx, db.Reader(), time.Time{}, d.Add(4*time.Hour))
		}
		for _, c := range []struct {
			key, day string
			want     float64
		}{
			{nqi.MetricOrganicHolders, "2020-12-31", 2},
			{nqi.MetricOrganicHolders, "2021-01-15", 1}, // A's second certificate
			{nqi.MetricOrganicHolders, "2025-06-30", 3}, // E suspended, the Beijing farm not in Qinghai
			{nqi.MetricOrganicGrowth, "2025-06-30", 50},
			{nqi.MetricVoluntaryHolders, "2025-06-30", 5},
			{nqi.MetricVoluntaryHolders, "2024-06-30", 1},
			{nqi.MetricVoluntaryGrowth, "2025-06-30", 400},
			{nqi.MetricGreenBuilding, "2025-06-30", 1},
		} {
			got, err := at(c.key, c.day)
			if err != nil || got != c.want {
				t.Errorf("%s at %s = %v, %v; want %v", c.key, c.day, got, err, c.want)
			}
		}
		if _, err := at(nqi.MetricVoluntaryGrowth, "2024-06-30"); !errors.Is(err, indicator.ErrNoValue) {
			t.Errorf("growth over nothing: %v", err)
		}
		// A recorded baseline (with its source) replaces the register's count.
		if _, err := s.SetBaseline(ctx, admin, nqi.BaselineInput{Measure: nqi.MeasureOrganic, Year: "2020", Value: "2"}); err == nil {
			t.Error("a baseline without a source was accepted")
		}
		b, err := s.SetBaseline(ctx, admin, nqi.BaselineInput{Measure: nqi.MeasureOrganic, Year: "2020", Value: "4", Source: "认证认可统计 2020"})
		if err != nil || *b.Value != 4 {
			t.Fatal(b, err)
		}
		if got, _ := at(nqi.MetricOrganicGrowth, "2025-06-30"); got != -25 {
			t.Errorf("growth against the recorded 4 = %v, want -25", got)
		}
		var n int
		if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE entity = 'cert_baseline'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("baseline audit entries %d, %v", n, err)
		}
		st, err := s.Stats(ctx)
		if err != nil || len(st.Years) != 6 || st.Years[0].Organic != 2 || st.Prefectures[0].Name == "" {
			t.Errorf("stats %+v %v", st, err)
		}
	})
}

const instHeader = "使用单位,统一社会信用代码,行政区划代码,目录代码,出厂编号,用途,最近检定日期,下次检定日期,状态\n"

// TestInstrumentsDueAndOverdue: the next due date follows from the type's
// interval; an unknown type and a next date past the interval are refused;
// overdue instruments reach the to-do list by prefecture.
func TestInstrumentsDueAndOverdue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		haixi := code("91632801MA7536X38")
		bad := instHeader + "加油站," + haixi + ",,9999,A1,贸易结算,2025-01-01,,在用\n" +
			"加油站," + haixi + ",,0601,A2,贸易结算,2025-01-01,2026-06-01,在用\n"
		rep, err := s.ImportInstruments(ctx, admin, src("i.csv", bad), kit.ImportOptions{})
		if err == nil || len(rep.Errors) != 2 || rep.Errors[0].Column != "目录代码" || rep.Errors[1].Column != "下次检定日期" {
			t.Fatalf("bad instruments: %+v %v", rep.Errors, err)
		}
		good := instHeader + "加油站," + haixi + ",,0601,A1,贸易结算,2024-05-31,,在用\n" + // due 2025-05-31: overdue
			"加油站," + haixi + ",,0601,A2,贸易结算,2024-07-15,,在用\n" + // due 2025-07-15: soon
			"自来水公司," + haixi + ",,0301,W1,贸易结算,2020-01-01,,在用\n" // first only: never due
		if _, err := s.ImportInstruments(ctx, admin, src("i.csv", good), kit.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		l, err := s.Instruments(ctx, admin, nqi.InstrumentFilter{Due: nqi.DueOverdue})
		if err != nil || l.Total != 1 || l.Instruments[0].NextDue != "2025-05-31" || !l.Instruments[0].Overdue {
			t.Fatalf("overdue: %+v %v", l, err)
		}
		due, err := s.DueList(ctx, admin)
		if err != nil || len(due) != 2 || due[0].Urgency != "overdue" || !strings.Contains(due[0].Message, "海西") {
			t.Errorf("due list %+v %v", due, err)
		}
		if d, _ := s.DueList(ctx, auth.Principal{UserID: 3, Roles: []auth.Role{auth.RoleReporter}}); len(d) != 0 {
			t.Error("a reporter sees the metrology to-do")
		}
		counts, err := s.PrefectureCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		total := counts[len(counts)-1]
		if total.InUse != 3 || total.Overdue != 1 || total.Soon != 1 {
			t.Errorf("totals %+v", total)
		}
		if _, err := s.Instruments(ctx, auth.Principal{UserID: 3, Roles: []auth.Role{auth.RoleReporter}}, nqi.InstrumentFilter{}); err == nil {
			t.Error("a reporter reads the instrument register")
		}
	})
}

// TestDemoSeedsOnce: the demo adds its records once and reaches the
// growth targets' neighbourhood.
func TestDemoSeedsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		n, err := nqi.SeedDemo(ctx, s, admin)
		if err != nil || n == 0 {
			t.Fatal(n, err)
		}
		roundTrip(t, s)
		if n2, err := nqi.SeedDemo(ctx, s, admin); err != nil || n2 != 0 {
			t.Errorf("second demo run added %d, %v", n2, err)
		}
		g, err := nqi.OrganicGrowth(ctx, db.Reader(), "2025-06-30")
		if err != nil || g != 20 {
			t.Errorf("demo organic growth %v %v", g, err)
		}
	})
}

// roundTrip exports every kind and imports the file again: nothing changes.
func roundTrip(t *testing.T, s *nqi.Service) {
	t.Helper()
	for _, k := range nqi.ImportKinds(s) {
		var buf bytes.Buffer
		tf, _ := kit.NewTableFile("csv", &buf)
		if err := k.Export(ctx, admin, tf); err != nil {
			t.Fatalf("%s export: %v", k.Name, err)
		}
		tf.Close()
		if strings.Count(buf.String(), "\n") < 2 {
			continue // nothing of that kind in this test
		}
		rep, err := k.Import(ctx, admin, src(k.Name+".csv", buf.String()), kit.ImportOptions{})
		if err != nil || rep.Created+rep.Updated != 0 {
			t.Errorf("%s round trip: %+v %v", k.Name, rep, err)
		}
	}
}
