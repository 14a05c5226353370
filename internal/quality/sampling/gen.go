package sampling

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"sidi/internal/creditcode"
	"sidi/internal/kit"
)

// Gen makes fictitious but valid batch rows for load tests and the demo:
// the same seed gives the same rows.
type Gen struct {
	Seed        uint64
	Today       string // no date after it (YYYY-MM-DD)
	FromYear    int    // first year sampled
	Prefix      string // batch numbers: Prefix + year + sequence
	Demo        bool   // enterprise names carry the demo label
	Enterprises int    // distinct enterprises (default 20,000)
	TaskNo      func(i int) string
}

var (
	genProducts = []struct{ name, key string }{
		{"氯化钾", KeySaltLake}, {"硫酸钾", KeySaltLake}, {"碳酸锂", KeySaltLake}, {"氯化镁", KeySaltLake}, {"纯碱", KeySaltLake},
		{"光伏组件", KeyPV}, {"光伏逆变器", KeyPV}, {"多晶硅", KeyPV},
		{"电线电缆", ""}, {"水泥", ""}, {"钢筋混凝土用钢", ""}, {"复合肥料", ""}, {"电动自行车", ""}, {"儿童服装", ""},
		{"燃气灶具", ""}, {"建筑防水卷材", ""}, {"塑料管材", ""}, {"安全帽", ""}, {"食品用塑料包装", ""}, {"牦牛绒制品", ""},
	}
	genUnits  = []string{"青海省产品质量监督检验检测院", "西宁市市场监督管理局", "海西州市场监督管理局", "海东市市场监督管理局"}
	genBodies = []string{"青海省产品质量监督检验检测院", "青海省计量检定测试所", "国家盐湖资源综合利用产品质量检验检测中心（青海）", "国家光伏产品质量检验检测中心（青海）"}
	genItems  = []string{"氧化钾含量", "水分", "导体电阻", "绝缘老化前机械性能", "抗压强度", "标称功率", "最大功率温度系数", "总养分", "纤维含量", "pH 值"}
	genCounty = []string{"630102", "630121", "632801", "632802", "632822", "630202", "632521", "632221"}
)

func genCode(k int) string {
	body := fmt.Sprintf("91%s%09d", genCounty[k%len(genCounty)], k)
	b := []byte(body)
	for i := 8; i < 17; i++ {
		b[i] = creditcode.Alphabet[int(b[i]-'0')*7%len(creditcode.Alphabet)]
	}
	s := string(b)
	return s + string(creditcode.Check(s))
}

// Row is the i-th generated batch (0-based) as file cells.
func (g *Gen) Row(r *rand.Rand, i int) []string {
	today, _ := time.Parse(time.DateOnly, g.Today)
	first := time.Date(g.FromYear, 1, 1, 0, 0, 0, 0, time.UTC)
	span := int(today.Sub(first).Hours()/24) - 40
	if span < 1 {
		span = 1
	}
	sampled := first.AddDate(0, 0, r.IntN(span))
	day := func(t time.Time) string {
		if t.After(today) {
			t = today
		}
		return t.Format(time.DateOnly)
	}
	nEnt := g.Enterprises
	if nEnt <= 0 {
		nEnt = 20000
	}
	k := r.IntN(nEnt)
	p := genProducts[r.IntN(len(genProducts))]
	name := fmt.Sprintf("青海%s%s有限公司%d", []string{"昆仑", "柴达木", "湟水", "祁连", "三江"}[k%5], p.name, k)
	if g.Demo {
		name = DemoLabel + name
	}
	level := []string{"省", "省", "省", "市州", "国家"}[r.IntN(5)]
	result := sampled.AddDate(0, 0, 10+r.IntN(20))
	out := "合格"
	var items, retest, reason, notice, body, report, resultOn string
	switch x := r.IntN(1000); {
	case x < 880:
	case x < 970:
		out = "不合格"
	case x < 975:
		out = "涉嫌无证无照"
	case x < 980:
		out = "拒检"
	case x < 985:
		out = "未抽到样"
	case x < 990:
		out = "复检中"
	case x < 995:
		out = "复检维持"
	default:
		out = "复检改判"
	}
	taskNo := ""
	if g.TaskNo != nil {
		taskNo = g.TaskNo(i)
	}
	if Tested(lookup(OutcomeLabels, out)) {
		body = genBodies[r.IntN(len(genBodies))]
		report = fmt.Sprintf("%sBG%d%07d", g.Prefix, sampled.Year(), i)
		resultOn = day(result)
		if out != "合格" {
			items = genItems[r.IntN(len(genItems))]
		}
		if Retest(lookup(OutcomeLabels, out)) {
			retest = day(result.AddDate(0, 0, 1+r.IntN(RetestDays)))
		}
		if out == "不合格" && r.IntN(2) == 0 {
			notice = day(result.AddDate(0, 0, 20))
		}
	}
	return []string{fmt.Sprintf("%s%d%07d", g.Prefix, sampled.Year(), i), fmt.Sprint(sampled.Year()), level, taskNo, p.name, KeyLabels[p.key], name,
		genCode(k), genUnits[r.IntN(len(genUnits))], day(sampled), body, report, out, resultOn, items, retest, reason, notice}
}

// WriteCSV writes the header and n rows.
func (g *Gen) WriteCSV(w io.Writer, n int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := csv.NewWriter(bw)
	if err := cw.Write(kit.Header(BatchColumns)); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(g.Seed, 15))
	for i := range n {
		if err := cw.Write(g.Row(r, i)); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}
