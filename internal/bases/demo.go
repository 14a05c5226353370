package bases

import (
	"context"
	"fmt"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
)

// DemoNote marks every demo record; pages show a 演示 badge for them.
const DemoNote = "【演示数据】本条为系统演示用虚构记录，基地名称、经营主体、代码和数字均非真实信息。"

type demoBase struct {
	name, kind, pref, county, operator string
	scale                              int
	standards                          []string
	recognised                         string // date, or "" while being built
	reviewed                           string
	revoked                            string
}

func demoBases() []demoBase {
	yakStd := []string{"DB63/T 9002—2023", "DB63/T 9005—2024"}
	sheepStd := []string{"DB63/T 9010—2022"}
	return []demoBase{
		{"祁连县千头牦牛标准化生产基地（演示）", KindYak, "海北州", "祁连县", "祁连县演示牦牛养殖专业合作社", 1260, yakStd, "2022-09-15", "2024-09-20", ""},
		{"刚察县千头牦牛标准化生产基地（演示）", KindYak, "海北州", "刚察县", "刚察县演示生态畜牧业合作社", 1080, yakStd, "2023-06-30", "", ""},
		{"泽库县千头牦牛标准化生产基地（演示）", KindYak, "黄南州", "泽库县", "泽库县演示有机畜牧业合作社", 1530, yakStd, "2023-08-10", "", ""},
		{"玛沁县千头牦牛标准化生产基地（演示）", KindYak, "果洛州", "玛沁县", "玛沁县演示牦牛产业公司", 2100, yakStd, "2022-11-01", "", ""},
		{"久治县千头牦牛标准化生产基地（演示）", KindYak, "果洛州", "久治县", "久治县演示牧业合作社", 1010, yakStd, "2024-05-20", "", ""},
		{"称多县千头牦牛标准化生产基地（演示）", KindYak, "玉树州", "称多县", "称多县演示牦牛繁育合作社", 1320, yakStd, "2024-07-01", "", ""},
		{"杂多县千头牦牛标准化生产基地（演示）", KindYak, "玉树州", "杂多县", "杂多县演示生态牧业合作社", 860, yakStd, "", "", ""},
		{"兴海县千头牦牛标准化生产基地（演示）", KindYak, "海南州", "兴海县", "兴海县演示牦牛养殖合作社", 1150, yakStd, "2023-03-18", "", "2025-03-31"},
		{"天峻县千头牦牛标准化生产基地（演示）", KindYak, "海西州", "天峻县", "天峻县演示畜牧业合作社", 1040, yakStd, "", "", ""},

		{"海晏县千只藏羊标准化规模养殖场（演示）", KindSheep, "海北州", "海晏县", "海晏县演示藏羊养殖专业合作社", 1800, sheepStd, "2022-10-12", "", ""},
		{"共和县千只藏羊标准化规模养殖场（演示）", KindSheep, "海南州", "共和县", "共和县演示藏羊产业公司", 2400, sheepStd, "2023-05-06", "2025-05-08", ""},
		{"贵南县千只藏羊标准化规模养殖场（演示）", KindSheep, "海南州", "贵南县", "贵南县演示草畜合作社", 1100, sheepStd, "2024-04-15", "", ""},
		{"河南县千只藏羊标准化规模养殖场（演示）", KindSheep, "黄南州", "河南蒙古族自治县", "河南县演示欧拉羊合作社", 1650, sheepStd, "2023-09-01", "", ""},
		{"乌兰县千只藏羊标准化规模养殖场（演示）", KindSheep, "海西州", "乌兰县", "乌兰县演示藏羊养殖合作社", 1200, sheepStd, "2024-08-08", "", ""},
		{"湟源县千只藏羊标准化规模养殖场（演示）", KindSheep, "西宁市", "湟源县", "湟源县演示畜牧公司", 950, sheepStd, "", "", ""},
		{"化隆县千只藏羊标准化规模养殖场（演示）", KindSheep, "海东市", "化隆回族自治县", "化隆县演示养殖专业合作社", 1300, sheepStd, "", "", ""},

		{"门源县草畜配套生态牧场（演示）", KindRanch, "海北州", "门源回族自治县", "门源县演示生态牧场合作社", 3200, nil, "2023-07-20", "", ""},
		{"同德县草畜配套生态牧场（演示）", KindRanch, "海南州", "同德县", "同德县演示草业合作社", 2600, nil, "2024-06-12", "", ""},
		{"甘德县草畜配套生态牧场（演示）", KindRanch, "果洛州", "甘德县", "甘德县演示生态畜牧业合作社", 1900, nil, "", "", ""},
		{"治多县草畜配套生态牧场（演示）", KindRanch, "玉树州", "治多县", "治多县演示牧场合作社", 2800, nil, "2024-10-09", "", ""},
		{"互助县草畜配套生态牧场（演示）", KindRanch, "海东市", "互助土族自治县", "互助县演示草畜公司", 1500, nil, "", "", ""},

		{"共和县规模肉畜产品经营主体标准化生产县（演示）", KindCounty, "海南州", "共和县", "", 0, yakStd, "2024-11-15", "", ""},
		{"祁连县规模肉畜产品经营主体标准化生产县（演示）", KindCounty, "海北州", "祁连县", "", 0, yakStd, "2025-01-10", "", ""},
		{"都兰县规模肉畜产品经营主体标准化生产县（演示）", KindCounty, "海西州", "都兰县", "", 0, nil, "", "", ""},
		{"大通县规模肉畜产品经营主体标准化生产县（演示）", KindCounty, "西宁市", "大通回族土族自治县", "", 0, nil, "", "", ""},
	}
}

// demoCreditCode makes a valid credit code for the n-th demo operator of a
// county: 9 (农业) 3 (农民专业合作社), the county's code, "MA" and seven digits.
func demoCreditCode(county string, n int) string {
	first := fmt.Sprintf("93%sMA%07d", county, 9000000+n)
	return first + string(creditcode.Check(first))
}

// SeedDemo adds the labelled demo bases unless demo bases already exist,
// and returns how many it added.
func SeedDemo(ctx context.Context, s *Service, p auth.Principal) (int, error) {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM bases WHERE demo = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("bases: demo: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	added := 0
	for i, d := range demoBases() {
		in := Input{Name: d.name, Kind: d.kind, Prefecture: d.pref, County: d.county, OperatorName: d.operator, Scale: d.scale,
			Standards: d.standards, Demo: true, Note: DemoNote,
			Materials: []Material{
				{Kind: MaterialPattern, Title: KindShort[d.kind] + "标准化生产模式图（演示）"},
				{Kind: MaterialLeaflet, Title: KindShort[d.kind] + "标准明白纸（演示）"},
			}}
		if d.kind == KindYak || d.kind == KindSheep {
			in.Materials = append(in.Materials, Material{Kind: MaterialRisk, Title: KindShort[d.kind] + "疫病与质量安全风险管控手册（演示）"})
		}
		if d.operator != "" {
			var region string
			if err := s.db.Reader().QueryRowContext(ctx, `SELECT region_code FROM departments WHERE kind = 'county' AND name = $1`, d.county).Scan(&region); err != nil {
				return added, fmt.Errorf("demo base %s: county %s: %w", d.name, d.county, err)
			}
			in.OperatorCreditCode = demoCreditCode(region, i)
		}
		b, err := s.Create(ctx, p, in)
		if err != nil {
			return added, fmt.Errorf("demo base %s: %w", d.name, err)
		}
		added++
		steps := []Step{}
		if d.recognised != "" {
			steps = append(steps, Step{Action: ActionRecognise, Date: d.recognised, Department: DefaultRecogniser, Note: "【演示数据】"})
		}
		if d.reviewed != "" {
			steps = append(steps, Step{Action: ActionReview, Date: d.reviewed, Result: "pass", Note: "【演示数据】复核通过"})
		}
		if d.revoked != "" {
			steps = append(steps, Step{Action: ActionRevoke, Date: d.revoked, Note: "【演示数据】存栏连续两年低于认定条件"})
		}
		for _, st := range steps {
			if _, err := s.Advance(ctx, p, b.ID, st); err != nil {
				return added, fmt.Errorf("demo base %s, %s: %w", d.name, ActionLabels[st.Action], err)
			}
		}
	}
	return added, nil
}
