package patent

import (
	"context"
	"fmt"

	"sidi/internal/auth"
	"sidi/internal/kit"
)

// Sources of the real population figures (year-end resident population,
// 青海省统计局 releases as quoted by the pages below; found with the
// search tool, kept in testdata/population.csv).
const (
	src2022 = "青海省统计局 2022 年末常住人口发布（595 万人，比上年末增加 1 万人）http://gsdjw.com/news/sh/362464.html"
	src2024 = "青海省统计局 2024 年末常住人口（593 万人，2023、2024 年各减少 1 万人）https://www.fudaoke.com/exam/1933080.html"
	srcHN23 = "黄南藏族自治州 2023 年国民经济和社会发展统计公报（年末全州常住人口 28.2 万人，比上年末增加 0.1 万人）https://tjgb.hongheiku.com/djs/48336.html"
	srcHX22 = "《2022年海西州国民经济和社会发展统计公报》（年末常住人口 46.8 万人），转引自 http://s.www.hbzqbyyxgs.com/top/1DMNNjQx.html?action=djarticlelist&page=2&tabnum=13"
)

// RealPopulation are published Qinghai figures (not demo data). The
// province's 2021 and 2023 and 黄南州's 2022 are derived from the next year's release ("比上年末增加/减少 1 万人").
func RealPopulation() []Population {
	return []Population{
		{Year: 2021, Region: "630000", Persons: 5940000, Source: src2022 + "（由 2022 年数倒推）"},
		{Year: 2022, Region: "630000", Persons: 5950000, Source: src2022},
		{Year: 2023, Region: "630000", Persons: 5940000, Source: src2024 + "（由 2024 年数倒推）"},
		{Year: 2024, Region: "630000", Persons: 5930000, Source: src2024},
		{Year: 2022, Region: "632300", Persons: 281000, Source: srcHN23 + "（由 2023 年数倒推）"},
		{Year: 2023, Region: "632300", Persons: 282000, Source: srcHN23},
		{Year: 2022, Region: "632800", Persons: 468000, Source: srcHX22},
	}
}

// withCheck appends the check digit to twelve digits.
func withCheck(body string) string { return body + "." + string(CheckDigit(body)) }

// DemoPatents are labelled demo patents: one in each high-value category,
// one lapsed and one ordinary.
func DemoPatents() []Patent {
	h := DemoLabel + "青海演示盐湖化工有限公司"
	code := "91630100MA752XUH3X"
	return []Patent{
		{Number: withCheck("202110000001"), Title: DemoLabel + "一种盐湖卤水提锂的演示方法", Holder: h, HolderCode: code, Region: "632801", Prefecture: "632800", AppliedOn: "2021-03-01", GrantedOn: "2023-05-10", Strategic: true, Demo: true},
		{Number: withCheck("201910000002"), Title: DemoLabel + "演示光伏组件清洗装置", Holder: h, HolderCode: code, Region: "630105", Prefecture: "630100", AppliedOn: "2019-07-15", GrantedOn: "2021-09-01", Overseas: 2, Demo: true},
		{Number: withCheck("201210000003"), Title: DemoLabel + "演示枸杞多糖提取工艺", Holder: DemoLabel + "青海演示大学", Region: "630104", Prefecture: "630100", AppliedOn: "2012-04-20", GrantedOn: "2014-11-05", Demo: true},
		{Number: withCheck("201810000004"), Title: DemoLabel + "演示镁基合金材料", Holder: h, HolderCode: code, Region: "632802", Prefecture: "632800", AppliedOn: "2018-01-10", GrantedOn: "2020-06-30", PledgeFen: 1500 * 1000000, Demo: true},
		{Number: withCheck("201610000005"), Title: DemoLabel + "演示牦牛乳制品发酵方法", Holder: DemoLabel + "青海演示乳业有限公司", Region: "630121", Prefecture: "630100", AppliedOn: "2016-02-02", GrantedOn: "2018-08-08", Award: "第二十三届中国专利优秀奖（演示）", Demo: true},
		{Number: withCheck("201510000006"), Title: DemoLabel + "演示已失效的藜麦脱壳机", Holder: DemoLabel + "海东演示农机合作社", Region: "630202", Prefecture: "630200", AppliedOn: "2015-05-05", GrantedOn: "2017-01-01", LapsedOn: "2020-05-05", Strategic: true, Demo: true},
		{Number: withCheck("202210000007"), Title: DemoLabel + "演示普通发明专利", Holder: DemoLabel + "黄南演示唐卡工艺有限公司", Region: "632301", Prefecture: "632300", AppliedOn: "2022-06-06", GrantedOn: "2024-03-03", Demo: true},
	}
}

// DemoCerts are labelled demo GB/T 29490 certificates: one valid and
// the same enterprise's expired earlier one.
func DemoCerts() []Cert {
	return []Cert{
		{CertNo: "DEMO-IPM-0001", Body: "中知（北京）认证有限公司（演示）", Enterprise: DemoLabel + "青海演示盐湖化工有限公司", CreditCode: "91630100MA752XUH3X", Region: "632801", Prefecture: "632800",
			Scope: "盐湖化工产品研发、生产的知识产权管理（演示）", ValidFrom: "2023-06-01", ValidTo: "2026-05-31", Demo: true},
		{CertNo: "DEMO-IPM-0002", Body: "演示认证有限公司", Enterprise: DemoLabel + "青海演示盐湖化工有限公司", CreditCode: "91630100MA752XUH3X", Region: "632801", Prefecture: "632800",
			Scope: "上一周期证书，已过期（演示）", ValidFrom: "2019-01-01", ValidTo: "2021-12-31", Demo: true},
	}
}

// DemoNavigation are labelled demo navigation projects.
func DemoNavigation() []Navigation {
	return []Navigation{
		{Name: DemoLabel + "盐湖锂资源产业专利导航（演示）", Lead: DemoLabel + "青海演示盐湖化工有限公司", Year: 2023, Status: "ongoing", Region: "632800", Prefecture: "632800", Demo: true},
		{Name: DemoLabel + "清洁能源产业专利导航（演示）", Lead: DemoLabel + "青海演示大学", Year: 2022, Status: "accepted", Region: "630100", Prefecture: "630100", Demo: true},
	}
}

func items[T any](xs []T) []kit.Item[T] {
	out := make([]kit.Item[T], len(xs))
	for i, x := range xs {
		out[i] = kit.Item[T]{Row: i + 1, Val: x}
	}
	return out
}

// SeedDemo adds the demo records and the real population figures once.
func SeedDemo(ctx context.Context, s *Service, p auth.Principal) (int, error) {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM patents WHERE demo = 1) + (SELECT COUNT(*) FROM ipm_certs WHERE demo = 1)`).Scan(&n); err != nil {
		return 0, fmt.Errorf("patent: demo: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	if err := p.Require(Editors...); err != nil {
		return 0, err
	}
	file := kit.ImportReport{File: "sidi demo"}
	total := 0
	for _, w := range []func() (kit.BatchResult, error){
		func() (kit.BatchResult, error) { return populationKind.write(ctx, s, p, items(RealPopulation()), file) },
		func() (kit.BatchResult, error) { return patentKind.write(ctx, s, p, items(DemoPatents()), file) },
		func() (kit.BatchResult, error) { return certKind.write(ctx, s, p, items(DemoCerts()), file) },
		func() (kit.BatchResult, error) { return navKind.write(ctx, s, p, items(DemoNavigation()), file) },
	} {
		r, err := w()
		if err != nil {
			return 0, err
		}
		total += r.Created
	}
	return total, nil
}
