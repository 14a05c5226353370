package gi_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/indicator"
	"sidi/internal/ip/gi"
	"sidi/internal/kit"
	"sidi/internal/kit/kittest"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var (
	ctx   = context.Background()
	admin = auth.CLI("test")
)

func newService(db *store.DB) *gi.Service {
	s := gi.NewService(db, enterprise.NewService(db))
	s.SetClock(func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC) })
	return s
}

const products = "产品名称,保护范围,行政区划代码,批准公告,批准日期,撤销日期\n" +
	"甲枸杞,海西州全境,632800,公告 2010 年第 1 号,2010-05-01,\n" +
	"乙青稞,海北州门源县,632221,公告 2015 年第 9 号,2015-09-01,2022-01-01\n" +
	"丙苹果,外省某县,110105,公告 2016 年第 3 号,2016-01-01,\n"

const certs = "证书类型,证书编号,发证机构,产品名称,获证单位,统一社会信用代码,行政区划代码,有效期起,有效期至\n" +
	"绿色食品,LB-1,中国绿色食品发展中心,牦牛肉,青海某乳业有限公司,91630100MA752XUH3X,630100,2023-01-01,\n" + // 3 years: to 2025-12-31
	"有机产品,YJ-2,某认证公司,枸杞,某合作社,,632801,2024-01-01,2024-12-31\n" +
	"农产品地理标志,AGI-3,农业农村部,茶卡羊,乌兰县某协会,,632821,2013-08-01,\n" +
	"有机产品,YJ-4,某认证公司,苹果,外省公司,,110105,2024-01-01,2025-12-31\n"

func TestImportAndCount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		for _, k := range []struct {
			name, body string
			imp        func(context.Context, auth.Principal, kit.Source, kit.ImportOptions) (kit.ImportReport, error)
			rows       int
		}{{"gi-products", products, s.ImportProducts, 3}, {"agri-certs", certs, s.ImportCerts, 4}} {
			rep, err := k.imp(ctx, admin, kit.BytesSource(k.name+".csv", []byte(k.body)), kit.ImportOptions{})
			if err != nil || rep.Created != k.rows {
				t.Fatalf("%s: %+v %v", k.name, rep, err)
			}
			rep, err = k.imp(ctx, admin, kit.BytesSource(k.name+".csv", []byte(k.body)), kit.ImportOptions{})
			if err != nil || rep.Unchanged != k.rows {
				t.Fatalf("%s again: %+v %v", k.name, rep, err)
			}
		}
		reg := indicator.NewRegistry()
		if err := gi.RegisterMetrics(reg); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			key, day string
			want     float64
		}{
			{gi.MetricProducts, "2010-04-30", 0},
			{gi.MetricProducts, "2016-01-01", 2}, // the product outside Qinghai is not counted
			{gi.MetricProducts, "2022-01-01", 1}, // revoked that day
			{gi.MetricCerts, "2013-08-01", 1},
			{gi.MetricCerts, "2024-06-30", 3},
			{gi.MetricCerts, "2025-01-01", 2}, // the organic certificate expired
			{gi.MetricCerts, "2026-01-01", 1}, // green's three years ended 2025-12-31
			{gi.MetricCerts + ".organic", "2024-12-31", 1},
			{gi.MetricCerts + ".agri_gi", "2030-01-01", 1},
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
		l, err := s.Certs(ctx, gi.Filter{Prefecture: "632800"})
		if err != nil || l.Total != 2 {
			t.Errorf("certificates in 海西州: %+v %v", l, err)
		}
		pl, err := s.Products(ctx, gi.Filter{Q: "枸杞", Valid: true})
		if err != nil || pl.Total != 1 || pl.Products[0].RegionName != "海西州" {
			t.Errorf("products 枸杞: %+v %v", pl, err)
		}
		// Chinese search through the shared index, one and two characters.
		for q, want := range map[string]int{"茶卡": 1, "羊": 1, "牦牛肉": 1, "乌兰县": 1, "LB-1": 1, "不存在的": 0} {
			l, err := s.Certs(ctx, gi.Filter{Q: q})
			if err != nil || l.Total != want {
				t.Errorf("certificates %q: %d %v, want %d", q, l.Total, err, want)
			}
		}
		// The holder with a credit code is in the enterprise directory and its page lists the certificate.
		id, err := enterprise.IDByCreditCode(ctx, db.Reader(), "91630100MA752XUH3X")
		if err != nil || id == 0 {
			t.Fatalf("holder not in the directory: %v", err)
		}
		sec, err := s.EnterpriseSection(ctx, auth.Principal{}, id)
		if err != nil || len(sec.Items) != 1 || sec.Items[0].Label != "牦牛肉" {
			t.Errorf("section %+v %v", sec, err)
		}
		if n, err := gi.SeedDemo(ctx, s, admin); err != nil || n != 12 {
			t.Errorf("demo: %d %v", n, err)
		}
		if n, _ := gi.SeedDemo(ctx, s, admin); n != 0 {
			t.Errorf("demo twice: %d", n)
		}
	})
}

func TestRefusals(t *testing.T) {
	head := strings.SplitN(certs, "\n", 2)[0] + "\n"
	ok := []string{"绿色食品", "LB-9", "中心", "牛肉", "某公司", "", "630100", "2023-01-01", "2025-12-31"}
	with := func(i int, v string) string {
		c := append([]string(nil), ok...)
		c[i] = v
		return strings.Join(c, ",") + "\n"
	}
	cases := []struct{ name, row, column, msg string }{
		{"valid-to before valid-from", with(8, "2022-12-31"), "有效期至", "早于有效期起"},
		{"kind", with(0, "无公害"), "证书类型", "无效"},
		{"region", with(6, "639999"), "行政区划代码", "不存在"},
		{"credit code", with(5, "91630100MA752XUH3Y"), "统一社会信用代码", ""},
		{"date", with(7, "2023-13-01"), "有效期起", "无效"},
		{"number", with(1, ""), "证书编号", "不能为空"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := s.ImportCerts(ctx, admin, kit.BytesSource("c.csv", []byte(head+with(1, "LB-1")+c.row)), kit.ImportOptions{})
				var ref *kit.ImportRefused
				if !errors.As(err, &ref) {
					t.Fatalf("want refusal, got %v", err)
				}
				e := ref.Report.Errors[0]
				if e.Row != 3 || e.Column != c.column || !strings.Contains(e.Msg, c.msg) {
					t.Errorf("%+v", e)
				}
				var n int
				db.Reader().QueryRow(`SELECT COUNT(*) FROM agri_certs`).Scan(&n)
				if n != 0 {
					t.Errorf("%d written", n)
				}
			})
		}
		_, err := s.ImportProducts(ctx, admin, kit.BytesSource("p.csv", []byte("产品名称,保护范围,行政区划代码,批准公告,批准日期,撤销日期\n甲,乙,632800,丙,2020-01-01,2019-01-01\n")), kit.ImportOptions{})
		if err == nil || !strings.Contains(err.Error(), "撤销日期") {
			t.Errorf("revoked before approved: %v", err)
		}
		if _, err := s.ImportCerts(ctx, auth.Principal{UserID: 3, Roles: []auth.Role{auth.RoleInspector}}, kit.BytesSource("c.csv", []byte(certs)), kit.ImportOptions{}); err == nil {
			t.Error("an inspector imported certificates")
		}
	})
}

const brandsCSV = "品牌类型,品牌名称,产品,所有人,统一社会信用代码,行政区划代码,列入日期,商标注册号,标准,移出日期\n" +
	"区域公用品牌,柴达木枸杞,枸杞,海西州柴达木枸杞产业协会,,632800,2019-09-01,,DB63/T 1759—2019,\n" +
	"农畜产品品牌,甲牦牛,牦牛肉,青海某乳业有限公司,91630100MA752XUH3X,630100,2021-05-01,12345678,,\n" +
	"农畜产品品牌,乙青稞,青稞,某合作社,,632221,2018-01-01,,,2023-01-01\n" +
	"商标品牌指导站,门源县商标品牌指导站,门源县,门源县市场监督管理局,,632221,2022-06-01,,,\n"

const usersCSV = "品牌名称,使用单位,统一社会信用代码,授权起,授权至\n" +
	"柴达木枸杞,格尔木甲枸杞有限公司,,2022-01-21,2027-01-20\n" +
	"柴达木枸杞,都兰乙合作社,,2022-01-21,\n" +
	"柴达木枸杞,德令哈丙公司,,2019-10-01,2021-09-30\n"

func TestBrands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		// Users of a brand not yet in the catalogue are refused with the row.
		_, err := s.ImportBrandUsers(ctx, admin, kit.BytesSource("u.csv", []byte(usersCSV)), kit.ImportOptions{})
		if err == nil || !strings.Contains(err.Error(), "第 2 行 A 列（品牌名称）") {
			t.Fatalf("users before the brand: %v", err)
		}
		for i := 0; i < 2; i++ {
			rep, err := s.ImportBrands(ctx, admin, kit.BytesSource("b.csv", []byte(brandsCSV)), kit.ImportOptions{})
			if err != nil || rep.Created+rep.Unchanged != 4 || (i == 1 && rep.Unchanged != 4) {
				t.Fatalf("brands round %d: %+v %v", i, rep, err)
			}
			rep, err = s.ImportBrandUsers(ctx, admin, kit.BytesSource("u.csv", []byte(usersCSV)), kit.ImportOptions{})
			if err != nil || rep.Created+rep.Unchanged != 3 || (i == 1 && rep.Unchanged != 3) {
				t.Fatalf("users round %d: %+v %v", i, rep, err)
			}
		}
		if l, err := s.Brands(ctx, gi.Filter{Kind: gi.BrandStation, Prefecture: "632200"}); err != nil || l.Total != 1 {
			t.Errorf("guidance stations in 海北州: %+v %v", l, err)
		}
		// A citizen looks up 柴达木枸杞 and sees who may use it today (2025-06-30).
		l, err := s.Brands(ctx, gi.Filter{Q: "柴达木枸杞"})
		if err != nil || l.Total != 1 {
			t.Fatalf("search: %+v %v", l, err)
		}
		s.SetStandardLookup(func(_ context.Context, code string) (gi.StandardRef, error) {
			if code == "DB63/T 1759—2019" {
				return gi.StandardRef{Code: code, ID: 7, Title: "枸杞标准"}, nil
			}
			return gi.StandardRef{Code: code}, nil
		})
		b, err := s.BrandByID(ctx, l.Brands[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.StandardRefs) != 1 || b.StandardRefs[0].ID != 7 {
			t.Errorf("standards: %+v", b.StandardRefs)
		}
		var names []string
		for _, u := range b.Users {
			names = append(names, u.Name)
		}
		if strings.Join(names, "、") != "格尔木甲枸杞有限公司、都兰乙合作社" {
			t.Errorf("authorised users today: %v", names)
		}
		reg := indicator.NewRegistry()
		gi.RegisterMetrics(reg)
		for _, c := range []struct {
			key, day string
			want     float64
		}{{gi.MetricAgriBrands, "2021-05-01", 2}, {gi.MetricAgriBrands, "2023-01-01", 1}, {gi.MetricRegionalBrands, "2019-08-31", 0}, {gi.MetricRegionalBrands, "2025-06-30", 1}} {
			m, _ := reg.Get(c.key)
			day, _ := time.ParseInLocation("2006-01-02", c.day, time.FixedZone("CST", 8*3600))
			if v, err := m.Compute(ctx, db.Reader(), time.Time{}, day.Add(time.Hour)); err != nil || v != c.want {
				t.Errorf("%s as of %s: %v %v, want %v", c.key, c.day, v, err, c.want)
			}
		}
		bad := "品牌类型,品牌名称,产品,所有人,统一社会信用代码,行政区划代码,列入日期,商标注册号,标准,移出日期\n商标品牌,丁,丁,丁,,630100,2020-01-01,,,2019-01-01\n"
		_, err = s.ImportBrands(ctx, admin, kit.BytesSource("x.csv", []byte(bad)), kit.ImportOptions{})
		var ref *kit.ImportRefused
		if !errors.As(err, &ref) || len(ref.Report.Errors) != 2 {
			t.Errorf("bad brand row: %v", err)
		}
	})
}

// TestExportRoundTrip: every kind's export imports back unchanged.
func TestExportRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		for _, c := range []struct {
			name string
			body string
			imp  func(context.Context, auth.Principal, kit.Source, kit.ImportOptions) (kit.ImportReport, error)
			exp  func(context.Context, auth.Principal, kit.TableWriter) error
		}{
			{"gi-products", products, s.ImportProducts, s.ExportProducts},
			{"agri-certs", certs, s.ImportCerts, s.ExportCerts},
			{"brands", brandsCSV, s.ImportBrands, s.ExportBrands},
			{"brand-users", usersCSV, s.ImportBrandUsers, s.ExportBrandUsers},
		} {
			rep, err := c.imp(ctx, admin, kit.BytesSource(c.name+".csv", []byte(c.body)), kit.ImportOptions{})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var buf bytes.Buffer
			f, _ := kit.NewTableFile("csv", &buf)
			if err := c.exp(ctx, auth.Principal{}, f); err != nil {
				t.Fatal(err)
			}
			f.Close()
			again, err := c.imp(ctx, admin, kit.BytesSource(c.name+"-export.csv", buf.Bytes()), kit.ImportOptions{})
			if err != nil || again.Unchanged != rep.Created || again.Created+again.Updated != 0 {
				t.Errorf("%s: export re-imported %+v %v (first %+v)\n%s", c.name, again, err, rep, buf.String())
			}
		}
	})
}

func TestArchive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(db)
		if _, err := s.ImportBrands(ctx, admin, kit.BytesSource("b.csv", []byte(brandsCSV)), kit.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		l, _ := s.Brands(ctx, gi.Filter{Q: "柴达木枸杞"})
		id := l.Brands[0].ID
		content := []byte("柴达木枸杞区域公用品牌使用管理办法（测试）")
		d, err := s.Archive(ctx, admin, id, "使用管理办法", content)
		if err != nil || len(d.SHA256) != 64 || d.Size != int64(len(content)) {
			t.Fatalf("archive: %+v %v", d, err)
		}
		if d2, err := s.Archive(ctx, admin, id, "另一个标题", content); err != nil || d2.Title != "使用管理办法" {
			t.Errorf("same content again: %+v %v", d2, err)
		}
		// One entry, for the first archive only; the hash, not the content.
		want := fmt.Sprintf(`%d/%s archive null → {"brand_id":%d,"created_at":"2025-06-30T10:00:00Z","sha256":"%s","size":%d,"title":"使用管理办法"}`, id, d.SHA256, id, d.SHA256, len(content))
		if got := kittest.AuditEntries(t, db, "brand_document"); len(got) != 1 || got[0] != want {
			t.Errorf("audit entries %q, want %q", got, want)
		}
		if _, err := s.Archive(ctx, admin, 99999, "x", content); !errors.Is(err, apperr.ErrNotFound) || apperr.Message(err) != "没有编号为 99999 的品牌" {
			t.Errorf("no brand: %v", err)
		}
		docs, err := s.Documents(ctx, id)
		if err != nil || len(docs) != 1 {
			t.Fatalf("documents: %+v %v", docs, err)
		}
		got, body, err := s.DocumentContent(ctx, id, strings.ToUpper(d.SHA256))
		if err != nil || string(body) != string(content) || got.Title != "使用管理办法" {
			t.Errorf("content: %+v %q %v", got, body, err)
		}
		for _, c := range []struct {
			name  string
			p     auth.Principal
			brand int64
			title string
			body  []byte
		}{
			{"reporter", auth.Principal{UserID: 4, Roles: []auth.Role{auth.RoleReporter}}, id, "x", content},
			{"no brand", admin, 99999, "x", content},
			{"no title", admin, id, " ", content},
			{"empty", admin, id, "x", nil},
		} {
			if _, err := s.Archive(ctx, c.p, c.brand, c.title, c.body); err == nil {
				t.Errorf("%s: archived", c.name)
			}
		}
	})
}
