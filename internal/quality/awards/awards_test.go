package awards_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/indicator"
	"sidi/internal/kit"
	"sidi/internal/quality/awards"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

var cli = auth.CLI("test")

func newService(t *testing.T, db *store.DB) *awards.Service {
	t.Helper()
	s := awards.NewService(db, enterprise.NewService(db))
	s.SetClock(func() time.Time { return time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC) })
	return s
}

func kind(t *testing.T, s *awards.Service, name string) kit.ImportKind[auth.Principal] {
	t.Helper()
	for _, k := range awards.ImportKinds(s) {
		if k.Name == name {
			return k
		}
	}
	t.Fatalf("no kind %s", name)
	return kit.ImportKind[auth.Principal]{}
}

func imp(t *testing.T, s *awards.Service, name, body string) (kit.ImportReport, error) {
	t.Helper()
	return kind(t, s, name).Import(context.Background(), cli, kit.BytesSource(name+".csv", []byte(body)), kit.ImportOptions{})
}

func count(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCategoriesAreTheScheme: the seven GB/T 19580 categories sum to 1000
// points and match the table kept with its sources in testdata.
func TestCategoriesAreTheScheme(t *testing.T) {
	sum := 0
	want := map[string]int{"领导": 110, "战略": 90, "顾客与市场": 90, "资源": 130, "过程管理": 100, "测量、分析与改进": 80, "结果": 400}
	for _, c := range awards.Categories {
		sum += c.Max
		if want[c.Name] != c.Max {
			t.Errorf("%s: %d points, want %d", c.Name, c.Max, want[c.Name])
		}
	}
	if sum != awards.TotalPoints || len(awards.Categories) != 7 {
		t.Errorf("%d categories summing to %d", len(awards.Categories), sum)
	}
}

func TestParseScore(t *testing.T) {
	lead := awards.Categories[0]
	for _, c := range []struct {
		in   string
		want int64
		err  string
	}{
		{"85", 8500, ""}, {"85.5", 8550, ""}, {" 85.25分", 8525, ""}, {"110", 11000, ""}, {"0", 0, ""},
		{"110.01", 0, "超过“领导”类目满分 110 分"}, {"120", 0, "超过"}, {"-1", 0, "负数"}, {"8.555", 0, "无效"},
		{"", 0, "请填写"}, {"abc", 0, "无效"}, {"1e2", 0, "无效"}, {"+5", 0, "无效"}, {"99999999", 0, "无效"},
	} {
		got, err := awards.ParseScore(lead, c.in)
		if c.err == "" && (err != nil || got != c.want) {
			t.Errorf("ParseScore(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("ParseScore(%q) error %v, want %q", c.in, err, c.err)
		}
	}
}

func sheet(name string, s ...int64) awards.Sheet {
	for i := range s {
		s[i] *= 100
	}
	return awards.Sheet{Reviewer: name, Scores: s}
}

// TestCombine: mean, trimmed mean (one highest and one lowest total left
// out), per-category means and the outlier flags with their reasons.
func TestCombine(t *testing.T) {
	a := awards.Combine([]awards.Sheet{
		sheet("甲", 70, 55, 58, 80, 66, 50, 240),   // 619
		sheet("乙", 72, 57, 56, 84, 64, 52, 250),   // 635
		sheet("丙", 68, 54, 57, 82, 65, 49, 236),   // 611
		sheet("丁", 71, 56, 59, 83, 67, 51, 245),   // 632
		sheet("戊", 100, 85, 86, 120, 95, 76, 380), // 942: the outlier
	})
	if a.Reviewers != 5 || a.Mean != 687.8 || a.Trimmed != 628.67 || !a.SiteReview {
		t.Errorf("aggregate %+v", a)
	}
	if a.Outliers != 1 || !a.Sheets[4].Outlier || a.Sheets[0].Outlier {
		t.Fatalf("outliers: %+v", a.Sheets)
	}
	if r := strings.Join(a.Sheets[4].Reasons, "；"); !strings.Contains(r, "总分 942 分，偏离中位数 632 分超过 100 分") || !strings.Contains(r, "“结果”380 分，偏离中位数 245 分超过 100.0 分") {
		t.Errorf("reasons: %s", r)
	}
	if a.Categories[6] != 270.2 {
		t.Errorf("results mean %v", a.Categories[6])
	}
	// Two reviewers: no trimming; a gap of more than 200 points flags both.
	two := awards.Combine([]awards.Sheet{sheet("甲", 100, 80, 80, 120, 90, 70, 360), sheet("乙", 60, 50, 50, 80, 60, 40, 200)})
	if two.Trimmed != two.Mean || two.Outliers != 2 || two.Mean != 720 || !two.SiteReview {
		t.Errorf("two reviewers: %+v", two)
	}
	if none := awards.Combine(nil); none.Reviewers != 0 || none.SiteReview {
		t.Errorf("no sheets: %+v", none)
	}
}

const applications = "申报编号,年度,组织名称,统一社会信用代码,行政区划代码,组织类别,服务“四地”建设,“四地”领域,评审结果,授奖日期\n" +
	"A-1,2022,盐湖甲公司,,632801,制造业,是,世界级盐湖产业基地,获奖,2022-12-20\n" +
	"A-2,2022,市政乙公司,,630100,建筑业,否,,获奖,2022-12-20\n" +
	"A-3,2024,光伏丙公司,,632800,制造业,是,国家清洁能源产业高地,获奖,2024-12-18\n" +
	"A-4,2024,盐湖甲公司,,632801,制造业,是,世界级盐湖产业基地,获奖,2024-12-18\n" +
	"A-5,2024,青稞丁公司,,630200,制造业,是,绿色有机农畜产品输出地,提名奖,2024-12-18\n" +
	"A-6,2025,锂电戊公司,,632800,制造业,是,世界级盐湖产业基地,评审中,\n"

// TestImportsAndMetrics imports applications, scores, zones, activities and
// monitoring on both engines; bad rows are refused with row, column and
// reason and nothing is written; the same file twice changes nothing; the
// award and zone metrics count as of any date.
func TestImportsAndMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		rep, err := imp(t, s, awards.KindApplications, applications)
		if err != nil || rep.Created != 6 {
			t.Fatalf("applications: %+v %v", rep, err)
		}
		if rep, err = imp(t, s, awards.KindApplications, applications); err != nil || rep.Unchanged != 6 || rep.Created+rep.Updated != 0 {
			t.Fatalf("the same file twice: %+v %v", rep, err)
		}
		// Bad rows: each refused with its row and column, nothing written.
		bad := "申报编号,年度,组织名称,统一社会信用代码,行政区划代码,组织类别,服务“四地”建设,“四地”领域,评审结果,授奖日期\n" +
			"B-1,2024,X,91630000MA7QDM0019,632801,制造业,是,世界级盐湖产业基地,获奖,2024-12-18\n" +
			"B-2,2024,X,,110101,制造业,否,,获奖,2024-12-18\n" +
			"B-3,2024,X,,630100,制造业,是,,获奖,2024-12-18\n" +
			"B-4,2024,X,,630100,制造业,否,,获奖,\n" +
			"B-5,2024,X,,630100,制造业,否,,未获奖,2024-12-18\n" +
			"B-6,2024,X,,630100,制造业,否,,获奖,2099-01-01\n" +
			"B-7,1999,X,,630100,矿业,也许,,一等,\n" +
			"B-8,2024,=HYPERLINK(1),,630100,制造业,否,,评审中,\n"
		_, err = imp(t, s, awards.KindApplications, bad)
		for _, want := range []string{"第 2 行 D 列（统一社会信用代码）", "第 3 行 E 列（行政区划代码）：行政区划代码“110101”不是青海省的区划代码", "第 4 行 H 列（“四地”领域）", "第 5 行 J 列（授奖日期）：获奖或提名奖须填写授奖日期",
			"第 6 行 J 列（授奖日期）：评审中或未获奖", "第 7 行 J 列（授奖日期）：日期 2099-01-01 晚于今天", "第 8 行 B 列（年度）", "第 8 行 F 列（组织类别）", "第 8 行 G 列（服务“四地”建设）", "第 8 行 I 列（评审结果）", "第 9 行 C 列（组织名称）"} {
			if !errors.Is(err, apperr.ErrInvalid) || !strings.Contains(err.Error(), want) {
				t.Errorf("bad applications: %v; want %q", err, want)
			}
		}
		if n := count(t, db, "quality_award_applications"); n != 6 {
			t.Errorf("a refused file wrote: %d applications", n)
		}
		// Scores: a row naming an application not registered, a score above
		// its category's maximum.
		_, err = imp(t, s, awards.KindScores, "申报编号,评审员,领导（110分）,战略,顾客与市场,资源,过程管理,测量分析与改进,经营结果\nA-1,甲,80,60,60,90,70,50,300\nZ-9,甲,80,60,60,90,70,50,300\nA-1,乙,80,91,60,90,70,50,300\nA-1,甲,1,1,1,1,1,1,1\n")
		for _, want := range []string{"第 3 行 A 列（申报编号）：申报编号“Z-9”尚未登记", "第 4 行 D 列（战略）：得分 91 超过“战略”类目满分 90 分", "第 5 行 B 列（评审员）：申报编号与评审员“A-1｜甲”与第 2 行重复"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("bad scores: %v; want %q", err, want)
			}
		}
		if n := count(t, db, "quality_award_scores"); n != 0 {
			t.Errorf("a refused score file wrote %d rows", n)
		}
		if _, err := imp(t, s, awards.KindScores, "申报编号,评审员,领导,战略,顾客与市场,资源,过程管理,测量、分析与改进,结果\nA-3,甲,80,60,60,90,70,50,300\nA-3,乙,82,62,61,92,71,52,310\nA-3,丙,10,10,10,10,10,10,10\n"); err != nil {
			t.Fatal(err)
		}
		app, err := s.Applications(ctx, cli, 2024)
		if err != nil || len(app) != 3 {
			t.Fatalf("applications of 2024: %d %v", len(app), err)
		}
		for _, a := range app {
			if a.AppNo == "A-3" && (a.Score.Reviewers != 3 || a.Score.Outliers != 1 || a.Score.Trimmed != 710 || a.Score.Mean != 503.33) {
				t.Errorf("A-3 aggregate %+v", a.Score)
			}
		}
		if _, err := s.Applications(ctx, auth.Principal{Login: "x", Roles: []auth.Role{auth.RoleReporter}}, 0); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("a reporter reads the scoring: %v", err)
		}

		zones := "示范区名称,行政区划代码,主导产业,创建主体,批准创建日期,验收期限,状态,验收或撤销日期\n" +
			"甲示范区,632800,盐湖化工,海西州人民政府,2022-06-30,2024-12-31,验收通过,2024-11-20\n" +
			"乙示范区,630100,清洁能源,西宁市人民政府,2024-03-15,,创建中,\n"
		if _, err := imp(t, s, awards.KindZones, zones); err != nil {
			t.Fatal(err)
		}
		_, err = imp(t, s, awards.KindZones, "示范区名称,行政区划代码,主导产业,创建主体,批准创建日期,状态,验收或撤销日期\n丙,632800,盐湖化工,x,2024-06-30,验收通过,2024-01-01\n丁,632800,盐湖化工,x,2024-06-30,创建中,2024-08-01\n戊,632800,盐湖化工,x,2024-06-30,验收通过,\n")
		for _, want := range []string{"第 2 行 G 列（验收或撤销日期）：验收或撤销日期 2024-01-01 早于批准创建日期 2024-06-30", "第 3 行 G 列（验收或撤销日期）：创建中的示范区不填写", "第 4 行 G 列（验收或撤销日期）：验收通过须填写日期"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("bad zones: %v; want %q", err, want)
			}
		}
		acts := "编号,年度,类型,名称,组织名称,行政区划代码,领域,奖项,日期\n" +
			"Q-1,2023,质量管理小组成果,降尘,甲,632801,盐湖化工,盐湖化工质量管理小组奖,2023-10-12\n"
		if _, err := imp(t, s, awards.KindActivities, acts); err != nil {
			t.Fatal(err)
		}
		_, err = imp(t, s, awards.KindActivities, "编号,年度,类型,名称,组织名称,行政区划代码,领域,奖项,日期\nQ-2,2023,质量管理小组成果,x,甲,632801,其他,清洁能源质量管理小组（班组）奖,2023-10-12\nQ-3,2023,群众性质量活动,x,甲,632801,盐湖化工,盐湖化工质量管理小组（班组）奖,2023-10-12\nQ-4,2023,质量管理小组成果,x,甲,632801,其他,特等奖,2021-10-12\n")
		for _, want := range []string{"第 2 行 H 列（奖项）：清洁能源质量管理小组（班组）奖只授予“清洁能源”领域", "第 3 行 H 列（奖项）：专项奖只授予质量管理小组或班组", "第 4 行 H 列（奖项）", "第 4 行 I 列（日期）：日期 2021-10-12 与年度 2023 不符"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("bad activities: %v; want %q", err, want)
			}
		}
		special, err := s.Activities(ctx, true)
		if err != nil || len(special) != 1 || special[0].Award != "盐湖化工质量管理小组（班组）奖" || !special[0].Special {
			t.Errorf("special awards: %+v %v", special, err)
		}

		r := indicator.NewRegistry()
		if err := awards.RegisterMetrics(r); err != nil {
			t.Fatal(err)
		}
		since := time.Date(2021, 12, 22, 0, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			key  string
			day  string
			want float64
		}{
			{awards.MetricAwardsSidi, "2022-12-19", 0}, {awards.MetricAwardsSidi, "2022-12-20", 1}, {awards.MetricAwardsSidi, "2025-06-30", 2}, // 盐湖甲 twice counts once
			{awards.MetricAwards, "2025-06-30", 3},
			{awards.MetricZonesAccepted, "2024-11-19", 0}, {awards.MetricZonesAccepted, "2024-11-20", 1},
			{awards.MetricZonesBuilding, "2023-01-01", 1}, {awards.MetricZonesBuilding, "2024-12-01", 1}, {awards.MetricZonesBuilding, "2024-04-01", 2},
		} {
			m, _ := r.Get(c.key)
			day, _ := time.ParseInLocation(time.DateOnly, c.day, time.FixedZone("CST", 8*3600))
			got, err := m.Compute(ctx, db.Reader(), since, day)
			if err != nil || got != c.want {
				t.Errorf("%s at %s = %v, %v; want %v", c.key, c.day, got, err, c.want)
			}
		}
	})
}

// TestMonitoring: scores by field and region with the change on the year
// before; prefecture codes only; the export imports back unchanged.
func TestMonitoring(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newService(t, db)
		body := "年度,领域,行政区划代码,得分,样本量,来源\n2023,公共交通,630100,76.5,1200,监测报告\n2024,公共交通,630100,74.25,1300,监测报告\n2024,公用事业,630000,80,,监测报告\n"
		if _, err := imp(t, s, awards.KindMonitoring, body); err != nil {
			t.Fatal(err)
		}
		l, err := s.Surveys(ctx, awards.SurveyFilter{Year: 2024, Field: "公共交通"})
		if err != nil || len(l) != 1 || l[0].Score != 74.25 || l[0].Change == nil || *l[0].Change != -2.25 {
			t.Fatalf("surveys: %+v %v", l, err)
		}
		_, err = imp(t, s, awards.KindMonitoring, "年度,领域,行政区划代码,得分,来源\n2024,公共交通,630102,70,x\n2024,邮政,630100,70,x\n2024,公共交通,630100,100.5,x\n")
		for _, want := range []string{"第 2 行 C 列（行政区划代码）：请填写全省（630000）或市州的区划代码", "第 3 行 B 列（领域）", "第 4 行 D 列（得分）"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("bad monitoring: %v; want %q", err, want)
			}
		}
		if _, err := s.Surveys(ctx, awards.SurveyFilter{Prefecture: "632801"}); !errors.Is(err, apperr.ErrInvalid) {
			t.Errorf("a county as prefecture: %v", err)
		}
		// Export → import changes nothing.
		var buf strings.Builder
		f, _ := kit.NewTableFile("csv", &buf)
		if err := kind(t, s, awards.KindMonitoring).Export(ctx, cli, f); err != nil {
			t.Fatal(err)
		}
		f.Close()
		rep, err := imp(t, s, awards.KindMonitoring, buf.String())
		if err != nil || rep.Unchanged != 3 {
			t.Errorf("round trip: %+v %v", rep, err)
		}
	})
}

// TestDemo seeds once; a second run adds nothing; the demo meets both
// range targets (6 organisations serving “四地”, 1 zone accepted).
func TestDemo(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	s := awards.NewService(db, enterprise.NewService(db))
	n, err := awards.SeedDemo(ctx, s, cli)
	if err != nil || n == 0 {
		t.Fatalf("demo: %d %v", n, err)
	}
	if n, err = awards.SeedDemo(ctx, s, cli); err != nil || n != 0 {
		t.Fatalf("second demo run: %d %v", n, err)
	}
	r := indicator.NewRegistry()
	awards.RegisterMetrics(r)
	for key, want := range map[string]float64{awards.MetricAwardsSidi: 6, awards.MetricZonesAccepted: 1} {
		m, _ := r.Get(key)
		if got, err := m.Compute(ctx, db.Reader(), time.Date(2021, 12, 22, 0, 0, 0, 0, time.UTC), time.Now()); err != nil || got != want {
			t.Errorf("%s = %v %v; want %v", key, got, err, want)
		}
	}
}

// TestCategoriesFile: the scheme in testdata (with its sources in the
// README) is the one the package scores by.
func TestCategoriesFile(t *testing.T) {
	b, err := os.ReadFile("testdata/gbt19580_categories.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil || len(rows) != len(awards.Categories)+1 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	for i, c := range awards.Categories {
		if r := rows[i+1]; r[1] != c.Name || r[2] != strconv.Itoa(c.Max) {
			t.Errorf("row %d: %v, package has %s %d", i+2, r, c.Name, c.Max)
		}
	}
}

// TestEnterpriseSection: an awarded organisation's page lists the award
// and its QC-circle result; a pending application and scores do not show.
func TestEnterpriseSection(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	ent := enterprise.NewService(db)
	s := awards.NewService(db, ent)
	if _, err := awards.SeedDemo(ctx, s, cli); err != nil {
		t.Fatal(err)
	}
	var id, pending int64
	db.Reader().QueryRow(`SELECT enterprise_id FROM quality_award_applications WHERE app_no = 'DEMO-ZLJ-2022-01'`).Scan(&id)
	db.Reader().QueryRow(`SELECT enterprise_id FROM quality_award_applications WHERE app_no = 'DEMO-ZLJ-2024-05'`).Scan(&pending)
	if id == 0 || pending == 0 {
		t.Fatalf("demo organisations not linked to the directory: %d %d", id, pending)
	}
	sec, err := s.EnterpriseSection(ctx, auth.Principal{}, id)
	if err != nil || len(sec.Items) != 1 || !strings.Contains(sec.Items[0].Label, "2022 年青海省质量奖") {
		t.Errorf("section: %+v %v", sec, err)
	}
	if sec, err = s.EnterpriseSection(ctx, auth.Principal{}, pending); err != nil || len(sec.Items) != 0 {
		t.Errorf("a pending application shows: %+v %v", sec, err)
	}
}
