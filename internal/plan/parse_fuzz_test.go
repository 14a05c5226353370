package plan

import (
	"encoding/json"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// fuzzSeeds are the variant documents of the unit tests, so the fuzzer
// starts from every layout the parser knows.
var fuzzSeeds = []string{
	smallPlan,
	tradPlan,
	wrapTasks("1.做好工作（省市场监管局牵头，省发展改革委、省财政厅，各市州政府按职责分工负责），并推广。"),
	wrapTasks("1.甲。一是标准〔省A局牵头，省B厅负责〕；二是品牌(省C委牵头，省D厅按职责分工负责）。"),
	wrapTasks("1.甲。到2025年，培育6 —8个组织，商标达到7万件，产值突破1.5亿元，建成十个示范区、两个基地。"),
	wrapTasks("1.甲。到“十四五”末，给予50万元奖励，年龄60岁以上，第94次会议，开展三年攻坚行动。2035年底前，控制在3%以内。"),
	wrapTasks("1.甲。编写出版《藏药标准》（第一册）(第2册)，签订并实施《合作协议》、《B》，贯彻实施《C》。"),
	"测试工作方案\n一、重点任务\n（一）测试。\n1.甲。（省A局、省B局按职责分工负责）\n二、工作要求\n（一）列第一位者为牵头单位。\n",
	"某某行动方案\n青海省人民政府\n二〇二一年十二月二十二日\n1.甲事。\n",
	"某某方案\n一、主要任务\n1.甲事。\n二、保障措施\n1.加强领导。\n",
	"",
	"某某工作方案\n一、指导思想\n坚持改革创新。\n",
	// the general forms of issue 17
	"某局2023年工作要点\n附件\n序号\t重点任务\t牵头单位\t配合单位\t完成时限\n1\t制定标准20项\t省A局\t省B局、省C局\t2023年底前\n2\t开展行动\t省B局\t\t长期坚持\n",
	"分工表\n序号\n工作任务\n责任单位\n完成时间\n1\n修订标准\n10项\n市A局\n2022年12月\n",
	"某意见\n一、工作分工\n（一）关于甲的问题，由发展改革委会同农业部、财政部等部门研究。\n（二）乙。(牵头单位:省A;责任单位:省B、",
	"某意见为实施战略，制定本意见。一、总体目标优势增强。到2025年，1500家以上企业开展行动，合格率保持在98%以上。二、主要任务（一）甲。（省A局、省B局等有关部门和单位负责。以下均需地方人民政府负责，不再列出）",
	"某办法\n第一部分 任务\n第一条 甲。\n（1）子一。\n①子二。\n（责任单位：省A局、省B局）\n第二条 乙。再过5年，比2020年增长8%以上，1个工作日内办结。\n",
}

func FuzzParse(f *testing.F) {
	f.Add(readSeed(f))
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	if gb, err := simplifiedchinese.GB18030.NewEncoder().String(smallPlan); err == nil {
		f.Add([]byte(gb))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		doc, err := Parse(src)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error with an empty message")
			}
			if doc != nil {
				t.Fatal("document returned with an error")
			}
			return
		}
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		if !json.Valid(b) {
			t.Fatal("json.Marshal produced invalid JSON")
		}
		tasks := 0
		for _, p := range doc.Pillars {
			tasks += len(p.Tasks)
			for _, tk := range p.Tasks {
				if tk.Lead == nil || tk.Co == nil || tk.Clauses == nil || tk.Targets == nil || tk.Deliverables == nil {
					t.Fatalf("task %d has a nil list", tk.Number)
				}
			}
		}
		// A text with goals and their targets but no task yet (the opening
		// of a plan) is kept for review; anything else needs a task.
		goalTargets := 0
		for _, g := range doc.Goals {
			goalTargets += len(g.Targets)
		}
		if tasks == 0 && goalTargets == 0 {
			t.Fatal("no error but no tasks and no goal targets")
		}
	})
}
