package pilots

import (
	"context"
	"errors"
	"fmt"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
)

type demoPilot struct {
	in         PilotInput
	deptCode   string
	steps      []Step
	milestones []MilestoneInput // DoneOn set: completed
	produced   []string         // codes of demo standards, linked when the registry has them
	applies    []string
}

func demoPilots() []demoPilot {
	pi := func(name, org, pref, field, level, summary string) PilotInput {
		return PilotInput{Name: name + "（演示）", OrgName: org + "（演示）", Prefecture: pref, Field: field, Level: level, Summary: summary,
			Contact: "演示联系人 0971-0000000", Demo: true, Note: DemoNote}
	}
	st := func(stage, date string) Step { return Step{Stage: stage, Date: date} }
	ms := func(title, due, done string) MilestoneInput {
		return MilestoneInput{Title: title, DueOn: due, DoneOn: done}
	}
	return []demoPilot{
		{in: pi("盐湖提锂全流程标准化试点", "青海盐湖示范锂业有限公司", "632800", "盐湖", "national", "围绕卤水采输、吸附提锂、产品检验建立企业标准体系并实施。"),
			deptCode: "qh-miit", steps: []Step{st(StageApproved, "2022-05-10"), st(StageConstruction, "2022-06-01"), st(StagePassed, "2024-11-20")},
			milestones: []MilestoneInput{ms("标准体系表编制", "2022-09-30", "2022-09-20"), ms("核心标准发布实施", "2023-12-31", "2024-01-15"), ms("自评估报告", "2024-09-30", "2024-09-28")},
			produced:   []string{"DB6328/T 9008—2024"}, applies: []string{"DB63/T 9004—2023"}},
		{in: pi("钾肥绿色生产标准化试点", "柴达木钾肥示范有限公司", "632800", "盐湖", "provincial", "钾肥生产节能降耗与尾矿综合利用标准化。"),
			deptCode: "qh-miit", steps: []Step{st(StageApproved, "2023-04-18"), st(StageConstruction, "2023-05-01")},
			milestones: []MilestoneInput{ms("能耗标准实施", "2024-06-30", "2024-06-10"), ms("尾矿利用标准宣贯", "2026-03-31", ""), ms("中期评估", "2026-12-15", "")}},
		{in: pi("光伏治沙生态示范区标准化试点", "共和光伏治沙示范园区管委会", "632500", "清洁能源", "national", "光伏板下种植、治沙与运维的标准综合体。"),
			deptCode: "qh-drc", steps: []Step{st(StageApproved, "2022-08-08"), st(StageConstruction, "2022-09-01"), st(StageExtended, "2025-06-30")},
			milestones: []MilestoneInput{ms("板下种植技术规程实施", "2023-06-30", "2023-06-20"), ms("运维标准体系建成", "2025-03-31", ""), ms("延期验收准备", "2026-12-20", "")},
			applies:    []string{"DB63/T 9007—2025"}},
		{in: pi("清洁取暖工程标准化试点", "海东市清洁供暖示范有限公司", "630200", "清洁能源", "provincial", "城乡清洁取暖工程设计、施工与运行标准化。"),
			deptCode: "qh-hurd", steps: []Step{st(StageApproved, "2024-03-05"), st(StageConstruction, "2024-04-01")},
			milestones: []MilestoneInput{ms("施工规范实施", "2024-10-31", "2024-10-30"), ms("运行评价", "2025-10-31", "")},
			applies:    []string{"DB63/T 9012—2024"}},
		{in: pi("风光储一体化标准化试点", "海西新能源示范集团", "632800", "清洁能源", "provincial", "风光储电站并网与运维标准化。"),
			deptCode: "qh-drc", steps: []Step{st(StageApproved, "2025-04-20")}},
		{in: pi("青海湖生态旅游服务标准化试点", "青海湖景区示范管理局", "632500", "生态旅游", "national", "景区解说、游客行为引导与生态保护服务标准化。"),
			deptCode: "qh-ct", steps: []Step{st(StageApproved, "2022-06-15"), st(StageConstruction, "2022-07-01"), st(StagePassed, "2025-05-28")},
			milestones: []MilestoneInput{ms("解说服务规范实施", "2023-05-31", "2023-05-10"), ms("游客满意度测评", "2024-10-31", "2024-11-30")},
			produced:   []string{"DB63/T 9006—2024", "DB63/T 9011—2023"}},
		{in: pi("祁连山乡村旅游服务标准化试点", "祁连县乡村旅游示范合作社", "632200", "生态旅游", "provincial", "民宿、牧家乐服务质量标准化。"),
			deptCode: "qh-ct", steps: []Step{st(StageApproved, "2023-07-01"), st(StageConstruction, "2023-08-01")},
			milestones: []MilestoneInput{ms("民宿服务标准实施", "2024-05-31", "2024-05-30"), ms("服务质量评价", "2026-06-30", "")}},
		{in: pi("三江源生态体验服务标准化试点", "玉树生态体验示范中心", "632700", "生态旅游", "provincial", "生态体验线路与向导服务标准化。"),
			deptCode: "qh-ct", steps: []Step{st(StageApproved, "2023-03-10"), st(StageRevoked, "2024-02-01")}},
		{in: pi("牦牛全产业链标准化试点", "果洛牦牛示范产业集团", "632600", "绿色有机农畜", "national", "牦牛养殖、屠宰、加工与追溯全链条标准综合体。"),
			deptCode: "qh-agri", steps: []Step{st(StageApproved, "2022-04-01"), st(StageConstruction, "2022-05-01"), st(StagePassed, "2025-03-15")},
			milestones: []MilestoneInput{ms("牦牛标准体系发布", "2023-12-31", "2024-02-01"), ms("追溯平台运行", "2024-12-31", "2024-12-20")},
			produced:   []string{"DB63/T 9005—2024", "DB63/T 9001—2022"}, applies: []string{"DB63/T 9002—2023"}},
		{in: pi("柴达木枸杞有机生产标准化试点", "诺木洪枸杞示范农场", "632800", "绿色有机农畜", "provincial", "有机枸杞种植、采收与分级标准化。"),
			deptCode: "qh-agri", steps: []Step{st(StageApproved, "2023-09-15"), st(StageConstruction, "2023-10-01"), st(StageFailed, "2026-09-10")},
			milestones: []MilestoneInput{ms("有机种植规程实施", "2024-06-30", "2024-06-30")},
			applies:    []string{"DB63/T 9003—2023", "T/QHNX 9009—2024"}},
		{in: pi("藏羊标准化养殖试点", "海北藏羊示范养殖合作社", "632200", "绿色有机农畜", "provincial", "藏羊高效养殖与草畜平衡标准化。"),
			deptCode: "qh-agri", steps: []Step{st(StageApproved, "2024-06-01"), st(StageConstruction, "2024-07-01")},
			milestones: []MilestoneInput{ms("养殖规范培训", "2024-12-31", "2024-12-15"), ms("草畜平衡监测", "2026-08-31", ""), ms("中期评估", "2027-03-31", "")}},
		{in: pi("高原冷水鱼标准化养殖试点", "龙羊峡冷水鱼示范有限公司", "632500", "绿色有机农畜", "provincial", "冷水鱼网箱养殖与质量安全标准化。"),
			deptCode: "qh-agri"},
	}
}

type demoProject struct {
	in      ProjectInput
	outputs []OutputInput
	rewards []RewardInput
}

func demoProjects() []demoProject {
	pj := func(num, name, prog, org, dept string, from, to, exp string) ProjectInput {
		return ProjectInput{Number: num, Name: name + "（演示）", Programme: prog, LeadOrg: org + "（演示）", Dept: dept, StartYear: from, EndYear: to, ExpectedOutputs: exp,
			Demo: true, Note: DemoNote}
	}
	rw := func(ent, code, level, role, amount, date string) RewardInput {
		return RewardInput{Enterprise: ent + "（演示）", StandardCode: code, Level: level, Role: role, Amount: amount, AwardedOn: date, Dept: "qh-samr",
			Policy: "青海省标准化奖励办法（演示）", Demo: true, Note: DemoNote}
	}
	return []demoProject{
		{in: pj("演示-2022-ZJ-901", "盐湖卤水提锂关键技术与标准研究", "重点研发与转化计划", "青海盐湖示范研究院", "qh-most", "2022", "2024", "3"),
			outputs: []OutputInput{{Standard: "DB6328/T 9008—2024"}, {Standard: "DB63/T 9004—2023"}, {Title: "盐湖卤水锂含量在线测定方法（演示）", Family: "national"}},
			rewards: []RewardInput{rw("青海盐湖示范锂业有限公司", "DB6328/T 9008—2024", "local", "formulate", "50000", "2025-03-20")}},
		{in: pj("演示-2023-ZJ-902", "牦牛肉品质评价与标准体系构建", "重点研发与转化计划", "青海牦牛示范研究所", "qh-most", "2023", "2025", "4"),
			outputs: []OutputInput{{Standard: "DB63/T 9005—2024"}, {Standard: "DB63/T 9001—2022"}, {Standard: "NY/T 9901—2027", Family: "sector"},
				{Standard: "ISO 9902", Title: "Yak meat — Specification（演示）", Family: "international", Issued: "2026-04-01"}},
			rewards: []RewardInput{rw("果洛牦牛示范产业集团", "ISO 9902", "international", "formulate", "30万", "2026-06-18"),
				rw("青海牦牛示范乳业有限公司", "DB63/T 9001—2022", "local", "revise", "20,000.00", "2024-12-10")}},
		{in: pj("演示-2024-JC-903", "光伏治沙生态效益评价方法研究", "基础研究计划", "青海新能源示范研究中心", "qh-most", "2024", "2026", "2"),
			outputs: []OutputInput{{Standard: "DB63/T 9007—2025"}, {Title: "光伏电站生态修复效果评价指南（演示）", Family: "group"}}},
	}
}

// SeedDemo adds the labelled demo pilots and S&T projects unless demo
// records already exist, linking them to the demo standards the registry
// holds. It returns how many pilots and projects it added.
func SeedDemo(ctx context.Context, svc *Service, p auth.Principal) (int, error) {
	var n int
	if err := svc.db.Reader().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM pilots WHERE demo = 1) + (SELECT COUNT(*) FROM sci_projects WHERE demo = 1)`).Scan(&n); err != nil {
		return 0, fmt.Errorf("pilots: demo: %w", err)
	}
	if n > 0 {
		return 0, nil
	}
	added := 0
	for _, d := range demoPilots() {
		in := d.in
		in.Dept = d.deptCode
		if len(d.steps) > 0 {
			in.AppliedOn = kit.AddDays(d.steps[0].Date, -60)
		} else {
			in.AppliedOn = "2026-10-15"
		}
		pl, err := svc.CreatePilot(ctx, p, in)
		if err != nil {
			return added, fmt.Errorf("demo pilot %s: %w", in.Name, err)
		}
		added++
		// Milestones are planned while the pilot runs; completions and the
		// closing steps follow in date order.
		steps := d.steps
		for len(steps) > 0 && (steps[0].Stage == StageApproved || steps[0].Stage == StageConstruction) {
			if pl, err = svc.Advance(ctx, p, pl.ID, steps[0]); err != nil {
				return added, fmt.Errorf("demo pilot %s: %w", in.Name, err)
			}
			steps = steps[1:]
		}
		for _, m := range d.milestones {
			if pl, err = svc.AddMilestone(ctx, p, pl.ID, m); err != nil {
				return added, fmt.Errorf("demo pilot %s, milestone %s: %w", in.Name, m.Title, err)
			}
		}
		for _, m := range pl.Milestones {
			for _, dm := range d.milestones {
				if dm.Title == m.Title && dm.DoneOn != "" {
					if pl, err = svc.CompleteMilestone(ctx, p, pl.ID, MilestoneInput{ID: m.ID, DoneOn: dm.DoneOn}); err != nil {
						return added, fmt.Errorf("demo pilot %s, milestone %s: %w", in.Name, m.Title, err)
					}
				}
			}
		}
		for _, step := range steps {
			if stageKey(step.Stage) == StageRevoked || stageKey(step.Stage) == StageFailed {
				step.Note = "演示：未按期开展建设，依申请撤销"
				if stageKey(step.Stage) == StageFailed {
					step.Note = "演示：核心标准实施率未达验收要求"
				}
			}
			if pl, err = svc.Advance(ctx, p, pl.ID, step); err != nil {
				return added, fmt.Errorf("demo pilot %s: %w", in.Name, err)
			}
		}
		if pl.Stage == StagePassed {
			upd := in
			upd.Outcomes = "（演示）形成“标准体系＋标杆企业＋培训推广”的试点模式：以标准体系表统筹技术、管理和工作标准，核心标准先在试点单位实施再向同行业推广；建立标准实施效果评价和年度复评机制。"
			if _, err := svc.UpdatePilot(ctx, p, pl.ID, upd); err != nil {
				return added, fmt.Errorf("demo pilot %s: %w", in.Name, err)
			}
		}
		link := func(codes []string, role string) error {
			for _, c := range codes {
				_, err := svc.LinkStandard(ctx, p, pl.ID, LinkInput{Standard: c, Role: role})
				if errors.Is(err, apperr.ErrInvalid) {
					continue // the demo standard is not in the registry: leave the link out
				}
				if err != nil {
					return fmt.Errorf("demo pilot %s, standard %s: %w", in.Name, c, err)
				}
			}
			return nil
		}
		if err := link(d.produced, RoleProduced); err != nil {
			return added, err
		}
		if err := link(d.applies, RoleApplies); err != nil {
			return added, err
		}
	}
	for _, d := range demoProjects() {
		pr, err := svc.CreateProject(ctx, p, d.in)
		if err != nil {
			return added, fmt.Errorf("demo project %s: %w", d.in.Name, err)
		}
		added++
		for _, o := range d.outputs {
			if _, err := svc.LinkOutput(ctx, p, pr.ID, o); err != nil {
				return added, fmt.Errorf("demo project %s, output %s%s: %w", d.in.Name, o.Standard, o.Title, err)
			}
		}
		for _, r := range d.rewards {
			r.ProjectID = pr.ID
			if _, err := svc.AddReward(ctx, p, r); err != nil {
				return added, fmt.Errorf("demo project %s, reward: %w", d.in.Name, err)
			}
		}
	}
	return added, nil
}
