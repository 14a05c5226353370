package protect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"sidi/internal/auth"
	"sidi/internal/kit"
)

// DemoLabel marks demo records.
const DemoLabel = "【演示数据】"

const demoOutlets = "网点名称,级别,行政区划代码,服务内容,联系方式\n" +
	DemoLabel + "青海省知识产权公共服务演示网点,省级,630100,专利商标咨询；维权援助；信息检索,0971-0000001（演示）\n" +
	DemoLabel + "格尔木市知识产权服务演示站,县级,632801,商标受理窗口；地理标志指导,0979-0000002（演示）\n"

const demoOperations = "登记号,运营类型,权利类型,权利号,出让人/许可人/出质人,受让人/被许可人/质权人,金额（元）,行政区划代码,登记日期\n" +
	"DEMO-ZY-2024-01,质押,专利,ZL2020DEMO0001.X," + DemoLabel + "演示盐湖化工公司,演示银行青海省分行,30000000,632801,2024-05-10\n" +
	"DEMO-ZY-2025-01,质押,商标,DEMO12345678," + DemoLabel + "演示牦牛乳业公司,演示银行西宁分行,8000000,630100,2025-03-18\n" +
	"DEMO-ZR-2025-01,转让,专利,ZL2021DEMO0002.3," + DemoLabel + "演示大学,演示新能源公司,450000,630100,2025-04-02\n" +
	"DEMO-XK-2025-01,许可,地理标志,DEMO-GI-01," + DemoLabel + "演示枸杞协会,演示枸杞合作社,0,632800,2025-05-06\n"

// SeedDemo adds the labelled demo outlets, operations, cases and requests
// once (a second run adds nothing) and reports how many it added.
func SeedDemo(ctx context.Context, s *Service, p auth.Principal) (int, error) {
	added := 0
	for _, f := range []struct {
		name, body string
		imp        func(context.Context, auth.Principal, kit.Source, kit.ImportOptions) (kit.ImportReport, error)
	}{{"demo-outlets.csv", demoOutlets, s.ImportOutlets}, {"demo-operations.csv", demoOperations, s.ImportOperations}} {
		rep, err := f.imp(ctx, p, kit.BytesSource(f.name, []byte(f.body)), kit.ImportOptions{})
		if err != nil {
			return added, fmt.Errorf("protect: demo %s: %w", f.name, err)
		}
		added += rep.Created
	}
	var n int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM ip_cases WHERE demo = 1`).Scan(&n); err != nil || n > 0 {
		return added, err
	}
	dept := func(code string) (int64, error) {
		var id int64
		err := s.db.Reader().QueryRowContext(ctx, `SELECT id FROM departments WHERE code = $1`, code).Scan(&id)
		return id, err
	}
	xn, err := dept("630100")
	if errors.Is(err, sql.ErrNoRows) {
		return added, nil // no department directory: no cases to hang
	}
	if err != nil {
		return added, err
	}
	hx, err := dept("632800")
	if err != nil {
		return added, err
	}
	today := s.today()
	cases := []struct {
		n     NewCase
		steps []CaseStep
	}{
		{NewCase{CaseNo: "DEMO-西市监知罚〔演示〕1号", Kind: KindTrademark, DeptID: xn, Subject: DemoLabel + "销售假冒“演示牦牛”注册商标的奶粉", Party: DemoLabel + "西宁演示商贸有限公司", DiscoveredOn: kit.AddDays(today, -60)},
			[]CaseStep{{Action: StepFile, On: kit.AddDays(today, -55)}, {Action: StepInvestigate, On: kit.AddDays(today, -54)},
				{Action: StepPenalize, On: kit.AddDays(today, -10), DecisionNo: "西市监罚〔演示〕8号", Violation: DemoLabel + "销售侵犯注册商标专用权的商品", Penalty: "没收侵权商品，罚款", Fine: "25000"},
				{Action: StepPublish}}},
		{NewCase{CaseNo: "DEMO-海西市监知〔演示〕2号", Kind: KindGI, DeptID: hx, Subject: DemoLabel + "擅自使用“演示高原枸杞”地理标志", Party: DemoLabel + "演示枸杞经营部", DiscoveredOn: kit.AddDays(today, -100)},
			[]CaseStep{{Action: StepFile, On: kit.AddDays(today, -95)}, {Action: StepInvestigate, On: kit.AddDays(today, -90)}}},
		{NewCase{CaseNo: "DEMO-西市监专〔演示〕3号", Kind: KindPatent, DeptID: xn, Subject: DemoLabel + "假冒专利标识", Party: DemoLabel + "演示器械公司", DiscoveredOn: kit.AddDays(today, -3)}, nil},
	}
	for _, c := range cases {
		c.n.Demo = true
		x, err := s.CreateCase(ctx, p, c.n)
		if err != nil {
			return added, fmt.Errorf("protect: demo case: %w", err)
		}
		for _, st := range c.steps {
			if _, err := s.Step(ctx, p, x.ID, st); err != nil {
				return added, fmt.Errorf("protect: demo case %s %s: %w", c.n.CaseNo, st.Action, err)
			}
		}
		added++
	}
	for _, a := range []Assist{
		{ReqNo: "DEMO-YZ-01", Kind: AssistKind, DeptID: xn, Applicant: DemoLabel + "演示科技公司", Matter: "海外展会专利侵权应对", ReceivedOn: kit.AddDays(today, -45), Demo: true},
		{ReqNo: "DEMO-TJ-01", Kind: MediationKind, DeptID: hx, Applicant: DemoLabel + "演示合作社", Respondent: DemoLabel + "演示电商", Matter: "商标许可使用费纠纷", ReceivedOn: kit.AddDays(today, -20), Demo: true},
	} {
		if _, err := s.CreateAssist(ctx, p, a); err != nil {
			return added, fmt.Errorf("protect: demo request: %w", err)
		}
		added++
	}
	return added, nil
}
