package nqi

import (
	"context"
	"fmt"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/kit"
)

// demoCode makes a valid credit code for the demo's n-th organisation of
// a region (91, the region, "MA", seven digits, the check character).
func demoCode(region string, n int) string {
	first := fmt.Sprintf("91%sMA%07d", region, 6000000+n)
	return first + string(creditcode.Check(first))
}

var demoRegions = []string{"630100", "630200", "632200", "632300", "632500", "632600", "632700", "632800"}

func demoStandards() string {
	var b strings.Builder
	b.WriteString(strings.Join(kit.Header(StandardColumns), ",") + "\n")
	rows := [][]string{
		{"[2019]青量标证字第DEMO01号", "二等金属量器标准装置", DemoLabel + "青海省计量检定测试所（演示）", "630100", "（1~2000）L", "U=2.5×10⁻⁴（k=2）", "2019-06-20", "2027-06-19"},
		{"[2021]青量标证字第DEMO02号", "燃油加油机检定装置", DemoLabel + "海西州计量检定测试所（演示）", "632800", "（5~100）L/min", "MPE：±0.05%", "2021-09-01", "2025-08-31"},
		{"[2022]青量标证字第DEMO03号", "数字指示秤检定标准器组", DemoLabel + "海东市计量检定所（演示）", "630200", "（0~60）t", "M1 等级砝码", "2022-03-15", "2026-03-14"},
		{"[2023]青量标证字第DEMO04号", "血压计（表）检定装置", DemoLabel + "西宁市计量检定测试所（演示）", "630100", "（0~40）kPa", "MPE：±0.1 kPa", "2023-11-02", "2027-11-01"},
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "%s,%s,%s,,%s,%s,%s,%s,%s,\n", r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
	}
	return b.String()
}

func (s *Service) demoInstruments() string {
	today := s.today()
	var b strings.Builder
	b.WriteString(strings.Join(kit.Header(InstrumentColumns), ",") + "\n")
	rows := []struct {
		owner, region, typ, use string
		n, ago                  int // demo unit, days since the last verification
	}{
		{"演示加油站", "632800", "0601", "贸易结算", 1, 400}, // overdue
		{"演示加油站", "632800", "0601", "贸易结算", 1, 100},
		{"演示出租汽车公司", "630100", "0101", "贸易结算", 2, 350}, // due soon
		{"演示出租汽车公司", "630100", "0101", "贸易结算", 2, 30},
		{"演示农贸市场", "630200", "0801", "贸易结算", 3, 380}, // overdue
		{"演示人民医院", "632500", "1201", "医疗卫生", 4, 200},
		{"演示人民医院", "632500", "1401", "医疗卫生", 4, 500},   // overdue
		{"演示盐湖化工公司", "632800", "0901", "安全防护", 5, 170}, // due soon
		{"演示盐湖化工公司", "632800", "1101", "安全防护", 5, 60},
		{"演示自来水公司", "632200", "0301", "贸易结算", 6, 700},
	}
	for i, r := range rows {
		fmt.Fprintf(&b, "%s%s,%s,%s,%s,DEMO-%04d,%s,%s,,在用\n", DemoLabel, r.owner, demoCode(r.region, r.n), r.region, r.typ, i+1, r.use, kit.AddDays(today, -r.ago))
	}
	return b.String()
}

// demoCerts are organic, other voluntary and green building materials
// certificates from 2020 on, one a year per organisation: organic holders
// grow from 10 (2020) to 12 (2025), other voluntary holders by one a year.
func demoCerts() string {
	var b strings.Builder
	b.WriteString(strings.Join(kit.Header(CertColumns), ",") + "\n")
	organic := map[int]int{2020: 10, 2021: 10, 2022: 11, 2023: 11, 2024: 12, 2025: 12, 2026: 12}
	for y := 2020; y <= 2026; y++ {
		for i := 0; i < organic[y]; i++ {
			region := demoRegions[i%len(demoRegions)]
			fmt.Fprintf(&b, "1234OP%02d%05d,有机产品认证,有机产品认证（生产）,演示有机认证中心,%s演示有机牧场%02d,%s,%s,牦牛肉、藏羊肉,,%d-01-01,%d-12-31,有效,\n",
				y%100, i+1, DemoLabel, i+1, demoCode(region, 100+i), region, y, y)
		}
		for i := 0; i < 20+(y-2020); i++ {
			region := demoRegions[(i+3)%len(demoRegions)]
			fmt.Fprintf(&b, "DEMO-QMS-%d-%03d,自愿性认证,质量管理体系认证（GB/T 19001）,演示质量认证中心,%s演示制造企业%02d,%s,%s,产品的生产和服务,,%d-01-01,%d-12-31,有效,\n",
				y, i+1, DemoLabel, i+1, demoCode(region, 200+i), region, y, y)
		}
		if y >= 2023 {
			for i := 0; i < y-2021; i++ {
				region := demoRegions[(i*3)%len(demoRegions)]
				fmt.Fprintf(&b, "DEMO-LJC-%d-%02d,绿色建材产品认证,绿色建材产品分级认证（预拌混凝土）,演示建材认证中心,%s演示建材公司%02d,%s,%s,预拌混凝土,二星级,%d-01-01,%d-12-31,有效,\n",
					y, i+1, DemoLabel, i+1, demoCode(region, 300+i), region, y, y)
			}
		}
	}
	return b.String()
}

// SeedDemo adds the labelled demo standards, instruments, certificates and
// baselines once (a second run adds nothing) and reports how many it added.
func SeedDemo(ctx context.Context, s *Service, p auth.Principal) (int, error) {
	added := 0
	for _, f := range []struct {
		name, body string
		imp        func(context.Context, auth.Principal, kit.Source, kit.ImportOptions) (kit.ImportReport, error)
	}{{"demo-standards.csv", demoStandards(), s.ImportStandards}, {"demo-instruments.csv", s.demoInstruments(), s.ImportInstruments}, {"demo-certificates.csv", demoCerts(), s.ImportCerts}} {
		rep, err := f.imp(ctx, p, kit.BytesSource(f.name, []byte(f.body)), kit.ImportOptions{})
		if err != nil {
			return added, fmt.Errorf("nqi: demo %s: %w", f.name, err)
		}
		added += rep.Created
	}
	bs, err := s.Baselines(ctx)
	if err != nil {
		return added, err
	}
	for _, b := range bs {
		if b.UpdatedAt != "" {
			continue
		}
		value := map[string]string{MeasureOrganic: "10", MeasureVoluntary: ""}[b.Measure]
		if _, err := s.SetBaseline(ctx, p, BaselineInput{Measure: b.Measure, Year: "2020", Value: value,
			Source: DemoLabel + "演示基准：2020 年末数（演示值，实际使用时请填写认证认可统计或查询系统的来源和日期）"}); err != nil {
			return added, err
		}
		added++
	}
	return added, nil
}
