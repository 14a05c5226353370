package patent_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/indicator"
	"sidi/internal/ip/patent"
	"sidi/internal/kit"
	"sidi/internal/search"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var (
	ctx   = context.Background()
	admin = auth.CLI("test")
)

func newService(db *store.DB) *patent.Service {
	s := patent.NewService(db, enterprise.NewService(db))
	s.SetClock(func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC) })
	return s
}

func num(body string) string { return "ZL" + body + "." + string(patent.CheckDigit(body)) }

const patentHead = "专利号,发明名称,专利权人,统一社会信用代码,行政区划代码,申请日,授权公告日,失效日,战略性新兴产业,海外同族专利数,质押融资金额（万元）,获奖情况\n"

// patentsCSV: strategic (西宁), overseas (海西), maintained from 2026-03-02
// (海西), pledged 1500 万 (黄南), lapsed strategic, ordinary, and a
// strategic patent outside Qinghai.
var patentsCSV = patentHead +
	num("202110000001") + ",甲,青海某公司,91630100MA752XUH3X,630105,2021-03-01,2023-05-10,,是,0,,\n" +
	num("201910000002") + ",乙,某大学,,632801,2019-07-15,2021-09-01,,否,2,,\n" +
	num("201610000003") + ",丙,某研究所,,632802,2016-03-01,2018-01-01,,,,,\n" +
	num("201810000004") + ",丁,某镁业,,632301,2018-01-10,2020-06-30,,,,1500,\n" +
	num("201510000005") + ",戊,某合作社,,630202,2015-05-05,2017-01-01,2020-05-05,是,,,\n" +
	num("202210000006") + ",己,某公司,,632301,2022-06-06,2024-03-03,,,,,青海省专利奖\n" +
	num("202010000007") + ",庚,外省公司,,110105,2020-01-01,2022-01-01,,是,,,\n"

const certsCSV = "证书编号,认证机构,企业名称,统一社会信用代码,行政区划代码,认证范围,有效期起,有效期至\n" +
	"IPM-1,某认证公司,青海某公司,91630100MA752XUH3X,630105,研发,2023-06-01,2026-05-31\n" +
	"IPM-0,某认证公司,青海某公司,91630100MA752XUH3X,630105,研发,2020-06-01,2023-05-31\n"

const navCSV = "项目名称,牵头单位,年份,状态,行政区划代码\n盐湖产业专利导航,某研究所,2023,实施中,632800\n"

func population(t *testing.T) []byte {
	b, err := os.ReadFile("testdata/population.csv")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportAndMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		for _, k := range []struct {
			name string
			body []byte
			imp  func(context.Context, auth.Principal, kit.Source, kit.ImportOptions) (kit.ImportReport, error)
			rows int
		}{
			{"patents", []byte(patentsCSV), s.ImportPatents, 7},
			{"population", population(t), s.ImportPopulation, 7},
			{"ipm_certs", []byte(certsCSV), s.ImportCerts, 2},
			{"patent_navigation", []byte(navCSV), s.ImportNavigation, 1},
		} {
			rep, err := k.imp(ctx, admin, kit.BytesSource(k.name+".csv", k.body), kit.ImportOptions{})
			if err != nil || rep.Created != k.rows {
				t.Fatalf("%s: %+v %v", k.name, rep, err)
			}
			rep, err = k.imp(ctx, admin, kit.BytesSource(k.name+".csv", k.body), kit.ImportOptions{})
			if err != nil || rep.Unchanged != k.rows || rep.Created+rep.Updated != 0 {
				t.Fatalf("%s again: %+v %v", k.name, rep, err)
			}
		}
		// A changed row is an update.
		rep, err := s.ImportNavigation(ctx, admin, kit.BytesSource("n.csv", []byte(strings.Replace(navCSV, "实施中", "已验收", 1))), kit.ImportOptions{})
		if err != nil || rep.Updated != 1 {
			t.Fatalf("navigation update: %+v %v", rep, err)
		}
		reg := indicator.NewRegistry()
		if err := patent.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			key, day string
			want     float64
		}{
			{patent.MetricHighValue, "2017-06-01", 1},            // 戊, lapsed in 2020
			{patent.MetricHighValue, "2021-09-01", 2},            // 乙 granted that day; 丙 not yet ten years; 丁 pledged
			{patent.MetricHighValue, "2025-06-30", 3},            // 甲 乙 丁; 己's provincial award does not count
			{patent.MetricHighValue, "2026-03-02", 4},            // 丙 over ten years
			{patent.MetricHighValuePer10k, "2024-12-31", 0.0051}, // 3 / 593
			{patent.MetricHighValuePer10k, "2022-06-30", 0.0034}, // 2 / 595 (乙 丁; the 2022 figure)
			{patent.MetricIPMEnterprises, "2023-05-31", 1},
			{patent.MetricIPMEnterprises, "2026-06-01", 0},
		} {
			m, ok := reg.Get(c.key)
			if !ok {
				t.Fatalf("metric %s missing", c.key)
			}
			day, _ := time.ParseInLocation("2006-01-02", c.day, time.FixedZone("CST", 8*3600))
			v, err := m.Compute(ctx, db.Reader(), time.Time{}, day.Add(12*time.Hour))
			if err != nil || v != c.want {
				t.Errorf("%s as of %s: %v (%v), want %v", c.key, c.day, v, err, c.want)
			}
		}
		figs, err := s.Figures(ctx, "2023-12-31")
		if err != nil {
			t.Fatal(err)
		}
		byRegion := map[string]patent.Figure{}
		for _, f := range figs {
			byRegion[f.Region] = f
		}
		if f := byRegion["632300"]; f.Count != 1 || f.Persons != 282000 || f.Year != 2023 || f.PerTenK != 0.0355 || !strings.Contains(f.Source, "hongheiku") {
			t.Errorf("黄南州: %+v", f)
		}
		if f := byRegion["632800"]; f.Count != 1 || f.Persons != 468000 || f.Year != 2022 || f.PerTenK != 0.0214 {
			t.Errorf("海西州 with its 2022 figure: %+v", f)
		}
		if f := byRegion["630100"]; f.Count != 1 || f.Population {
			t.Errorf("西宁市 without population: %+v", f)
		}
		for _, c := range []struct {
			f    patent.Filter
			want int
		}{
			{patent.Filter{}, 7},
			{patent.Filter{Prefecture: "632800"}, 2},
			{patent.Filter{Category: patent.CatStrategic}, 2}, // the lapsed one is not listed
			{patent.Filter{HighValue: true}, 4},               // 甲 乙 丁 and 庚 outside Qinghai
			{patent.Filter{Q: "镁业"}, 1},
			{patent.Filter{Category: "nonsense"}, 7},
		} {
			l, err := s.Patents(ctx, c.f)
			if err != nil || len(l) != c.want {
				t.Errorf("%+v: %d %v, want %d", c.f, len(l), err, c.want)
			}
		}
		// The same text queries once the shared index has the patents
		// (search.Drain), and one only the index answers (terms apart).
		if n, err := search.Drain(ctx, db, s.SearchSource(), 0); err != nil || n != 7 {
			t.Fatalf("drain = %d, %v", n, err)
		}
		for q, want := range map[string]int{"镁业": 1, "镁业 丁": 1, "镁业 甲": 0, "骆驼": 0} {
			l, err := s.Patents(ctx, patent.Filter{Q: q})
			if err != nil || len(l) != want {
				t.Errorf("after the drain, %q: %d %v, want %d", q, len(l), err, want)
			}
		}
		// Exports are import files: re-importing them changes nothing.
		for _, k := range patent.ImportKinds(s) {
			var b bytes.Buffer
			w, err := kit.NewTableFile("csv", &b)
			if err != nil {
				t.Fatal(err)
			}
			if err := k.Export(ctx, admin, w); err != nil {
				t.Fatal(err)
			}
			w.Close()
			rep, err := k.Import(ctx, admin, kit.BytesSource(k.Name+".csv", b.Bytes()), kit.ImportOptions{})
			if err != nil || rep.Created+rep.Updated != 0 || rep.Unchanged == 0 {
				t.Errorf("%s round trip: %+v %v\n%s", k.Name, rep, err, b.String())
			}
		}
		id, err := enterprise.IDByCreditCode(ctx, db.Reader(), "91630100MA752XUH3X")
		if err != nil || id == 0 {
			t.Fatalf("holder not in the directory: %v", err)
		}
		sec, err := s.EnterpriseSection(ctx, auth.Principal{}, id)
		if err != nil || len(sec.Items) != 3 {
			t.Errorf("section %+v %v", sec, err)
		}
	})
}

func TestRefusals(t *testing.T) {
	ok := []string{num("202110000009"), "名称", "某公司", "", "630100", "2021-01-01", "2023-01-01", "", "", "", "", ""}
	with := func(i int, v string) string {
		c := append([]string(nil), ok...)
		c[i] = v
		return strings.Join(c, ",") + "\n"
	}
	cases := []struct{ name, file, column, msg string }{
		{"check digit", patentHead + with(0, "ZL202110000009.0") + with(0, num("202110000010")), "专利号", "校验位错误"},
		{"utility model", patentHead + with(0, num("202120000009")) + with(0, num("202110000010")), "专利号", "不是发明专利"},
		{"region", patentHead + with(4, "639999") + with(0, num("202110000010")), "行政区划代码", "不存在"},
		{"credit code", patentHead + with(3, "91630100MA752XUH3Y") + with(0, num("202110000010")), "统一社会信用代码", ""},
		{"granted before applied", patentHead + with(6, "2020-01-01") + with(0, num("202110000010")), "授权公告日", "早于申请日"},
		{"year mismatch", patentHead + with(5, "2020-12-31") + with(0, num("202110000010")), "申请日", "不符"},
		{"strategic", patentHead + with(8, "也许") + with(0, num("202110000010")), "战略性新兴产业", "是 或 否"},
		{"pledge", patentHead + with(10, "-5") + with(0, num("202110000010")), "质押融资金额（万元）", "非负数"},
		{"duplicate", patentHead + with(0, num("202110000010")) + with(0, num("202110000010")), "专利号", "重复"},
		{"cert valid-to before valid-from", strings.SplitN(certsCSV, "\n", 2)[0] + "\nIPM-9,机构,企业,91630100MA752XUH3X,630100,,2024-01-01,2023-12-31\nIPM-8,机构,企业,91630100MA752XUH3X,630100,,2024-01-01,2025-12-31\n", "有效期至", "早于有效期起"},
		{"cert without code", strings.SplitN(certsCSV, "\n", 2)[0] + "\nIPM-9,机构,企业,,630100,,2024-01-01,2025-12-31\nIPM-8,机构,企业,91630100MA752XUH3X,630100,,2024-01-01,2025-12-31\n", "统一社会信用代码", "不能为空"},
		{"population outside Qinghai", "年份,行政区划代码,常住人口（万人）,数据来源\n2023,110000,2185,某\n2023,630000,594,某\n", "行政区划代码", "63 开头"},
		{"population zero", "年份,行政区划代码,常住人口（万人）,数据来源\n2023,630000,0,某\n2023,632300,28.2,某\n", "常住人口（万人）", "大于 0"},
		{"navigation status", "项目名称,牵头单位,年份,状态,行政区划代码\n甲,乙,2023,暂停,630100\n丙,丁,2023,立项,630100\n", "状态", "无效"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		imports := map[string]func(context.Context, auth.Principal, kit.Source, kit.ImportOptions) (kit.ImportReport, error){
			"专利号": s.ImportPatents, "证书编号": s.ImportCerts, "年份": s.ImportPopulation, "项目名称": s.ImportNavigation}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				imp := imports[strings.SplitN(c.file, ",", 2)[0]]
				_, err := imp(ctx, admin, kit.BytesSource("f.csv", []byte(c.file)), kit.ImportOptions{})
				var ref *kit.ImportRefused
				if !errors.As(err, &ref) {
					t.Fatalf("want refusal, got %v", err)
				}
				e := ref.Report.Errors[0]
				if e.Column != c.column || !strings.Contains(e.Msg, c.msg) || (e.Row != 2 && e.Row != 3) {
					t.Errorf("%+v", e)
				}
				var n int
				db.Reader().QueryRow(`SELECT (SELECT COUNT(*) FROM patents) + (SELECT COUNT(*) FROM ipm_certs) + (SELECT COUNT(*) FROM population) + (SELECT COUNT(*) FROM patent_navigation)`).Scan(&n)
				if n != 0 {
					t.Errorf("%d written", n)
				}
				// --skip-invalid writes the valid row only.
				rep, err := imp(ctx, admin, kit.BytesSource("f.csv", []byte(c.file)), kit.ImportOptions{SkipInvalid: true})
				if err != nil || rep.Created+rep.Unchanged != 1 {
					t.Errorf("skip invalid: %+v %v", rep, err)
				}
				for _, tbl := range []string{"patents", "ipm_certs", "population", "patent_navigation"} {
					if _, err := db.Writer().Exec(`DELETE FROM ` + tbl); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
		if _, err := s.ImportPatents(ctx, auth.Principal{UserID: 3, Roles: []auth.Role{auth.RoleInspector}}, kit.BytesSource("p.csv", []byte(patentsCSV)), kit.ImportOptions{}); err == nil {
			t.Error("an inspector imported patents")
		}
	})
}

func TestSeedDemo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		n, err := patent.SeedDemo(ctx, s, admin)
		want := len(patent.RealPopulation()) + len(patent.DemoPatents()) + len(patent.DemoCerts()) + len(patent.DemoNavigation())
		if err != nil || n != want {
			t.Fatalf("demo: %d %v, want %d", n, err, want)
		}
		if n, _ := patent.SeedDemo(ctx, s, admin); n != 0 {
			t.Errorf("demo twice: %d", n)
		}
		l, err := s.Patents(ctx, patent.Filter{HighValue: true})
		if err != nil || len(l) != 5 {
			t.Errorf("demo high-value on 2025-06-30: %d %v", len(l), err)
		}
		for _, p := range l {
			if !strings.HasPrefix(p.Title, patent.DemoLabel) {
				t.Errorf("unlabelled demo %s", p.Title)
			}
		}
		f, err := patent.FigureAt(ctx, db.Reader(), "2025-06-30", "630000")
		if err != nil || f.Count != 5 || f.Persons != 5930000 {
			t.Errorf("figure: %+v %v", f, err)
		}
	})
}
