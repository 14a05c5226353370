package plan

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// seedPath is a copy of shared/seed/000_5e41f3b26205f1f3.txt, kept in
// testdata so the tests do not depend on where shared/ is checked out.
const seedPath = "testdata/seed.txt"

func readSeed(t testing.TB) []byte {
	t.Helper()
	src, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatalf("read seed: %v", err)
	}
	return src
}

// TestSeedCopyIsCurrent keeps testdata/seed.txt equal to the shared seed
// when shared/ is checked out beside the repository.
func TestSeedCopyIsCurrent(t *testing.T) {
	shared, err := os.ReadFile("../../../shared/seed/000_5e41f3b26205f1f3.txt")
	if err != nil {
		t.Skipf("shared seed not available: %v", err)
	}
	if !bytes.Equal(shared, readSeed(t)) {
		t.Errorf("%s differs from shared/seed/000_5e41f3b26205f1f3.txt; copy it again", seedPath)
	}
}

func parseSeed(t *testing.T) *Document {
	t.Helper()
	doc, err := Parse(readSeed(t))
	if err != nil {
		t.Fatalf("Parse(seed): %v", err)
	}
	return doc
}

func mustParse(t *testing.T, src string) *Document {
	t.Helper()
	doc, err := Parse([]byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, src)
	}
	return doc
}

// allTasks flattens the pillars in document order.
func allTasks(doc *Document) []Task {
	var out []Task
	for _, p := range doc.Pillars {
		out = append(out, p.Tasks...)
	}
	return out
}

func taskByNumber(t *testing.T, doc *Document, n int) Task {
	t.Helper()
	for _, tk := range allTasks(doc) {
		if tk.Number == n {
			return tk
		}
	}
	t.Fatalf("task %d not found", n)
	return Task{}
}

// wrapTasks puts numbered task lines under a minimal plan skeleton.
func wrapTasks(body string) string {
	return "测试工作方案\n一、重点任务\n（一）测试支柱。\n" + body + "\n"
}

func TestParseSeedHeader(t *testing.T) {
	doc := parseSeed(t)
	tests := []struct{ field, got, want string }{
		{"Title", doc.Title, "严标准育品牌优环境提质量服务“四地”建设工作方案"},
		{"NoticeTitle", doc.NoticeTitle, "青海省人民政府办公厅关于印发严标准育品牌优环境提质量服务“四地”建设工作方案的通知"},
		{"Issuer", doc.Issuer, "青海省人民政府办公厅"},
		{"Issued", doc.Issued, "2021-12-22"},
		{"Published", doc.Published, "2021-12-30"},
		{"Recipients", doc.Recipients, "各市、自治州人民政府，省政府各委、办、厅、局"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.field, tc.got, tc.want)
		}
	}
}

func TestParseSeedGoals(t *testing.T) {
	doc := parseSeed(t)
	want := []string{"标准体系进一步完善", "品牌效应进一步凸显", "营商环境进一步优化", "质量基础进一步夯实"}
	if len(doc.Goals) != len(want) {
		t.Fatalf("got %d goals, want %d", len(doc.Goals), len(want))
	}
	for i, g := range doc.Goals {
		if g.Title != want[i] {
			t.Errorf("goal %d title = %q, want %q", i, g.Title, want[i])
		}
		if !strings.HasPrefix(g.Text, want[i]+"。") || strings.ContainsAny(g.Text, "—") || g.Text != strings.TrimSpace(g.Text) {
			t.Errorf("goal %d text = %q", i, g.Text)
		}
	}
	if !strings.HasSuffix(doc.Goals[3].Text, "强化服务“四地”建设的质量保证和技术支撑。") {
		t.Errorf("goal 4 text truncated: %q", doc.Goals[3].Text)
	}
}

func TestParseSeedPillars(t *testing.T) {
	doc := parseSeed(t)
	want := []struct {
		num   int
		title string
		tasks []int
	}{
		{1, "严标准，强基础", []int{1, 2, 3, 4, 5, 6}},
		{2, "育品牌，提品质", []int{7, 8, 9, 10, 11, 12, 13, 14}},
		{3, "优环境，激活力", []int{15, 16, 17, 18, 19}},
		{4, "提质量，促发展", []int{20, 21, 22, 23, 24, 25, 26, 27}},
	}
	if len(doc.Pillars) != len(want) {
		t.Fatalf("got %d pillars, want %d", len(doc.Pillars), len(want))
	}
	for i, w := range want {
		p := doc.Pillars[i]
		var nums []int
		for _, tk := range p.Tasks {
			nums = append(nums, tk.Number)
		}
		if p.Number != w.num || p.Title != w.title || !reflect.DeepEqual(nums, w.tasks) {
			t.Errorf("pillar %d = {%d %q %v}, want {%d %q %v}", i, p.Number, p.Title, nums, w.num, w.title, w.tasks)
		}
	}
}

func TestParseSeedTasks(t *testing.T) {
	doc := parseSeed(t)
	scjg := []string{"省市场监管局"}
	std5 := []string{"省发展改革委", "省工业和信息化厅", "省农业农村厅", "省文化和旅游厅", "省林草局"}
	want := []struct {
		title    string
		lead, co []string
	}{
		1:  {"加大标准的有效供给", scjg, []string{"省发展改革委", "省工业和信息化厅", "省农业农村厅", "省文化和旅游厅", "省林草局", "省药品监管局"}},
		2:  {"以科技创新促进标准提升", []string{"省科技厅"}, []string{"省发展改革委", "省工业和信息化厅", "省农业农村厅", "省文化和旅游厅", "省林草局", "省市场监管局"}},
		3:  {"开展标准化专项试点", scjg, std5},
		4:  {"推进企业标准“领跑者”行动", scjg, std5},
		5:  {"强化特色标准应用", []string{"省农业农村厅"}, []string{"省林草局", "省市场监管局"}},
		6:  {"加快标准化服务体系建设", scjg, std5},
		7:  {"树立品牌培育意识", scjg, []string{"省发展改革委", "省工业和信息化厅", "省财政厅", "省农业农村厅", "省商务厅", "省文化和旅游厅", "省林草局"}},
		8:  {"加大品牌培育力度", scjg, []string{"省发展改革委", "省工业和信息化厅", "省农业农村厅", "省商务厅", "省文化和旅游厅", "省林草局"}},
		9:  {"助推区域品牌建设", scjg, []string{"省发展改革委", "省工业和信息化厅", "省农业农村厅", "省文化和旅游厅", "省林草局", "各市州政府"}},
		10: {"发挥地理标志引领作用", scjg, std5},
		11: {"强化品牌推介宣传保护", scjg, []string{"省发展改革委", "省工业和信息化厅", "省财政厅", "省农业农村厅", "省商务厅", "省林草局"}},
		12: {"激发知识产权创新活力", scjg, []string{"省发展改革委", "省教育厅", "省工业和信息化厅"}},
		13: {"加大知识产权保护力度", scjg, []string{}},
		14: {"盘活用好知识产权资源", scjg, []string{"省科技厅", "省工业和信息化厅", "省财政厅"}},
		15: {"全面推进公平竞争审查", scjg, []string{"省发展改革委", "省财政厅", "省商务厅", "各市州政府"}},
		16: {"建立涉企收费治理长效机制", scjg, []string{}},
		17: {"持续提升登记注册便利化水平", scjg, []string{"省公安厅", "省人力资源社会保障厅", "省住房城乡建设厅", "人行西宁中心支行", "国家税务总局青海省税务局", "省政务服务监管局"}},
		18: {"提升广告宣传服务水平", scjg, []string{"省委宣传部", "省广电局"}},
		19: {"加大综合监管力度", scjg, []string{"相关部门"}},
		20: {"强化质量引导和激励", scjg, []string{"省发展改革委", "省工业和信息化厅", "省农业农村厅", "省商务厅", "省文化和旅游厅"}},
		21: {"推动群众性质量活动", scjg, []string{"省工业和信息化厅", "省商务厅"}},
		22: {"开展公共服务质量专项提升行动", scjg, []string{"省发展改革委", "省文化和旅游厅", "各市州政府"}},
		23: {"强化重点产品质量监管", scjg, []string{}},
		24: {"提升计量测试服务能力", scjg, []string{}},
		25: {"充分发挥认证作用", scjg, []string{"省发展改革委", "省工业和信息化厅", "省住房城乡建设厅", "省农业农村厅", "省林草局"}},
		26: {"强化特种设备技术引领", scjg, []string{}},
		27: {"创新特种设备监管模式", scjg, []string{}},
	}
	tasks := allTasks(doc)
	if len(tasks) != 27 {
		t.Fatalf("got %d tasks, want 27", len(tasks))
	}
	for i, tk := range tasks {
		n := i + 1
		w := want[n]
		if tk.Number != n {
			t.Errorf("task %d has number %d", n, tk.Number)
		}
		if tk.Title != w.title {
			t.Errorf("task %d title = %q, want %q", n, tk.Title, w.title)
		}
		if !reflect.DeepEqual(tk.Lead, w.lead) {
			t.Errorf("task %d lead = %q, want %q", n, tk.Lead, w.lead)
		}
		if !reflect.DeepEqual(tk.Co, w.co) {
			t.Errorf("task %d co = %q, want %q", n, tk.Co, w.co)
		}
		if len(tk.Clauses) != 1 {
			t.Errorf("task %d has %d clauses, want 1", n, len(tk.Clauses))
		}
		if !strings.HasPrefix(tk.Text, w.title) {
			t.Errorf("task %d text does not start with its title: %q", n, tk.Text)
		}
		if !strings.HasSuffix(strings.TrimSpace(tk.Text), "负责)") {
			t.Errorf("task %d text does not end with its responsibility clause: %q", n, tk.Text)
		}
	}
}

func TestParseSeedTaskTextJoins(t *testing.T) {
	doc := parseSeed(t)
	tests := []struct {
		n    int
		want string // a fragment that spans a line break of the seed
	}{
		{3, "开展标准化专项试点。围绕“四地”建设"},
		{4, "推进企业标准“领跑者”行动。引导企业"},
		{5, "高质量标准供给和协同应用。"},
		{8, "成功注册马德里国际商标 20件以上"},
	}
	for _, tc := range tests {
		if tk := taskByNumber(t, doc, tc.n); !strings.Contains(tk.Text, tc.want) {
			t.Errorf("task %d text %q lacks %q", tc.n, tk.Text, tc.want)
		}
	}
	if tk := taskByNumber(t, doc, 1); tk.Clauses[0].Text != "(省市场监管局牵头，省发展改革委、省工业和信息化厅、省农业农村厅、省文化和旅游厅、省林草局、省药品监管局按职责分工负责)" {
		t.Errorf("task 1 clause text = %q", tk.Clauses[0].Text)
	}
}

type wantTarget struct {
	cmp   string
	value float64
	max   float64 // 0: none
	unit  string
	text  string // "" to skip the text check
}

func checkTargets(t *testing.T, label string, got []Target, year int, want []wantTarget) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d targets %+v, want %d", label, len(got), got, len(want))
		return
	}
	for i, w := range want {
		g := got[i]
		var max float64
		if g.Max != nil {
			max = *g.Max
		}
		if g.Year != year || g.Comparator != w.cmp || g.Value != w.value || max != w.max || g.Unit != w.unit {
			t.Errorf("%s target %d = {%d %s %v %v %s}, want {%d %s %v %v %s}", label, i, g.Year, g.Comparator, g.Value, max, g.Unit, year, w.cmp, w.value, w.max, w.unit)
		}
		if w.max == 0 && g.Max != nil {
			t.Errorf("%s target %d has max %v, want none", label, i, *g.Max)
		}
		if w.text != "" && g.Text != w.text {
			t.Errorf("%s target %d text = %q, want %q", label, i, g.Text, w.text)
		}
	}
}

func TestParseSeedTargets(t *testing.T) {
	doc := parseSeed(t)
	want := map[int][]wantTarget{
		1: {
			{">", 100, 0, "项", "批准发布100余项地方标准"},
			{">=", 130, 0, "个", "完成地方药品质量标准制修订130个品种"},
		},
		3: {{">=", 10, 0, "个", ""}},
		4: {{">=", 2000, 0, "项", "企业自我公开声明标准累计达2000项以上"}},
		8: {
			{">", 70000, 0, "件", "全省商标累计注册量突破7万件"},
			{">", 300, 0, "个", "农畜产品品牌突破300个"},
			{">=", 20, 0, "件", "成功注册马德里国际商标20件以上"},
		},
		9: {{">=", 30, 0, "个", "至少打造30个农畜产品区域公用品牌"}},
		10: {
			{">=", 45, 0, "件", "全省地理标志商标45件以上"},
			{">=", 17, 0, "件", "地理标志保护产品17件以上"},
			{">=", 1000, 0, "个", "累计认证绿色食品、有机农产品和地理标志农产品1000个以上"},
		},
		12: {
			{">=", 1.25, 0, "件", "全省每万人口高价值发明专利拥有量达1.25件"},
			{">=", 40, 0, "家", "至少40家企业通过《企业知识产权管理规范》国家标准认证"},
		},
		20: {
			{"between", 6, 8, "个", "发展和培育6—8个从事或服务“四地”建设的组织申报并获得青海省质量奖"},
			{"between", 1, 2, "个", "创建1—2个具有一定规模和影响力的全省质量提升示范区"},
		},
		23: {{">=", 1000, 0, "批次", "累计完成1000批次以上的产品质量监测任务"}},
		25: {
			{">=", 15, 0, "%", "有机产品认证获证企业增长15%以上"},
			{">=", 5, 0, "%", "自愿性认证获证组织年增长5%以上"},
		},
	}
	total := 0
	for _, tk := range allTasks(doc) {
		checkTargets(t, "task "+itoa(tk.Number), tk.Targets, 2025, want[tk.Number])
		total += len(tk.Targets)
	}
	if total != 18 {
		t.Errorf("seed has %d targets, want 18", total)
	}
}

func itoa(n int) string {
	var b strings.Builder
	writePadded(&b, n, 1)
	return b.String()
}

func TestParseSeedDeliverables(t *testing.T) {
	doc := parseSeed(t)
	tests := []struct {
		n    int
		want []string
	}{
		{1, []string{
			"盐湖资源动态监测技术规程", "工业氯化钠生产技术提钾尾盐溶洗法",
			"生态旅游产品标准", "生态旅游景区开发与经营管理规范", "生态旅游解说服务质量规范", "生态旅游者行为准则",
			"牦牛标准体系", "渔业标准体系", "绿色食品食用菌双孢菇生产技术规范",
			"青海省藏药材标准（第二册）",
			"青海省医疗机构制剂标准（第一册）", "青海省医疗机构制剂标准（第二册）", "青海省医疗机构制剂标准（第三册）",
		}},
		{12, []string{}},
		{19, []string{"西北省区市场监管执法协作协议", "甘青两省市场监管执法协作协议"}},
	}
	for _, tc := range tests {
		if got := taskByNumber(t, doc, tc.n).Deliverables; !reflect.DeepEqual(got, tc.want) {
			t.Errorf("task %d deliverables = %q, want %q", tc.n, got, tc.want)
		}
	}
	for _, tk := range allTasks(doc) {
		if tk.Number != 1 && tk.Number != 19 && len(tk.Deliverables) != 0 {
			t.Errorf("task %d has deliverables %q, want none", tk.Number, tk.Deliverables)
		}
	}
}

func TestParseSeedRequirements(t *testing.T) {
	doc := parseSeed(t)
	want := []string{"加强组织领导", "压实工作责任", "健全支撑体系", "强化宣传推广"}
	if len(doc.Requirements) != len(want) {
		t.Fatalf("got %d requirements, want %d", len(doc.Requirements), len(want))
	}
	for i, r := range doc.Requirements {
		if r.Number != i+1 || r.Title != want[i] || !strings.HasPrefix(r.Text, want[i]+"。") {
			t.Errorf("requirement %d = {%d %q %q}", i, r.Number, r.Title, r.Text)
		}
	}
}

func TestParseSeedJSONHasNoNullLists(t *testing.T) {
	doc := parseSeed(t)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"lead", "co", "clauses", "targets", "deliverables", "goals", "pillars", "requirements", "tasks"} {
		if bytes.Contains(b, []byte(`"`+key+`":null`)) {
			t.Errorf("JSON has %q: null", key)
		}
	}
	if !bytes.Contains(b, []byte(`"co":[]`)) || !bytes.Contains(b, []byte(`"targets":[]`)) || !bytes.Contains(b, []byte(`"deliverables":[]`)) {
		t.Errorf("JSON lacks empty lists")
	}
}

func TestParseResponsibilityClauses(t *testing.T) {
	tests := []struct {
		name     string
		task     string
		lead, co []string
		clauses  int
	}{
		{"single owner", "1.做好工作。（省市场监管局负责）", []string{"省市场监管局"}, []string{}, 1},
		{"half-width", "1.做好工作。(省市场监管局牵头，相关部门按职责分工负责)", []string{"省市场监管局"}, []string{"相关部门"}, 1},
		{"tortoise-shell", "1.做好工作。〔省科技厅牵头，省财政厅配合〕", []string{"省科技厅"}, []string{"省财政厅"}, 1},
		{"mixed brackets", "1.做好工作。（省科技厅牵头，省财政厅、省商务厅按职责分工负责)", []string{"省科技厅"}, []string{"省财政厅", "省商务厅"}, 1},
		{"mid-sentence and municipalities",
			"1.做好工作（省市场监管局牵头，省发展改革委、省财政厅、省商务厅，各市州政府按职责分工负责），并推广。",
			[]string{"省市场监管局"}, []string{"省发展改革委", "省财政厅", "省商务厅", "各市州政府"}, 1},
		{"several clauses",
			"1.做好两件事。一是标准（省A局牵头，省B厅负责）；二是品牌（省C委牵头，省D厅按职责分工负责，省B厅参与）。",
			[]string{"省A局", "省C委"}, []string{"省B厅", "省D厅"}, 2},
		{"lead elsewhere is not co",
			"1.做好两件事。一是标准（省A局牵头，省B厅按职责分工负责）；二是品牌（省B厅牵头，省A局配合）。",
			[]string{"省A局", "省B厅"}, []string{}, 2},
		{"names kept as written",
			"1.做好工作。（省市场监管局牵头，人行西宁中心支行、国家税务总局青海省税务局按职责分工负责）",
			[]string{"省市场监管局"}, []string{"人行西宁中心支行", "国家税务总局青海省税务局"}, 1},
		{"no 牵头 and no convention: all co", "1.做好工作。（省市场监管局、省发展改革委按职责分工负责）", []string{}, []string{"省市场监管局", "省发展改革委"}, 1},
		{"not clauses",
			"1.加强对市州、县(市、区、行委)执法的培训(以下简称“培训”)，编写(第二册)教材，设立小组(班组)奖。（省市场监管局负责）",
			[]string{"省市场监管局"}, []string{}, 1},
		{"labelled roles", "1.做好工作。（牵头单位：省发展改革委；配合单位：省财政厅、省商务厅）", []string{"省发展改革委"}, []string{"省财政厅", "省商务厅"}, 1},
		{"no clause at all", "1.做好工作。", []string{}, []string{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tk := taskByNumber(t, mustParse(t, wrapTasks(tc.task)), 1)
			if !reflect.DeepEqual(tk.Lead, tc.lead) || !reflect.DeepEqual(tk.Co, tc.co) || len(tk.Clauses) != tc.clauses {
				t.Errorf("lead %q co %q clauses %d, want lead %q co %q clauses %d", tk.Lead, tk.Co, len(tk.Clauses), tc.lead, tc.co, tc.clauses)
			}
		})
	}
}

func TestParseClausesKeepOrderAndText(t *testing.T) {
	tk := taskByNumber(t, mustParse(t, wrapTasks("1.做好两件事。一是标准（省A局牵头，省B厅负责）；二是品牌〔省C委牵头，省D厅按职责分工负责〕。")), 1)
	want := []Clause{
		{Text: "（省A局牵头，省B厅负责）", Lead: []string{"省A局"}, Co: []string{"省B厅"}},
		{Text: "〔省C委牵头，省D厅按职责分工负责〕", Lead: []string{"省C委"}, Co: []string{"省D厅"}},
	}
	if !reflect.DeepEqual(tk.Clauses, want) {
		t.Errorf("clauses = %+v, want %+v", tk.Clauses, want)
	}
}

func TestParseFirstIsLeadConvention(t *testing.T) {
	for _, phrase := range []string{"列第一位者为牵头单位", "排在第一位的为牵头单位", "排名第一的为牵头单位"} {
		t.Run(phrase, func(t *testing.T) {
			src := "测试工作方案\n一、重点任务\n（一）测试。\n" +
				"1.做好甲。（省市场监管局、省发展改革委按职责分工负责）\n" +
				"2.做好乙。（省财政厅牵头，省商务厅按职责分工负责）\n" +
				"3.做好丙。（省教育厅、省科技厅负责）\n" +
				"二、工作要求\n（一）明确责任。各项任务中" + phrase + "，其余为配合单位。\n"
			doc := mustParse(t, src)
			want := map[int][2][]string{
				1: {{"省市场监管局"}, {"省发展改革委"}},
				2: {{"省财政厅"}, {"省商务厅"}},
				3: {{"省教育厅"}, {"省科技厅"}},
			}
			for n, w := range want {
				tk := taskByNumber(t, doc, n)
				if !reflect.DeepEqual(tk.Lead, w[0]) || !reflect.DeepEqual(tk.Co, w[1]) {
					t.Errorf("task %d lead %q co %q, want %q %q", n, tk.Lead, tk.Co, w[0], w[1])
				}
			}
			if len(doc.Requirements) != 1 {
				t.Errorf("requirements = %d, want 1", len(doc.Requirements))
			}
		})
	}
}

const tradPlan = "青海省人民政府辦公廳關於印發質量提升工作方案的通知\n" +
	"各市、自治州人民政府，省政府各委、辦、廳、局：\n" +
	"質量提升工作方案\n" +
	"一、重點任務\n" +
	"（一）嚴標準，強基礎。\n" +
	"1.加大標準供給。到2025年，批准發佈100餘項地方標準。（省市場監管局牽頭，省發展改革委、省農業農村廳、省財政廳、省商務廳按職責分工負責）\n"

func TestParseTraditional(t *testing.T) {
	doc := mustParse(t, tradPlan)
	if doc.NoticeTitle != "青海省人民政府办公厅关于印发质量提升工作方案的通知" || doc.Title != "质量提升工作方案" || doc.Issuer != "青海省人民政府办公厅" {
		t.Errorf("header = %q / %q / %q", doc.NoticeTitle, doc.Title, doc.Issuer)
	}
	if doc.Recipients != "各市、自治州人民政府，省政府各委、办、厅、局" {
		t.Errorf("recipients = %q", doc.Recipients)
	}
	if len(doc.Pillars) != 1 || doc.Pillars[0].Title != "严标准，强基础" {
		t.Fatalf("pillars = %+v", doc.Pillars)
	}
	tk := taskByNumber(t, doc, 1)
	if tk.Title != "加大标准供给" {
		t.Errorf("title = %q", tk.Title)
	}
	if !reflect.DeepEqual(tk.Lead, []string{"省市场监管局"}) || !reflect.DeepEqual(tk.Co, []string{"省发展改革委", "省农业农村厅", "省财政厅", "省商务厅"}) {
		t.Errorf("lead %q co %q", tk.Lead, tk.Co)
	}
	checkTargets(t, "traditional", tk.Targets, 2025, []wantTarget{{">", 100, 0, "项", "批准发布100余项地方标准"}})
}

const smallPlan = "质量提升工作方案\n" +
	"为推动质量提升，制定本方案。\n" +
	"一、重点任务\n" +
	"（一）育品牌，提品质。\n" +
	"1.加大品牌培育力度。到2025年，全省商标累计注册量突破7万件。制定《青海品牌评价规范》。（省市场监管局牵头，省商务厅按职责分工负责）\n" +
	"2.强化质量监管。（省市场监管局负责）\n" +
	"二、工作要求\n" +
	"（一）加强组织领导。各地要抓好落实。\n"

func checkSmallPlan(t *testing.T, doc *Document) {
	t.Helper()
	if doc.Title != "质量提升工作方案" {
		t.Errorf("title = %q", doc.Title)
	}
	tasks := allTasks(doc)
	if len(tasks) != 2 {
		t.Fatalf("tasks = %d, want 2", len(tasks))
	}
	if !reflect.DeepEqual(tasks[0].Lead, []string{"省市场监管局"}) || !reflect.DeepEqual(tasks[0].Co, []string{"省商务厅"}) {
		t.Errorf("task 1 lead %q co %q", tasks[0].Lead, tasks[0].Co)
	}
	checkTargets(t, "small", tasks[0].Targets, 2025, []wantTarget{{">", 70000, 0, "件", "全省商标累计注册量突破7万件"}})
	if !reflect.DeepEqual(tasks[0].Deliverables, []string{"青海品牌评价规范"}) {
		t.Errorf("deliverables = %q", tasks[0].Deliverables)
	}
	if len(doc.Requirements) != 1 || doc.Requirements[0].Title != "加强组织领导" {
		t.Errorf("requirements = %+v", doc.Requirements)
	}
}

func TestParseEncodings(t *testing.T) {
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(smallPlan)
	if err != nil {
		t.Fatal(err)
	}
	if utf8.ValidString(gb) {
		t.Fatal("GB18030 fixture is valid UTF-8; the test would not exercise decoding")
	}
	u16le, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().String(smallPlan)
	if err != nil {
		t.Fatal(err)
	}
	u16be, err := xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM).NewEncoder().String(smallPlan)
	if err != nil {
		t.Fatal(err)
	}
	fullWidth := strings.NewReplacer("1.", "１．", "2.", "２．", "2025", "２０２５", "7", "７").Replace(smallPlan)
	tests := []struct {
		name string
		src  string
	}{
		{"utf8", smallPlan},
		{"utf8 bom", "\uFEFF" + smallPlan},
		{"crlf", strings.ReplaceAll(smallPlan, "\n", "\r\n")},
		{"gb18030", gb},
		{"utf16le bom", u16le},
		{"utf16be bom", u16be},
		{"full-width digits", fullWidth},
		{"ideographic indent and stray spaces", strings.ReplaceAll(smallPlan, "\n", " \n\u3000\u3000")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse([]byte(tc.src))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			checkSmallPlan(t, doc)
		})
	}
}

func TestDecodeText(t *testing.T) {
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String("牵头单位")
	if got, err := DecodeText([]byte(gb)); err != nil || got != "牵头单位" {
		t.Errorf("DecodeText(gb18030) = %q, %v", got, err)
	}
	if got, err := DecodeText([]byte("\xEF\xBB\xBF负责")); err != nil || got != "负责" {
		t.Errorf("DecodeText(bom) = %q, %v", got, err)
	}
	if _, err := DecodeText([]byte{0x81, 0x30, 0xFF, 0xFF, 0x80}); !errors.Is(err, ErrEncoding) {
		t.Errorf("DecodeText(garbage) error = %v, want ErrEncoding", err)
	}
	// A UTF-8 file cut in the middle of its last character stays UTF-8.
	cut := []byte("牵头单位负责")
	cut = cut[:len(cut)-1]
	if got, err := DecodeText(cut); !errors.Is(err, ErrEncoding) || !strings.HasPrefix(got, "牵头单位") {
		t.Errorf("DecodeText(truncated utf8) = %q, %v", got, err)
	}
}

func TestParseTargets(t *testing.T) {
	tests := []struct {
		name string
		task string
		year int
		want []wantTarget
	}{
		{"2020", "1.甲。到2020年，建成示范区5个。", 2020, []wantTarget{{">=", 5, 0, "个", "建成示范区5个"}}},
		{"2035", "1.甲。到2035年，培育龙头企业50家以上。", 2035, []wantTarget{{">=", 50, 0, "家", "培育龙头企业50家以上"}}},
		{"year end", "1.甲。2025年底前，建成检测中心3个。", 2025, []wantTarget{{">=", 3, 0, "个", "建成检测中心3个"}}},
		{"five-year plan end", "1.甲。到“十四五”末，建成示范区10个以上。", 2025, []wantTarget{{">=", 10, 0, "个", ""}}},
		{"year carries to later sentences", "1.甲。到2025年，建成示范区10个。推广经验。再创建2个基地。", 2025,
			[]wantTarget{{">=", 10, 0, "个", ""}, {">=", 2, 0, "个", "再创建2个基地"}}},
		{"em dash range with space", "1.甲。到2025年，培育6 —8个组织。", 2025, []wantTarget{{"between", 6, 8, "个", "培育6—8个组织"}}},
		{"hyphen range", "1.甲。到2025年，培育6-8个组织。", 2025, []wantTarget{{"between", 6, 8, "个", ""}}},
		{"至 range", "1.甲。到2025年，培育6至8个组织。", 2025, []wantTarget{{"between", 6, 8, "个", ""}}},
		{"wave range", "1.甲。到2025年，培育6～8个组织。", 2025, []wantTarget{{"between", 6, 8, "个", ""}}},
		{"万 and 亿", "1.甲。到2025年，商标注册量达到7万件，产值突破1.5亿元。", 2025,
			[]wantTarget{{">=", 70000, 0, "件", "商标注册量达到7万件"}, {">", 1.5e8, 0, "元", "产值突破1.5亿元"}}},
		{"at most", "1.甲。到2025年，事故率控制在3%以内，投诉不超过100件，库存20吨以下。", 2025,
			[]wantTarget{{"<=", 3, 0, "%", ""}, {"<=", 100, 0, "件", ""}, {"<=", 20, 0, "吨", ""}}},
		{"full-width percent", "1.甲。到2025年，覆盖率提高到15％。", 2025, []wantTarget{{">=", 15, 0, "%", ""}}},
		{"chinese numerals", "1.甲。到2025年，建成十个示范区、两个基地和一百二十家企业。", 2025,
			[]wantTarget{{">=", 10, 0, "个", "建成十个示范区"}, {">=", 2, 0, "个", "两个基地"}, {">=", 120, 0, "家", "一百二十家企业"}}},
		{"at least", "1.甲。到2025年，不少于12家。", 2025, []wantTarget{{">=", 12, 0, "家", ""}}},
		{"not targets",
			"1.甲。到2025年，给予50万元奖励，年龄60岁以上人员参加第94次会议，开展三年攻坚行动，打造一批品牌，实现“一个品牌、两个产业”。", 0, nil},
		{"no year", "1.甲。聚焦银行等5个涉企收费领域，培育10家企业。", 0, nil},
		{"numbers in titles", "1.甲。到2025年，制定《2025年10项工作要点》。", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tk := taskByNumber(t, mustParse(t, wrapTasks(tc.task)), 1)
			checkTargets(t, tc.name, tk.Targets, tc.year, tc.want)
		})
	}
}

func TestParseDeliverables(t *testing.T) {
	tests := []struct {
		name string
		task string
		want []string
	}{
		{"run with 、", "1.甲。制定《A规范》、《B规范》和《C规范》。", []string{"A规范", "B规范", "C规范"}},
		{"cited", "1.甲。贯彻实施《企业知识产权管理规范》国家标准，通过《质量管理体系》认证。", []string{}},
		{"signed and implemented", "1.甲。签订并实施《合作协议》。", []string{"合作协议"}},
		{"volumes", "1.甲。编写出版《藏药标准》（第一册）(第2册)〔下册〕。", []string{"藏药标准（第一册）", "藏药标准（第2册）", "藏药标准（下册）"}},
		{"verb in another clause", "1.甲。制定标准，宣传《条例》。", []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tk := taskByNumber(t, mustParse(t, wrapTasks(tc.task)), 1)
			if !reflect.DeepEqual(tk.Deliverables, tc.want) {
				t.Errorf("deliverables = %q, want %q", tk.Deliverables, tc.want)
			}
		})
	}
}

func TestParseLayouts(t *testing.T) {
	t.Run("plan without notice", func(t *testing.T) {
		doc := mustParse(t, "严标准育品牌优环境提质量\n服务“四地”建设工作方案\n为认真贯彻落实，制定如下工作方案。\n一、指导思想\n坚持改革。\n二、重点任务\n1.甲事。（省A局负责）\n")
		if doc.Title != "严标准育品牌优环境提质量服务“四地”建设工作方案" || doc.NoticeTitle != "" || doc.Issuer != "" {
			t.Errorf("title %q notice %q issuer %q", doc.Title, doc.NoticeTitle, doc.Issuer)
		}
		// Tasks outside any （一） heading take their chapter as the pillar.
		if len(doc.Pillars) != 1 || doc.Pillars[0].Number != 2 || doc.Pillars[0].Title != "重点任务" || len(doc.Pillars[0].Tasks) != 1 {
			t.Errorf("pillars = %+v", doc.Pillars)
		}
	})
	t.Run("signature at the end", func(t *testing.T) {
		doc := mustParse(t, "某某行动方案\n1.甲事。（省A局负责）\n青海省人民政府办公厅\n2022年3月5日\n")
		tk := taskByNumber(t, doc, 1)
		if doc.Issuer != "青海省人民政府办公厅" || doc.Issued != "2022-03-05" || tk.Text != "甲事。（省A局负责）" {
			t.Errorf("issuer %q issued %q task text %q", doc.Issuer, doc.Issued, tk.Text)
		}
	})
	t.Run("chinese numeral date", func(t *testing.T) {
		doc := mustParse(t, "某某行动方案\n青海省人民政府\n二〇二一年十二月二十二日\n1.甲事。\n")
		if doc.Issued != "2021-12-22" || doc.Issuer != "青海省人民政府" || doc.Title != "某某行动方案" {
			t.Errorf("issued %q issuer %q title %q", doc.Issued, doc.Issuer, doc.Title)
		}
	})
	t.Run("numbered requirements", func(t *testing.T) {
		doc := mustParse(t, "某某方案\n一、主要任务\n1.甲事。\n二、保障措施\n1.加强领导。要重视。\n2.强化督查。要落实。\n")
		if n := len(allTasks(doc)); n != 1 {
			t.Errorf("tasks = %d, want 1", n)
		}
		if len(doc.Requirements) != 2 || doc.Requirements[1].Number != 2 || doc.Requirements[1].Title != "强化督查" {
			t.Errorf("requirements = %+v", doc.Requirements)
		}
	})
	t.Run("decimal at start of wrapped line", func(t *testing.T) {
		doc := mustParse(t, wrapTasks("1.甲事。到2025年，拥有量达\n1.25件。\n2.乙事。"))
		tk := taskByNumber(t, doc, 1)
		if len(allTasks(doc)) != 2 || len(tk.Targets) != 1 || tk.Targets[0].Value != 1.25 {
			t.Errorf("tasks %d targets %+v", len(allTasks(doc)), tk.Targets)
		}
	})
	t.Run("task without full stop", func(t *testing.T) {
		tk := taskByNumber(t, mustParse(t, wrapTasks("1.做好甲事（省A局负责）")), 1)
		if tk.Title != "做好甲事" {
			t.Errorf("title = %q", tk.Title)
		}
	})
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want error
		msg  string
	}{
		{"empty", "", ErrEmptyDocument, "plan: parse: empty document (文件为空)"},
		{"whitespace", " \n\t\r\n\u3000\uFEFF", ErrEmptyDocument, "plan: parse: empty document (文件为空)"},
		{"bom only", "\xEF\xBB\xBF", ErrEmptyDocument, ""},
		{"no tasks", "某某工作方案\n一、指导思想\n坚持改革创新。\n二、工作要求\n（一）加强领导。\n", ErrNoTasks, "plan: parse: no numbered tasks found (未找到编号任务)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Parse([]byte(tc.src))
			if !errors.Is(err, tc.want) || doc != nil {
				t.Fatalf("Parse = %v, %v; want %v", doc, err, tc.want)
			}
			if tc.msg != "" && err.Error() != tc.msg {
				t.Errorf("message = %q, want %q", err.Error(), tc.msg)
			}
		})
	}
}

func TestT2STable(t *testing.T) {
	if len(t2s) < 300 {
		t.Errorf("table has %d entries, want a few hundred", len(t2s))
	}
	for k, v := range t2s {
		if _, ok := t2s[v]; ok {
			t.Errorf("%c→%c maps to a key; folding would not be idempotent", k, v)
		}
	}
	in := "省市場監管局牽頭，省發展改革委、省農業農村廳按職責分工負責；列第一位者為牽頭單位"
	want := "省市场监管局牵头，省发展改革委、省农业农村厅按职责分工负责；列第一位者为牵头单位"
	if got := normalizeText(in); got != want {
		t.Errorf("normalizeText = %q, want %q", got, want)
	}
}

// TestParseLinearTime guards against quadratic behaviour on big or
// pathological inputs.
func TestParseLinearTime(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	seed := string(readSeed(t))
	body := seed[strings.Index(seed, "三、重点任务"):]
	inputs := map[string]string{
		"repeated seed":  seed + strings.Repeat(body, 200),
		"open brackets":  wrapTasks("1.甲" + strings.Repeat("（", 1<<20)),
		"close brackets": wrapTasks("1.甲" + strings.Repeat("）", 1<<20)),
		"titles":         wrapTasks("1.制定" + strings.Repeat("《", 1<<20)),
		"quotes":         wrapTasks("1.到2025年" + strings.Repeat("“1个", 1<<18)),
		"numbers":        wrapTasks("1.到2025年" + strings.Repeat("1个、", 1<<18)),
		"clauses":        wrapTasks("1.甲" + strings.Repeat("（省A局牵头，省B厅配合）", 1<<16)),
		"one long line":  strings.Repeat("甲", 1<<22) + "\n1.乙。",
		"many tasks":     wrapTasks(strings.Repeat("1.甲。（省A局负责）\n", 1<<17)),
	}
	for name, src := range inputs {
		start := time.Now()
		if _, err := Parse([]byte(src)); err != nil && !errors.Is(err, ErrNoTasks) {
			t.Errorf("%s: %v", name, err)
		}
		d := time.Since(start)
		t.Logf("%s: %d bytes in %v", name, len(src), d)
		if d > 10*time.Second {
			t.Errorf("%s: %d bytes took %v", name, len(src), d)
		}
	}
}
