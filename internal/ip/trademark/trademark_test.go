package trademark_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/indicator"
	"sidi/internal/ip/trademark"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var (
	ctx   = context.Background()
	admin = auth.CLI("test")
)

const header = "注册号,商标名称,国际分类,注册人,统一社会信用代码,行政区划代码,申请日期,注册日期,专用权期限至,商标类型,马德里国际注册号,状态\n"

func newService(t *testing.T, db *store.DB) *trademark.Service {
	t.Helper()
	s := trademark.NewService(db, enterprise.NewService(db))
	s.SetClock(func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC) })
	return s
}

func importCSV(t *testing.T, s *trademark.Service, body string, opt kit.ImportOptions) (kit.ImportReport, error) {
	t.Helper()
	return s.Import(ctx, admin, kit.BytesSource("marks.csv", []byte(body)), opt)
}

const good = header +
	"12345678,昆仑雪,29;30,青海昆仑食品有限公司,91630100MA752XUH3X,630102,2014-01-02,2015-03-14,2025-03-13,普通,,有效\n" +
	"23456789,柴达木枸杞,29,海西州枸杞协会,,632800,2009-05-01,2010-06-07,2030-06-06,证明,,有效\n" +
	"34567890,雪域牦牛,29,青海雪域乳业有限公司,,630100,2018-01-01,2019-02-03,2029-02-02,普通,1234567,\n" +
	"45678901,青湖,33,张三,,632200,2016-01-01,2017-04-05,2027-04-04,普通,,注销（2021-01-01）\n" +
	"56789012,京味,30,北京京味有限公司,,110105,2016-01-01,2017-04-05,2027-04-04,普通,,有效\n"

func TestImportCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		rep, err := importCSV(t, s, good, kit.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != 5 || rep.Rows != 5 {
			t.Fatalf("report %+v", rep)
		}
		for _, c := range []struct {
			series, day string
			want        int64
		}{
			{trademark.SeriesQinghai, "2010-06-06", 0},
			{trademark.SeriesQinghai, "2010-06-07", 1},
			{trademark.SeriesQinghai, "2019-02-03", 4}, // 枸杞, 昆仑雪, 青湖, 雪域 (京味 is outside)
			{trademark.SeriesQinghai, "2020-12-31", 4}, // 青湖 cancelled from 2021-01-01
			{trademark.SeriesQinghai, "2021-01-01", 3}, // …
			{trademark.SeriesQinghai, "2025-03-13", 3}, // last day of 昆仑雪's term
			{trademark.SeriesQinghai, "2025-03-14", 2}, // term ended
			{trademark.SeriesMadrid, "2019-02-02", 0},  //
			{trademark.SeriesMadrid, "2025-06-30", 1},  // 雪域牦牛
			{trademark.SeriesQinghai, "2031-01-01", 0}, // all ended
		} {
			n, err := s.Count(ctx, c.series, c.day)
			if err != nil {
				t.Fatal(err)
			}
			scan, err := s.CountScan(ctx, c.series, c.day)
			if err != nil {
				t.Fatal(err)
			}
			if n != c.want || scan != c.want {
				t.Errorf("%s as of %s: deltas %d, scan %d, want %d", c.series, c.day, n, scan, c.want)
			}
		}
		// The owner with a credit code is in the enterprise directory.
		m, err := s.ByRegNo(ctx, "12345678")
		if err != nil {
			t.Fatal(err)
		}
		if m.EnterpriseID == 0 || m.Prefecture != "630100" || m.RegionName != "城东区" || len(m.Classes) != 2 {
			t.Errorf("mark %+v", m)
		}
		// The same file again changes nothing.
		rep, err = importCSV(t, s, good, kit.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Unchanged != 5 || rep.Created+rep.Updated != 0 {
			t.Fatalf("second import %+v", rep)
		}
		// A renewal moves the term end; a cancellation without a date takes the import day.
		renew := header +
			"12345678,昆仑雪,29;30,青海昆仑食品有限公司,91630100MA752XUH3X,630102,2014-01-02,2015-03-14,2035-03-13,普通,,有效\n" +
			"23456789,柴达木枸杞,29,海西州枸杞协会,,632800,2009-05-01,2010-06-07,2030-06-06,证明,,注销\n"
		rep, err = importCSV(t, s, renew, kit.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Updated != 2 {
			t.Fatalf("renewal %+v", rep)
		}
		for day, want := range map[string]int64{"2025-03-14": 3, "2025-06-29": 3, "2025-06-30": 2, "2034-01-01": 1} {
			n, _ := s.Count(ctx, trademark.SeriesQinghai, day)
			scan, _ := s.CountScan(ctx, trademark.SeriesQinghai, day)
			if n != want || scan != want {
				t.Errorf("after renewal, as of %s: %d (scan %d), want %d", day, n, scan, want)
			}
		}
		d, err := s.Detail(ctx, "23456789")
		if err != nil {
			t.Fatal(err)
		}
		if h := d.History; len(h) != 2 || h[0].EffectiveOn != "2010-06-07" || h[1].Status != trademark.StatusCancelled || h[1].EffectiveOn != "2025-06-30" {
			t.Errorf("history %+v", d.History)
		}
		// Metrics read the same numbers.
		reg := indicator.NewRegistry()
		if err := trademark.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		met, _ := reg.Get(trademark.MetricQinghai)
		v, err := met.Compute(ctx, db.Reader(), time.Time{}, time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC))
		if err != nil || v != 3 {
			t.Errorf("metric: %v, %v", v, err)
		}
	})
}

func TestImportRefusesBadRows(t *testing.T) {
	row := func(cells ...string) string { return strings.Join(cells, ",") + "\n" }
	ok := []string{"11111111", "商标", "29", "某公司", "", "630100", "2014-01-02", "2015-03-14", "2025-03-13", "普通", "", "有效"}
	with := func(i int, v string) string {
		c := append([]string(nil), ok...)
		c[i] = v
		return row(c...)
	}
	cases := []struct {
		name, row, column, msg string
	}{
		{"class 46", with(2, "29;46"), "国际分类", "1–45"},
		{"class 0", with(2, "0"), "国际分类", "1–45"},
		{"no class", with(2, ""), "国际分类", "不能为空"},
		{"term before registration", with(8, "2015-03-13"), "专用权期限至", "早于注册日期"},
		{"region unknown", with(5, "639999"), "行政区划代码", "不存在"},
		{"region not a province", with(5, "990000"), "行政区划代码", "不存在"},
		{"credit code check", with(4, "91630100MA752XUH3Y"), "统一社会信用代码", ""},
		{"reg no letters", with(0, "AB12"), "注册号", "无效"},
		{"bad date", with(7, "2015-02-30"), "注册日期", "无效"},
		{"kind", with(9, "特殊"), "商标类型", "无效"},
		{"madrid", with(10, "12"), "马德里国际注册号", "6–8"},
		{"status", with(11, "休眠"), "状态", "无效"},
		{"applied after registered", with(6, "2016-01-01"), "申请日期", "晚于"},
		{"formula", with(1, "=HYPERLINK(1)"), "商标名称", ""},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				body := header + row(ok...) + with(0, "22222222") + c.row
				_, err := importCSV(t, s, body, kit.ImportOptions{})
				var ref *kit.ImportRefused
				if !errors.As(err, &ref) || !errors.Is(err, apperr.ErrInvalid) {
					t.Fatalf("want a refusal, got %v", err)
				}
				e := ref.Report.Errors[0]
				if e.Row != 4 || e.Column != c.column || !strings.Contains(e.Msg, c.msg) {
					t.Errorf("error %+v, want row 4 column %s containing %q", e, c.column, c.msg)
				}
				var n int
				db.Reader().QueryRow(`SELECT COUNT(*) FROM trademarks`).Scan(&n)
				if n != 0 {
					t.Errorf("%d marks written from a refused file", n)
				}
			})
		}
		// A duplicate registration number names the first row.
		_, err := importCSV(t, s, header+row(ok...)+row(ok...), kit.ImportOptions{})
		if err == nil || !strings.Contains(err.Error(), "与第 2 行重复") {
			t.Errorf("duplicate: %v", err)
		}
		// --skip-invalid writes the good rows and lists the bad ones.
		var rejects bytes.Buffer
		rep, err := importCSV(t, s, header+row(ok...)+with(2, "99"), kit.ImportOptions{SkipInvalid: true, Rejects: &rejects})
		if err != nil || rep.Created != 1 || rep.Rejected != 1 {
			t.Fatalf("skip invalid: %+v %v", rep, err)
		}
		if !strings.Contains(rejects.String(), "3,国际分类") {
			t.Errorf("rejects file:\n%s", rejects.String())
		}
		// Only editors import.
		if _, err := s.Import(ctx, auth.Principal{UserID: 5, Roles: []auth.Role{auth.RoleReporter}}, kit.BytesSource("x.csv", []byte(good)), kit.ImportOptions{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("reporter import: %v", err)
		}
	})
}

type rows [][]string

func (r *rows) Write(c []string) error { *r = append(*r, append([]string(nil), c...)); return nil }

func TestExportRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		if _, err := importCSV(t, s, good, kit.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		if n, err := trademark.SeedDemo(ctx, s, admin); err != nil || n != len(trademark.DemoRecords()) {
			t.Fatalf("demo: %d %v", n, err)
		}
		if n, _ := trademark.SeedDemo(ctx, s, admin); n != 0 {
			t.Errorf("demo twice added %d", n)
		}
		var buf bytes.Buffer
		f, _ := kit.NewTableFile("csv", &buf)
		if err := s.Export(ctx, auth.Principal{}, f); err != nil {
			t.Fatal(err)
		}
		f.Close()
		var out rows
		s.Export(ctx, auth.Principal{}, &out)
		if len(out) != 11 || out[4][11] != "注销（2021-01-01）" {
			t.Fatalf("export %d rows: %v", len(out), out[4])
		}
		rep, err := s.Import(ctx, admin, kit.BytesSource("export.csv", buf.Bytes()), kit.ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// The demo records lose their demo mark when imported from a file.
		if rep.Unchanged != 5 || rep.Created != 0 {
			t.Errorf("re-import of the export: %+v", rep)
		}
	})
}

func TestGeneratedFileImports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		var buf bytes.Buffer
		if err := trademark.NewGen(3).WriteCSV(&buf, 3000); err != nil {
			t.Fatal(err)
		}
		rep, err := s.Import(ctx, admin, kit.BytesSource("gen.csv", buf.Bytes()), kit.ImportOptions{Batch: 700})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != 3000 {
			t.Fatalf("%+v", rep)
		}
		for _, day := range []string{"2005-01-01", "2012-07-01", "2020-01-01", "2025-06-30", "2040-01-01"} {
			for _, series := range []string{trademark.SeriesQinghai, trademark.SeriesMadrid, trademark.SeriesGI} {
				n, _ := s.Count(ctx, series, day)
				scan, _ := s.CountScan(ctx, series, day)
				if n != scan {
					t.Errorf("%s as of %s: deltas %d, scan %d", series, day, n, scan)
				}
			}
		}
	})
}
