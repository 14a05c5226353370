package bizenv

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/org"
)

const demoFees = "清单,收费单位,单位性质,收费项目,收费性质,服务内容,收费标准,政策依据,列入日期,取消日期\n" +
	"经营服务性收费," + DemoLabel + "演示市供水公司,国有企业,供水管网接入工程费,政府定价,新建用户管网接入,按演示标准收取,演示价格主管部门文件（演示）,2024-01-01,\n" +
	"经营服务性收费," + DemoLabel + "演示检测中心,事业单位,机动车安全技术检验费,政府指导价,机动车安全技术检验,按车型收取（演示）,演示价格主管部门文件（演示）,2024-01-01,\n" +
	"行政事业性收费," + DemoLabel + "演示自然资源部门,行政机关,不动产登记费,缴入地方国库,不动产登记,按件收取（演示）,演示财政部门文件（演示）,2024-01-01,\n"

// SeedDemo adds labelled demo measures, oversight records, fee entries and
// cases, business starts and campaigns once (a second run adds nothing)
// and reports how many records it added.
func SeedDemo(ctx context.Context, s *Service, p auth.Principal) (int, error) {
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM fair_measures WHERE demo = 1`).Scan(&n); err != nil || n > 0 {
		return 0, err
	}
	ids := map[string]int64{}
	for _, code := range []string{"qh-samr", "qh-drc", "qh-com", "630100", "632800", "630200"} {
		var id int64
		err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil // no department directory: nothing to attach demo records to
		}
		if err != nil {
			return 0, err
		}
		ids[code] = id
	}
	added := 0
	// Fair-competition review: one issued, one on the exception path, one
	// refused, one still in review.
	type demoMeasure struct {
		dept, title, kind, drafted, restrict, result string
		issue                                        bool
	}
	for _, dm := range []demoMeasure{
		{"qh-com", "青海省促进外贸稳规模优结构若干措施", "规范性文件", "2024-09-02", "", ConclusionPass, true},
		{"qh-drc", "青海省盐湖资源综合利用产业扶持办法", "规范性文件", "2024-10-08", "10.2", ConclusionException, true},
		{"630100", "西宁市建筑材料本地优先采购的通知", "其他政策性文件", "2024-11-12", "9.3", ConclusionFail, false},
		{"632800", "海西州招商引资奖励办法（征求意见稿）", "规范性文件", "2025-05-06", "", "", false},
		{"630200", "海东市加快发展农牧业产业化若干措施", "其他政策性文件", "2023-03-01", "", ConclusionPass, true},
	} {
		m, err := s.CreateMeasure(ctx, p, NewMeasure{DeptID: ids[dm.dept], Title: DemoLabel + dm.title, DocKind: dm.kind, DraftedOn: dm.drafted, Summary: "演示用政策措施草案", Demo: true})
		if err != nil {
			return added, fmt.Errorf("bizenv: demo measure: %w", err)
		}
		added++
		c, _ := ChecklistVersion(m.Checklist)
		var as []Answer
		for _, it := range c.Items() {
			a := Answer{Item: it.Code, Verdict: VerdictClear}
			if it.Code == dm.restrict {
				a.Verdict, a.Note = VerdictRestricts, "演示：存在限制竞争的条款"
			}
			as = append(as, a)
		}
		if _, err := s.Answer(ctx, p, m.ID, as); err != nil {
			return added, err
		}
		day := kit.AddDays(dm.drafted, 10)
		if _, err := s.AddOpinion(ctx, p, m.ID, Opinion{Kind: "stakeholder", Source: DemoLabel + "有关行业协会", Content: "演示意见：建议扩大适用对象", ReceivedOn: day, Adopted: true}); err != nil {
			return added, err
		}
		if _, err := s.AddOpinion(ctx, p, m.ID, Opinion{Kind: "expert", Source: DemoLabel + "竞争政策专家", Content: "演示意见：符合审查标准", ReceivedOn: day}); err != nil {
			return added, err
		}
		if dm.result == "" {
			continue
		}
		con := Conclusion{Result: dm.result, Note: "演示审查结论", On: kit.AddDays(dm.drafted, 20)}
		if dm.result == ConclusionException {
			con.Ground, con.Alternative, con.Limit = "12.3", "演示：无对竞争影响更小的替代方案", "实施期限至 2027-12-31"
		}
		if _, err := s.Conclude(ctx, p, m.ID, con); err != nil {
			return added, err
		}
		if dm.issue {
			if _, err := s.Issue(ctx, p, m.ID, fmt.Sprintf("演示〔%s〕%d号", dm.drafted[:4], m.ID), kit.AddDays(dm.drafted, 30)); err != nil {
				return added, err
			}
		}
	}
	for _, o := range []Oversight{
		{DeptID: ids["qh-samr"], Kind: "spotcheck", MeasureTitle: DemoLabel + "2024 年度增量政策措施抽查（20 件）", Source: "青海省市场监督管理局", Content: "随机抽取各市州 2024 年出台的政策措施", ReceivedOn: "2025-03-03", ClosedOn: "2025-04-15", Result: "rectify", ResultNote: "2 件督促整改"},
		{DeptID: ids["qh-samr"], Kind: "complaint", MeasureTitle: DemoLabel + "某县限定使用本地商砼的通知", Source: "某建材公司（演示）", Content: "要求工程项目使用本地商砼", ReceivedOn: "2025-04-08", ClosedOn: "2025-05-06", Result: "rectify", ResultNote: "已督促废止"},
		{DeptID: ids["632800"], Kind: "complaint", MeasureTitle: DemoLabel + "某园区入驻企业须在本地纳税的规定", Source: "匿名（演示）", Content: "以本地纳税为享受奖励前提", ReceivedOn: "2025-05-20"},
	} {
		o.Demo = true
		c, err := s.CreateOversight(ctx, p, o)
		if err != nil {
			return added, err
		}
		added++
		if o.ClosedOn != "" {
			if _, err := s.CloseOversight(ctx, p, c.ID, o.Result, o.ResultNote, o.ClosedOn); err != nil {
				return added, err
			}
		}
	}
	// Fees: demo list entries, then complaints checked against the lists.
	rep, err := s.ImportFees(ctx, p, kit.BytesSource("demo-fees.csv", []byte(demoFees)), kit.ImportOptions{})
	if err != nil {
		return added, fmt.Errorf("bizenv: demo fees: %w", err)
	}
	added += rep.Created
	for i, c := range []FeeCase{
		{DeptID: ids["630100"], Kind: "complaint", Party: DemoLabel + "演示市供水公司", Charge: "供水管网接入工程费", Amount: "12000", Field: "水电气暖等公用事业", ReceivedOn: "2025-02-11"},
		{DeptID: ids["630100"], Kind: "complaint", Party: DemoLabel + "某行业协会", Charge: "会员单位评比达标费", Amount: "3000", Field: "行业协会商会", ReceivedOn: "2025-03-19"},
		{DeptID: ids["632800"], Kind: "case", Party: DemoLabel + "某银行支行", Charge: "账户管理费", Amount: "600", Field: "银行", ReceivedOn: "2025-04-22"},
	} {
		c.RefNo, c.Demo = fmt.Sprintf("DEMO-SF-2025-%02d", i+1), true
		if _, err := s.CreateFeeCase(ctx, p, c); err != nil {
			return added, err
		}
		added++
	}
	// Business starts: 2024-01 to 2025-06, every prefecture.
	rep, err = s.ImportStarts(ctx, p, kit.BytesSource("demo-business-starts.csv", []byte(demoStarts())), kit.ImportOptions{})
	if err != nil {
		return added, fmt.Errorf("bizenv: demo starts: %w", err)
	}
	added += rep.Created
	// Advertising.
	for _, c := range []struct {
		Campaign
		places []Placement
	}{
		{Campaign{DeptID: ids["qh-samr"], Title: DemoLabel + "大美青海·生态之窗公益广告", Theme: "生态保护", StartOn: "2025-03-01", EndOn: "2025-08-31"}, []Placement{
			{Medium: "电视", Outlet: "省级电视台（演示）", Region: "630000", StartOn: "2025-03-01", EndOn: "2025-03-31", Quantity: 90},
			{Medium: "户外", Outlet: "西宁站广场大屏（演示）", Region: "630100", StartOn: "2025-04-01", EndOn: "2025-05-31", Quantity: 2},
			{Medium: "户外", Outlet: "格尔木公交站牌（演示）", Region: "632801", StartOn: "2025-04-01", EndOn: "2025-06-30", Quantity: 30}}},
		{Campaign{DeptID: ids["630100"], Title: DemoLabel + "诚信经营·放心消费公益广告", Theme: "消费维权", StartOn: "2024-03-01", EndOn: "2024-03-31"}, []Placement{
			{Medium: "网络", Outlet: "城市生活号（演示）", Region: "630100", StartOn: "2024-03-01", EndOn: "2024-03-31", Quantity: 12},
			{Medium: "广播", Outlet: "交通广播（演示）", Region: "630100", StartOn: "2024-03-10", EndOn: "2024-03-20", Quantity: 40}}},
	} {
		c.Demo = true
		got, err := s.CreateCampaign(ctx, p, c.Campaign)
		if err != nil {
			return added, err
		}
		added++
		for _, pl := range c.places {
			if _, err := s.AddPlacement(ctx, p, got.ID, pl); err != nil {
				return added, err
			}
		}
	}
	return added, nil
}

// demoStarts is a deterministic file of handling records: some 20 a month
// per prefecture, most within the commitment, some registrations and a
// few whole starts slower.
func demoStarts() string {
	var b strings.Builder
	b.WriteString(strings.Join(kit.Header(StartColumns()), ",") + "\n")
	seq := 0
	x := uint32(2463534242)
	rnd := func(n int) int { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return int(x % uint32(n)) }
	for m := 0; m < 18; m++ {
		month := time.Date(2024, time.Month(1+m), 1, 0, 0, 0, 0, time.UTC)
		for pi, pr := range org.Prefectures() {
			count := 4 + rnd(6)
			if pi == 0 {
				count += 10 // 西宁
			}
			for i := 0; i < count; i++ {
				seq++
				sub := month.AddDate(0, 0, rnd(27)).Add(time.Duration(9*60+rnd(420)) * time.Minute)
				reg := sub.Add(time.Duration(60+rnd(300)) * time.Minute)
				if rnd(10) == 0 {
					reg = reg.Add(time.Duration(6+rnd(20)) * time.Hour) // a slow registration
				}
				stage := func(max int) string { return reg.Add(time.Duration(20+rnd(max)) * time.Minute).Format(timeLayout) }
				bank := reg.Add(time.Duration(60+rnd(600)) * time.Minute)
				if rnd(15) == 0 {
					bank = bank.Add(30 * time.Hour) // a slow bank account: the start runs over
				}
				fmt.Fprintf(&b, "DEMO-KB-%06d,%s演示企业%05d有限公司,,有限责任公司,%s,%s,%s,%s,%s,%s,%s,%s,%s\n",
					seq, DemoLabel, seq, pr.Code, sub.Format(timeLayout), bank.Format(timeLayout), reg.Format(timeLayout),
					stage(200), stage(400), stage(300), stage(300), bank.Format(timeLayout))
			}
		}
	}
	return b.String()
}
