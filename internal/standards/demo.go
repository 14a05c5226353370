package standards

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
)

// DemoNote marks every demo record; pages show a 演示 badge for them.
const DemoNote = "【演示数据】本条为系统演示用虚构记录，标准号与内容均非真实标准。"

type demoStd struct {
	in     Input
	stages []Step // for lifecycle demos: steps after 立项
}

func demoStandards() []demoStd {
	d := func(code, title, status, issued, impl, scope string, task int, tags ...string) demoStd {
		return demoStd{in: Input{Code: code, Title: title, Status: status, Issued: issued, Implemented: impl, Scope: scope, PlanTask: task, Tags: tags,
			Committee: "青海省农牧业标准化技术委员会（演示）", Department: "青海省市场监督管理局", Publisher: "青海省市场监督管理局",
			DraftingUnits: "演示起草单位", ICS: "67.120.10", CCS: "B43"}}
	}
	out := []demoStd{
		d("DB63/T 9001—2022", "牦牛肉干加工技术规程", "现行", "2022-06-01", "2022-07-01", "本文件规定了牦牛肉干的原料、加工工艺、质量要求和检验方法。", 1, "绿色有机农畜"),
		d("DB63/T 9002—2023", "高原牦牛放牧管理技术规范", "现行", "2023-03-10", "2023-04-10", "本文件规定了高原牦牛夏秋草场放牧与冬春补饲的技术要求。", 5, "绿色有机农畜"),
		d("DB63/T 9003—2015", "柴达木枸杞干果等级", "被代替", "2015-05-01", "2015-06-01", "本文件规定了柴达木枸杞干果的等级指标。", 0, "绿色有机农畜"),
		d("DB63/T 9003—2023", "柴达木枸杞干果等级", "现行", "2023-09-01", "2023-10-01", "本文件规定了柴达木枸杞干果的等级指标、检验方法和标志。", 1, "绿色有机农畜"),
		d("DB63/T 9004—2023", "盐湖资源动态监测技术规程", "现行", "2023-11-20", "2023-12-20", "本文件规定了盐湖卤水水位、水化学和资源量动态监测的技术要求。", 1, "盐湖"),
		d("DB63/T 9005—2024", "牦牛标准体系", "现行", "2024-02-01", "2024-03-01", "本文件给出了牦牛养殖、屠宰加工、产品质量和追溯的标准体系框架。", 1, "绿色有机农畜"),
		d("DB63/T 9006—2024", "生态旅游解说服务质量规范", "现行", "2024-05-15", "2024-06-15", "本文件规定了生态旅游景区解说服务的人员、内容和质量评价。", 1, "生态旅游"),
		d("DB63/T 9007—2025", "光伏治沙生态示范区建设规范", "即将实施", "2025-12-01", "2099-01-01", "本文件规定了光伏治沙生态示范区的选址、建设和生态监测要求。", 1, "清洁能源"),
		d("DB6328/T 9008—2024", "盐湖提锂卤水采输技术规范", "现行", "2024-08-01", "2024-09-01", "本文件规定了海西州盐湖提锂卤水采集与输送的技术要求。", 1, "盐湖"),
		d("T/QHNX 9009—2024", "有机枸杞种植技术规程", "现行", "2024-04-01", "2024-04-15", "团体标准：有机枸杞的种植、施肥和病虫害防治。", 0, "绿色有机农畜"),
		d("DB63/T 9010—2022", "黄牛与藏羊混合放牧草场管理规范", "现行", "2022-09-01", "2022-10-01", "本文件适用于黄牛、藏羊混合放牧的草场；白牦与黄牛不混群。", 0, "绿色有机农畜"),
	}
	out[3].in.Replaces = []string{"DB63/T 9003—2015"}
	drug := func(cat, variety, title, issued string) demoStd {
		return demoStd{in: Input{Kind: KindDrug, DrugCategory: cat, Variety: variety, Title: title, Status: "现行", Issued: issued, Implemented: issued,
			Department: "青海省药品监督管理局", Publisher: "青海省药品监督管理局", PlanTask: 1}}
	}
	out = append(out,
		drug("藏药材", "独一味（演示）", "藏药材质量标准 独一味（演示）", "2023-06-01"),
		drug("藏药材", "红景天（演示）", "藏药材质量标准 红景天（演示）", "2023-06-01"),
		drug("藏药材", "藏茵陈（演示）", "藏药材质量标准 藏茵陈（演示）", "2024-01-10"),
		drug("医疗机构制剂", "二十五味松石丸（演示）", "医疗机构制剂质量标准 二十五味松石丸（演示）", "2024-03-01"),
		drug("医疗机构制剂", "七十味珍珠丸（演示）", "医疗机构制剂质量标准 七十味珍珠丸（演示）", "2024-03-01"),
		demoStd{in: Input{Title: "青海省藏药材标准（第二册）", Status: "现行", Issued: "2024-10-01", Implemented: "2024-10-01", Publisher: "青海省药品监督管理局", PlanTask: 1,
			Scope: "收载藏药材质量标准的汇编（演示）。"}},
	)
	// Local standards taken through the workflow, one on the fast track.
	proj := func(title, projected string, fast bool, steps ...Step) demoStd {
		return demoStd{in: Input{Title: title, Status: "制修订中", ProjectDate: projected, FastTrack: fast, PlanTask: 1, Tags: InferTags(title),
			Committee: "青海省标准化技术委员会（演示）", Department: "青海省市场监督管理局"}, stages: steps}
	}
	out = append(out,
		proj("生态旅游者行为准则", "2023-01-05", false,
			Step{Stage: StageDrafting, Date: "2023-02-01"}, Step{Stage: StageConsultation, Date: "2023-05-01"}, Step{Stage: StageReview, Date: "2023-07-01"},
			Step{Stage: StageApproval, Date: "2023-08-01"}, Step{Stage: StagePublished, Date: "2023-10-10", Code: "DB63/T 9011—2023", Implemented: "2023-11-10"},
			Step{Stage: StageImplemented, Date: "2023-11-10"}),
		proj("城乡清洁取暖工程技术规范", "2024-01-15", true,
			Step{Stage: StageReview, Date: "2024-02-20", Note: "快速通道：采用成熟技术，直接进入审查"}, Step{Stage: StageApproval, Date: "2024-03-01"},
			Step{Stage: StagePublished, Date: "2024-03-25", Code: "DB63/T 9012—2024", Implemented: "2024-04-25"}),
		proj("渔业标准体系", "2025-03-01", false, Step{Stage: StageDrafting, Date: "2025-03-20"}),
	)
	return out
}

// SeedDemo adds the labelled demo standards, lifecycle steps and a release
// announcement unless demo records already exist. It returns how many
// records it added.
func SeedDemo(ctx context.Context, svc *Service, p auth.Principal) (int, error) {
	var n int
	if err := svc.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM standards WHERE demo = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("standards: demo: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	var announce []int64
	added := 0
	for _, d := range demoStandards() {
		in := d.in
		in.Demo, in.Note = true, DemoNote
		st, err := svc.Create(ctx, p, in)
		if err != nil {
			return added, fmt.Errorf("demo standard %s: %w", in.Title, err)
		}
		added++
		for _, step := range d.stages {
			if st, err = svc.Advance(ctx, p, st.ID, step); err != nil {
				return added, fmt.Errorf("demo standard %s, %s: %w", in.Title, StageLabels[step.Stage], err)
			}
		}
		if st.Family == FamilyLocal && st.Issued >= "2023-09-01" && st.Issued <= "2023-12-31" {
			announce = append(announce, st.ID)
		}
	}
	if len(announce) > 0 {
		if _, err := svc.PublishAnnouncement(ctx, p, AnnouncementInput{Number: "演示-2023年第9号", Title: "青海省市场监督管理局关于发布《柴达木枸杞干果等级》等地方标准的公告（演示）",
			Issuer: "青海省市场监督管理局", Issued: "2023-12-25", StandardIDs: announce, Demo: true}); err != nil {
			return added, err
		}
	}
	return added, nil
}

// LeadersDemoNote marks the demo enterprises and declarations of the
// 领跑者 demo.
const LeadersDemoNote = "【演示数据】本条为系统演示用虚构记录，企业、统一社会信用代码、企业标准与指标均非真实。"

// leadersDemoPrefix starts the name of every demo scheme.
const leadersDemoPrefix = "【演示数据】"

type demoDecl struct {
	ent, region, code string
	values            []string // one per core indicator, "" when not disclosed
}

type demoScheme struct {
	field, product, model string
	max                   int
	inds                  []CoreIndicator
	methods               []string
	decls                 []demoDecl
	published             bool // last year's, published; else this year's, in notice
}

func demoSchemes() []demoScheme {
	return []demoScheme{
		{field: "牦牛肉干", product: "牦牛肉干（演示）", model: "200 g 袋装", max: 2, published: true,
			inds: []CoreIndicator{
				{Name: "蛋白质", Unit: "g/100g", Direction: HigherBetter, Baseline: 30, Cuts: []float64{45, 38}},
				{Name: "水分", Unit: "g/100g", Direction: LowerBetter, Baseline: 20, Cuts: []float64{14, 17}},
			},
			methods: []string{"GB 5009.5", "GB 5009.3"},
			decls: []demoDecl{
				{"演示-青海高原牦牛食品有限公司", "630100", "Q/QHGY 0001S—2024", []string{"48.2", "12.5"}},
				{"演示-玉树雪域牦牛肉业有限公司", "632700", "Q/YSXY 0002S—2024", []string{"46.0", "13.6"}},
				{"演示-海北草原肉制品有限公司", "632200", "Q/HBCY 0003S—2024", []string{"40.1", "16.2"}},
				{"演示-果洛高原食品有限公司", "632600", "Q/GLGY 0004S—2024", []string{"29.0", "15.0"}},
			}},
		{field: "枸杞干果", product: "柴达木红枸杞干果（演示）", model: "250 g 罐装", max: 3,
			inds: []CoreIndicator{
				{Name: "枸杞多糖", Unit: "g/100g", Direction: HigherBetter, Baseline: 3.0, Cuts: []float64{4.0, 3.5}},
				{Name: "百粒重", Unit: "g", Direction: HigherBetter, Baseline: 13.0, Cuts: []float64{17.8, 15.6}},
			},
			methods: []string{"GB/T 18672", "GB/T 18672"},
			decls: []demoDecl{
				{"演示-柴达木红枸杞有限公司", "632800", "Q/CDM 0011S—2025", []string{"4.6", "18.5"}},
				{"演示-诺木洪枸杞产业有限公司", "632800", "Q/NMH 0012S—2025", []string{"4.2", "18.0"}},
				{"演示-都兰绿色枸杞有限公司", "632800", "Q/DLLS 0013S—2025", []string{"3.6", "16.0"}},
				{"演示-德令哈枸杞食品有限公司", "632800", "Q/DLH 0014S—2025", []string{"4.8", ""}},
			}},
	}
}

// SeedLeadersDemo adds labelled demo enterprises, their declared enterprise
// standards and two 领跑者 schemes unless demo schemes exist: last year's,
// ranked, noticed and published, and this year's, in public notice from
// today. It returns how many schemes it added.
func SeedLeadersDemo(ctx context.Context, svc *Service, p auth.Principal) (int, error) {
	var n int
	if err := svc.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM leader_schemes WHERE name LIKE $1`, leadersDemoPrefix+"%").Scan(&n); err != nil {
		return 0, fmt.Errorf("standards: leaders demo: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	existing, err := svc.Enterprises(ctx, p)
	if err != nil {
		return 0, fmt.Errorf("standards: leaders demo: %w", err)
	}
	byCode := map[string]int64{}
	for _, e := range existing {
		byCode[e.CreditCode] = e.ID
	}
	today := svc.today()
	year, _ := strconv.Atoi(today[:4])
	added, k := 0, 0
	for _, ds := range demoSchemes() {
		for _, d := range ds.decls {
			k++
			first17 := fmt.Sprintf("91%sMA7YKD%03d", d.region, k)
			code := first17 + string(CreditCheck(first17))
			id, ok := byCode[code]
			if !ok {
				e, err := svc.CreateEnterprise(ctx, p, EnterpriseInput{CreditCode: code, Name: d.ent, Demo: true, Note: LeadersDemoNote})
				if err != nil {
					return added, fmt.Errorf("demo enterprise %s: %w", d.ent, err)
				}
				id = e.ID
			}
			in := DeclarationInput{EnterpriseID: id, StandardCode: d.code, StandardTitle: ds.product, Committed: true, Demo: true, Note: LeadersDemoNote,
				Products: []Product{{Name: ds.product, Model: ds.model, Category: ds.field}}}
			for i, v := range d.values {
				if v != "" {
					c := ds.inds[i]
					in.Indicators = append(in.Indicators, Indicator{Name: c.Name, Unit: c.Unit, Value: v, TestMethod: ds.methods[i], Direction: c.Direction})
				}
			}
			if _, err := svc.Declare(ctx, p, in); err != nil && !errors.Is(err, apperr.ErrConflict) {
				return added, fmt.Errorf("demo declaration %s: %w", d.code, err)
			}
		}
		y, from := year, today
		if ds.published {
			y, from = year-1, kit.AddDays(today, -40)
		}
		sc, err := svc.CreateScheme(ctx, p, SchemeInput{Year: y, Field: ds.field, MaxLeaders: ds.max, NoticeDays: 10, Indicators: ds.inds,
			Name: fmt.Sprintf("%s%d 年度%s企业标准“领跑者”评估方案", leadersDemoPrefix, y, ds.field)})
		if err != nil {
			return added, fmt.Errorf("demo scheme %s: %w", ds.field, err)
		}
		if _, err := svc.RankScheme(ctx, p, sc.ID); err != nil {
			return added, fmt.Errorf("demo scheme %s: %w", ds.field, err)
		}
		if _, err := svc.StartNotice(ctx, p, sc.ID, from); err != nil {
			return added, fmt.Errorf("demo scheme %s: %w", ds.field, err)
		}
		if ds.published {
			if _, err := svc.PublishLeaders(ctx, p, sc.ID); err != nil {
				return added, fmt.Errorf("demo scheme %s: %w", ds.field, err)
			}
		}
		added++
	}
	return added, nil
}

// LinkDemoUser links the enterprise account login (the demo accounts'
// demo-enterprise) to the demo enterprise registered first, so the demo can declare
// standards and see 领跑者 rankings as an enterprise. It does nothing when
// the account is already linked to an enterprise or there is no demo
// enterprise yet, and reports whether it linked.
func LinkDemoUser(ctx context.Context, svc *Service, p auth.Principal, login string) (bool, error) {
	var linked int
	err := svc.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM user_enterprise ue JOIN users u ON u.id = ue.user_id WHERE u.login = $1`, login).Scan(&linked)
	if err != nil {
		return false, fmt.Errorf("standards: demo user link: %w", err)
	}
	if linked > 0 {
		return false, nil
	}
	es, err := svc.Enterprises(ctx, p)
	if err != nil {
		return false, fmt.Errorf("standards: demo user link: %w", err)
	}
	var first *Enterprise
	for i, e := range es {
		if e.Demo && (first == nil || e.ID < first.ID) {
			first = &es[i]
		}
	}
	if first == nil {
		return false, nil
	}
	if err := svc.LinkLogin(ctx, p, login, first.ID); err != nil {
		return false, fmt.Errorf("standards: link %s to %s: %w", login, first.Name, err)
	}
	return true, nil
}
