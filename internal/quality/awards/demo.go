package awards

import (
	"context"
	"fmt"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/kit"
)

// demoCode is a valid credit code for demo organisation n.
func demoCode(n int) string {
	b := fmt.Sprintf("91630000MA7QDM%03d", n)
	return b + string(creditcode.Check(b))
}

func demoApplications() string {
	var b strings.Builder
	b.WriteString("申报编号,年度,组织名称,统一社会信用代码,行政区划代码,组织类别,服务“四地”建设,“四地”领域,评审结果,授奖日期\n")
	for i, r := range []string{
		"DEMO-ZLJ-2022-01,2022,演示盐湖钾肥股份有限公司,%s,632801,制造业,是,世界级盐湖产业基地,获奖,2022-12-20",
		"DEMO-ZLJ-2022-02,2022,演示光伏新能源有限公司,%s,632800,制造业,是,国家清洁能源产业高地,获奖,2022-12-20",
		"DEMO-ZLJ-2022-03,2022,演示牦牛乳业有限公司,%s,630100,制造业,是,绿色有机农畜产品输出地,获奖,2022-12-20",
		"DEMO-ZLJ-2022-04,2022,演示市政工程有限公司,%s,630100,建筑业,否,,获奖,2022-12-20",
		"DEMO-ZLJ-2024-01,2024,演示盐湖镁业有限公司,%s,632801,制造业,是,世界级盐湖产业基地,获奖,2024-12-18",
		"DEMO-ZLJ-2024-02,2024,演示文旅集团有限公司,%s,632500,服务业,是,国际生态旅游目的地,获奖,2024-12-18",
		"DEMO-ZLJ-2024-03,2024,演示储能科技有限公司,%s,630100,制造业,是,国家清洁能源产业高地,获奖,2024-12-18",
		"DEMO-ZLJ-2024-04,2024,演示青稞酒业有限公司,%s,630200,制造业,是,绿色有机农畜产品输出地,提名奖,2024-12-18",
		"DEMO-ZLJ-2024-05,2024,演示锂电材料有限公司,%s,632800,制造业,是,世界级盐湖产业基地,评审中,",
	} {
		row := fmt.Sprintf(r, demoCode(i+1))
		row = strings.Replace(row, ",演示", ","+DemoLabel+"演示", 1)
		b.WriteString(row + "\n")
	}
	return b.String()
}

// demoScores: three reviewers for the winners of 2024, five for the
// pending application, one of whom scores far from the others.
const demoScores = "申报编号,评审员,领导,战略,顾客与市场,资源,过程管理,测量、分析与改进,结果\n" +
	"DEMO-ZLJ-2024-01,演示评审员甲,82,66,64,95,74,58,280\n" +
	"DEMO-ZLJ-2024-01,演示评审员乙,80,64,66,92,72,57,290\n" +
	"DEMO-ZLJ-2024-01,演示评审员丙,85,68,63,97,76,60,275\n" +
	"DEMO-ZLJ-2024-05,演示评审员甲,70,55,58,80,66,50,240\n" +
	"DEMO-ZLJ-2024-05,演示评审员乙,72,57,56,84,64,52,250\n" +
	"DEMO-ZLJ-2024-05,演示评审员丙,68,54,57,82,65,49,236\n" +
	"DEMO-ZLJ-2024-05,演示评审员丁,71,56,59,83,67,51,245.5\n" +
	"DEMO-ZLJ-2024-05,演示评审员戊,100,85,86,120,95,76,380\n"

const demoZones = "示范区名称,行政区划代码,主导产业,创建主体,批准创建日期,验收期限,状态,验收或撤销日期\n" +
	DemoLabel + "柴达木盐湖化工质量提升示范区,632800,盐湖化工,海西州人民政府（演示）,2022-06-30,2024-12-31,验收通过,2024-11-20\n" +
	DemoLabel + "西宁绿色有机农畜产品质量提升示范区,630100,绿色有机农畜产品,西宁市人民政府（演示）,2024-03-15,2026-12-31,创建中,\n"

const demoActivities = "编号,年度,类型,名称,组织名称,行政区划代码,领域,奖项,日期,参与人数\n" +
	"DEMO-QC-2023-01,2023,质量管理小组成果," + DemoLabel + "降低氯化钾产品粉尘率,演示盐湖钾肥股份有限公司,632801,盐湖化工,盐湖化工质量管理小组（班组）奖,2023-10-12,9\n" +
	"DEMO-QC-2023-02,2023,质量管理小组成果," + DemoLabel + "提高光伏组件层压良品率,演示光伏新能源有限公司,632800,清洁能源,清洁能源质量管理小组（班组）奖,2023-10-12,7\n" +
	"DEMO-QC-2023-03,2023,质量信得过班组," + DemoLabel + "牦牛乳灌装班组,演示牦牛乳业有限公司,630100,绿色有机农畜产品,绿色有机农畜产品质量管理小组（班组）奖,2023-10-12,12\n" +
	"DEMO-QC-2024-01,2024,质量管理小组成果," + DemoLabel + "缩短锅炉检修停机时间,演示市政工程有限公司,630100,其他,二等奖,2024-10-16,8\n" +
	"DEMO-MASS-2024-01,2024,群众性质量活动," + DemoLabel + "质量月“传、帮、带”进园区,演示质量协会,632801,盐湖化工,,2024-09-10,260\n"

// demoSurveys: the four fields of task 22, province and two prefectures,
// two years.
func demoSurveys() string {
	var b strings.Builder
	b.WriteString("年度,领域,行政区划代码,得分,样本量,来源\n")
	base := map[string]float64{"公用事业": 78.4, "公共交通": 74.9, "公共文化": 80.2, "生态环境": 82.6}
	for _, y := range []int{2023, 2024} {
		for _, reg := range []string{"630000", "630100", "632800"} {
			for _, f := range []string{"公用事业", "公共交通", "公共文化", "生态环境"} {
				v := base[f] + float64(y-2023)*1.3
				if reg == "632800" {
					v -= 2.1
				}
				if reg == "630100" && f == "公共交通" && y == 2024 {
					v -= 3.0 // a fall, for the year-on-year column
				}
				fmt.Fprintf(&b, "%d,%s,%s,%.2f,%d,%s\n", y, f, reg, v, 1200, DemoLabel+"公共服务质量监测演示数据")
			}
		}
	}
	return b.String()
}

// SeedDemo adds the labelled demo records once (a second run adds
// nothing) and reports how many it added.
func SeedDemo(ctx context.Context, s *Service, p auth.Principal) (int, error) {
	added := 0
	kinds := ImportKinds(s)
	bodies := map[string]string{KindApplications: demoApplications(), KindScores: demoScores, KindZones: demoZones, KindActivities: demoActivities, KindMonitoring: demoSurveys()}
	for _, k := range kinds {
		rep, err := k.Import(ctx, p, kit.BytesSource("demo-"+k.Name+".csv", []byte(bodies[k.Name])), kit.ImportOptions{})
		if err != nil {
			return added, fmt.Errorf("awards: demo %s: %w", k.Name, err)
		}
		added += rep.Created
	}
	return added, nil
}
