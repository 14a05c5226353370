package plan

import (
	"reflect"
	"strings"
	"testing"
)

// owners lists each task's number, lead and co as "N:lead1,lead2/co1,co2".
func owners(doc *Document) []string {
	var out []string
	for _, tk := range doc.Tasks() {
		out = append(out, itoa(tk.Number)+":"+strings.Join(tk.Lead, ",")+"/"+strings.Join(tk.Co, ","))
	}
	return out
}

func TestParseTaskLevelAndResponsibilityForms(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"clauses at the （一） level, body on the heading line",
			"某某实施方案\n一、深化改革\n（一）加强市场体系建设。推进建设。〔责任单位：省发展改革委、省市场监管局按职责分工负责。具体任务均涉及相关市(州)人民政府，不再做分工，下同。〕\n（二）优化准入环境。实施改革。〔责任单位：省市场监管局〕\n",
			[]string{"1:/省发展改革委,省市场监管局", "2:省市场监管局/"}},
		{"clauses at the 一、 level",
			"某某行动计划\n一、强化统筹推进。完善政策。〔市场监管总局（标准委）、国家发展改革委等部门和地方人民政府按职责分工负责。以下均需地方人民政府负责，不再列出〕\n二、加强互动。建立机制。〔科技部牵头，市场监管总局参与〕\n",
			[]string{"1:/市场监管总局（标准委）,国家发展改革委,地方人民政府", "2:科技部/市场监管总局"}},
		{"labelled lines under each item",
			"某区2023年重点工作分工方案\n一、主要预期目标\n1.地区生产总值增长6%左右。\n牵头单位:区发改局\n责任单位:开发区,各街道、区直各部门\n2.固定资产投资增长15%左右。\n牵头单位：区发改局\n",
			[]string{"1:区发改局/开发区,各街道,区直各部门", "2:区发改局/"}},
		{"a clause after a （1）…（2） list belongs to the item above",
			"某规划责任分解\n（一）建设\n1.完善预案体系\n（1）加强管理。\n（2）推进精编化。\n（责任单位：市直各有关单位、各县（市、区）人民政府）\n2.健全体制\n（1）推进建设。\n（责任单位：市应急局）\n",
			[]string{"1:/市直各有关单位,各县（市、区）人民政府", "2:市应急局/"}},
		{"running text",
			"某某分工的通知\n一、工作分工\n（一）关于粮食安全的问题，由发展改革委会同农业部、财政部等部门研究提出落实意见。\n（二）关于耕地的问题，由国土资源部会同农业部等部门负责落实。\n",
			[]string{"1:发展改革委/农业部,财政部", "2:国土资源部/农业部"}},
		{"等-tails keep a collective",
			wrapTasks("1.做好工作。（责任单位：市工信局、市财政局等有关部门，各县区人民政府。以下政策措施均需各县区人民政府落实，不再单独列出）\n2.做好乙。（省商务厅牵头，省文旅厅、省财政厅和各市人民政府按照职责分工负责）\n3.做好丙。（省商务厅、省农业农村厅等部门及各市、县级政府按职责分工负责；以下均需各市、县级政府负责，不再列出）"),
			[]string{"1:/市工信局,市财政局,有关部门,各县区人民政府", "2:省商务厅/省文旅厅,省财政厅,各市人民政府", "3:/省商务厅,省农业农村厅,各市,县级政府"}},
		{"a single body 按职责分工负责 is the lead",
			wrapTasks("1.甲。（省A局按职责分工负责）"),
			[]string{"1:省A局/"}},
		{"names joined by 及 but not inside a name",
			wrapTasks("1.做好工作。（市政府办公室牵头，市级各有关部门及各县市区政府、省人力资源和社会保障厅按职责分工负责）"),
			[]string{"1:市政府办公室/市级各有关部门,各县市区政府,省人力资源和社会保障厅"}},
		{"clause cut by the end of the text",
			"某某意见\n二、主要任务\n（一）提高开放程度。全面实施清单制度。(牵头单位:省发展改革委;责任单位:省编办、省环保厅、",
			[]string{"1:省发展改革委/省编办,省环保厅"}},
		{"convention from where it stands, explicit 牵头 overrides",
			wrapTasks("1.甲。（省A局、省B局负责）\n2.乙。（省C局、省D局负责。列第一位者为牵头单位，下同）\n3.丙。（省E局、省F局负责）\n4.丁。（省G局牵头，省H局、省I局负责）"),
			[]string{"1:/省A局,省B局", "2:省C局/省D局", "3:省E局/省F局", "4:省G局/省H局,省I局"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := mustParse(t, tc.src)
			if got := owners(doc); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("owners = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestParseUncertainMarks(t *testing.T) {
	doc := mustParse(t, wrapTasks("1.甲。（省A局、省B局负责）\n2.乙。\n3.丙。到2025年，建成10个基地。（省C局负责）"))
	tk := doc.Tasks()
	if tk[0].Clauses[0].Uncertain == "" {
		t.Errorf("shared responsibility without a lead is not marked: %+v", tk[0].Clauses[0])
	}
	if tk[1].Uncertain == "" {
		t.Errorf("task without responsibility is not marked")
	}
	if tk[2].Uncertain != "" || tk[2].Clauses[0].Uncertain != "" || tk[2].Targets[0].Uncertain != "" {
		t.Errorf("a plain task is marked: %+v", tk[2])
	}
	cut := mustParse(t, wrapTasks("1.甲。（牵头单位：省A局；配合单位：省B局、"))
	if c := cut.Tasks()[0].Clauses; len(c) != 1 || c[0].Uncertain == "" {
		t.Errorf("cut clause = %+v", c)
	}
}

func TestParseTables(t *testing.T) {
	head := "某某局2023年质量工作要点\n一、重点任务\n（一）夯实质量基础。加强计量工作。\n附件\n重点任务分工表\n"
	tests := []struct {
		name  string
		table string
	}{
		{"tab separated", "序号\t重点任务\t牵头单位\t配合单位\t完成时限\n1\t制定地方标准20项以上\t省市场监管局\t省发展改革委、省工业和信息化厅\t2023年底前\n2\t开展质量提升行动\t省工业和信息化厅\t省市场监管局\t长期坚持\n"},
		{"wide spaces (PDF)", "序号  重点任务  牵头单位  配合单位  完成时限\n1  制定地方标准20项以上  省市场监管局  省发展改革委、省工业和信息化厅  2023年底前\n2  开展质量提升行动  省工业和信息化厅  省市场监管局  长期坚持\n"},
		{"one cell per line, a wrapped cell", "序号\n重点任务\n牵头单位\n配合单位\n完成时限\n1\n制定地方标准\n20项以上\n省市场监管局\n省发展改革委、省工业和信息化厅\n2023年底前\n2\n开展质量提升行动\n省工业和信息化厅\n省市场监管局\n长期坚持\n"},
		{"traditional script", "序號\t重點任務\t牽頭單位\t配合單位\t完成時限\n1\t制定地方標準20項以上\t省市場監管局\t省發展改革委、省工業和信息化廳\t2023年底前\n2\t開展質量提升行動\t省工業和信息化廳\t省市場監管局\t長期堅持\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := mustParse(t, head+tc.table)
			tk := doc.Tasks()
			if got := owners(doc); !reflect.DeepEqual(got, []string{"1:省市场监管局/省发展改革委,省工业和信息化厅", "2:省工业和信息化厅/省市场监管局"}) {
				t.Fatalf("owners = %q", got)
			}
			if tk[0].Title != "制定地方标准20项以上" || tk[0].Due != "2023-12-31" || tk[0].Ongoing || !tk[1].Ongoing || tk[1].Due != "" {
				t.Errorf("tasks = %+v", tk)
			}
			if len(tk[0].Targets) != 1 || tk[0].Targets[0].Year != 2023 || tk[0].Targets[0].Value != 20 {
				t.Errorf("targets = %+v (the title's year governs a 年度 plan)", tk[0].Targets)
			}
		})
	}
}

func TestParseDeadline(t *testing.T) {
	tests := []struct {
		in      string
		due     string
		ongoing bool
		ok      bool
	}{
		{"2022年底前", "2022-12-31", false, true},
		{"完成时限：2023年6月", "2023-06-30", false, true},
		{"2024年2月底前", "2024-02-29", false, true},
		{"长期坚持", "", true, true},
		{"持续推进", "", true, true},
		{"按要求完成", "", false, false},
	}
	for _, tc := range tests {
		due, ongoing, ok := parseDeadline(tc.in)
		if due != tc.due || ongoing != tc.ongoing || ok != tc.ok {
			t.Errorf("parseDeadline(%q) = %q %v %v, want %q %v %v", tc.in, due, ongoing, ok, tc.due, tc.ongoing, tc.ok)
		}
	}
}

func TestParseGeneralTargets(t *testing.T) {
	key := func(ts []Target) []string {
		var out []string
		for _, g := range ts {
			out = append(out, targetKey(g))
		}
		return out
	}
	t.Run("a year stated once governs the goal list after it", func(t *testing.T) {
		doc := mustParse(t, "某某实施意见\n一、总体要求\n坚持质量第一。\n到2025年，质量水平显著提高。\n——供给质量提高。合格率稳定在94%以上，处置率达到100%。\n——品牌增强。注册商标达到7万件。\n二、重点任务\n1.甲。（省A局负责）\n")
		var got []string
		for _, g := range doc.Goals {
			got = append(got, key(g.Targets)...)
		}
		want := []string{"2025|>=|94||%||0", "2025|>=|100||%||0", "2025|>=|70000||件||0"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("goal targets = %q, want %q", got, want)
		}
	})
	t.Run("relative changes, a relative year, a year opening a sentence", func(t *testing.T) {
		doc := mustParse(t, "某某方案\n一、发展目标\n到2022年，比重35%左右，能耗年均下降5%，收入比2020年增长8%以上。再过5年左右时间，培育2-3家企业。2023年完成2家评定，2022年11月完成发放。\n二、重点任务\n1.甲。（省A局负责）\n")
		if len(doc.Goals) != 1 {
			t.Fatalf("goals = %+v", doc.Goals)
		}
		want := []string{"2022|=|35||%||0", "2022|>=|5||%|down|0", "2022|>=|8||%|up|2020", "2023|>=|2||家||0"}
		if got := key(doc.Goals[0].Targets); !reflect.DeepEqual(got, want) {
			t.Errorf("targets = %q, want %q", got, want)
		}
	})
	t.Run("two targets of one verb, approximations, counts already done, hotlines", func(t *testing.T) {
		doc := mustParse(t, wrapTasks("1.甲。到2025年，合格率分别提高到98.0%、97.5%以上，优良率分别达到65%和55%，培育约50家企业，已建成10个基地，开通12315热线，第七届大会，突破200家。（省A局负责）"))
		want := []string{"2025|>=|98||%||0", "2025|>=|97.5||%||0", "2025|>=|65||%||0", "2025|>=|55||%||0", "2025|=|50||家||0", "2025|>|200||家||0"}
		if got := key(doc.Tasks()[0].Targets); !reflect.DeepEqual(got, want) {
			t.Errorf("targets = %q, want %q", got, want)
		}
	})
	t.Run("a number without a measure word after a verb of reaching", func(t *testing.T) {
		doc := mustParse(t, wrapTasks("1.甲。到2025年，质量竞争力指数达到92以上，产业总量超过五千亿规模，建设3条产线，编号为12的项目。（省A局负责）"))
		ts := doc.Tasks()[0].Targets
		want := []string{"2025|>=|92||||0", "2025|>|5e+11||||0", "2025|>=|3||条||0"}
		if got := key(ts); !reflect.DeepEqual(got, want) {
			t.Errorf("targets = %q, want %q", got, want)
		}
		if ts[0].Uncertain == "" || ts[2].Uncertain != "" {
			t.Errorf("unitless targets should be marked, others not: %+v", ts)
		}
	})
	t.Run("a section title run into its body, a year with its month", func(t *testing.T) {
		doc := mustParse(t, "某某实施方案\n二、创建目标2022年8月底前，各项指标全部达到标准要求，抽检合格率达到98%以上。\n三、重点任务\n1.甲。（省A局负责）\n")
		var got []string
		for _, g := range doc.Goals {
			got = append(got, key(g.Targets)...)
		}
		if !reflect.DeepEqual(got, []string{"2022|>=|98||%||0"}) {
			t.Errorf("goal targets = %q", got)
		}
	})
	t.Run("the title's year governs a 年度 plan", func(t *testing.T) {
		doc := mustParse(t, "某区2023年重点工作要点\n一、主要目标\n1.地区生产总值增长6.2%左右。（区发改局负责）\n")
		got := key(doc.Tasks()[0].Targets)
		if !reflect.DeepEqual(got, []string{"2023|=|6.2||%|up|0"}) || doc.Tasks()[0].Targets[0].Uncertain == "" {
			t.Errorf("targets = %q %+v", got, doc.Tasks()[0].Targets)
		}
		if y := titleYear(&Document{Title: "辽宁省标准化体系建设发展规划(2016—2020年)"}); y != 0 {
			t.Errorf("a range of years gave %d", y)
		}
	})
	t.Run("a run-on line is split at its item markers", func(t *testing.T) {
		doc := mustParse(t, "关于开展质量提升行动的若干意见为全面实施质量强市战略，结合实际，制定本实施意见。一、总体目标质量优势显著增强。到2025年，推动全市1500家以上企业开展质量提升行动，培育20家以上质量标杆企业，主要农产品综合抽检合格率保持在98%以上，公共服务质量总体满意度达到80%以上，交通水利工程项目验收合格率达到100%。")
		var got []string
		for _, g := range doc.Goals {
			got = append(got, key(g.Targets)...)
		}
		if len(got) != 5 {
			t.Errorf("targets = %q", got)
		}
	})
}

func TestParseNumberingSchemes(t *testing.T) {
	tests := []struct {
		name string
		src  string
		n    int
	}{
		{"第一条", "某某办法\n第一条 做好甲事。（省A局负责）\n第二条 做好乙事。（省B局负责）\n", 2},
		{"第一部分 with 1.", "某某方案\n第一部分 重点任务\n1.甲。（省A局负责）\n第二部分 保障措施\n1.加强领导。\n", 1},
		{"① items merge into their task", wrapTasks("1.甲。\n①做好一。\n②做好二。\n（省A局负责）\n2.乙。（省B局负责）"), 2},
		{"chapter markers split from their titles",
			"某某方案\n一、\n重点任务\n（一）\n严标准\n1.甲。（省A局牵头，省B局按职责分工负责）\n二、\n保障措施\n1.加强领导。\n", 1},
		{"numbering restarting per chapter", "某某方案\n一、标准\n（一）甲。（省A局负责）\n（二）乙。（省B局负责）\n二、品牌\n（一）丙。（省C局负责）\n", 3},
		{"no clause: the deepest level in the task sections", "某某工作要点\n一、围绕改革推进公开\n（一）推进清单公开\n对清单进行调整。\n（二）推进信息公开\n做好公开。\n", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := mustParse(t, tc.src)
			tk := doc.Tasks()
			if len(tk) != tc.n {
				t.Fatalf("tasks = %d, want %d: %q", len(tk), tc.n, owners(doc))
			}
			seen := map[int]bool{}
			for _, x := range tk {
				if seen[x.Number] {
					t.Errorf("task number %d repeated", x.Number)
				}
				seen[x.Number] = true
			}
			if ps := Validate(doc); len(ps) > 0 {
				for _, p := range ps {
					if strings.Contains(p.What, "编号") && strings.HasPrefix(p.Where, "任务") {
						t.Errorf("validate: %v", p)
					}
				}
			}
		})
	}
}

// bigPlan is the seed repeated to about 200 pages (some 400 KB, 130,000
// characters), with the corpus texts appended so every path runs.
func bigPlan(b testing.TB) []byte {
	seed := readSeed(b)
	var buf strings.Builder
	for buf.Len() < 400<<10 {
		buf.Write(seed)
		buf.WriteByte('\n')
	}
	return []byte(buf.String())
}

// BenchmarkParse200Pages: `sidi plan parse` must stay under a second on a
// 200-page document.
//
//	go test -run '^$' -bench Parse200Pages -benchtime 5x ./internal/plan/
func BenchmarkParse200Pages(b *testing.B) {
	src := bigPlan(b)
	b.SetBytes(int64(len(src)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}

// TestProseDeadline: a deadline written in the task's text becomes its due
// date when no 完成时限 line or cell gives one.
func TestProseDeadline(t *testing.T) {
	for _, c := range []struct {
		name, text, due, doubt string
	}{
		{"month end", "1.全面实施清单管理。2022年10月底前编制并公布市、县两级清单。（省政务服务局负责）", "2022-10-31", ""},
		{"year end in brackets", "1.建设计量测试中心。（省科技厅负责，2023年底前完成）", "2023-12-31", ""},
		{"before a month", "1.出台实施细则。于2024年6月前出台。（省市场监管局负责）", "2024-06-30", ""},
		{"several: the latest, with a doubt", "1.开展标准化试点。2023年6月底前启动，2024年底前验收。（省市场监管局负责）", "2024-12-31", "多个完成时限"},
		{"a target year is no deadline", "1.提升质量。到2025年，建成示范区3个。（省市场监管局负责）", "", ""},
		{"a date is no deadline", "1.总结经验。2022年11月完成首批认定。（省市场监管局负责）", "", ""},
		{"a label wins", "1.出台实施细则。2023年底前出台。（省市场监管局负责）\n完成时限：2024年3月", "2024-03-31", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc := mustParse(t, "某某局2022年工作要点\n一、重点任务\n"+c.text+"\n")
			tk := doc.Tasks()
			if len(tk) != 1 {
				t.Fatalf("%d tasks", len(tk))
			}
			if tk[0].Due != c.due || (c.doubt == "") != (tk[0].Uncertain == "") || !strings.Contains(tk[0].Uncertain, c.doubt) {
				t.Errorf("due %q doubt %q, want %q %q", tk[0].Due, tk[0].Uncertain, c.due, c.doubt)
			}
		})
	}
}
