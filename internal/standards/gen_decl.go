package standards

import (
	"fmt"
	"strconv"
	"strings"
)

// Generated declarations: every enterprise declares DeclsPerEnterprise
// standards, seven in ten its own enterprise standards (with indicators)
// and the rest standards of the generated registry.
const DeclsPerEnterprise = 5

// genRegions are Qinghai's administrative division codes for credit codes.
var genRegions = []string{"630100", "630102", "630121", "630200", "632200", "632300", "632500", "632600", "632700", "632800", "632801", "632802"}

// GenEnterprise returns fictitious enterprise n with a valid credit code
// (unique per n).
func (g *Gen) GenEnterprise(n int) EnterpriseInput {
	r := g.rng(11, uint64(n))
	org := make([]byte, 9)
	k := n
	for i := 8; i >= 1; i-- {
		org[i] = creditChars[k%31]
		k /= 31
	}
	org[0] = "MNPQ"[r.IntN(4)]
	first := "91" + pick(r, genRegions) + string(org)
	return EnterpriseInput{CreditCode: first + string(CreditCheck(first)), Name: g.EnterpriseName(n), Address: "青海省" + pick(r, genPlaces), Note: BenchNote}
}

// genIndicator is an indicator family of a topic with a plausible range.
type genIndicator struct {
	name, unit, method, dir string
	lo, hi                  float64
}

var genIndicators = map[string][]genIndicator{
	"绿色有机农畜": {{"蛋白质", "g/100g", "GB 5009.5", HigherBetter, 18, 30}, {"脂肪", "g/100g", "GB 5009.6", LowerBetter, 2, 12}, {"水分", "g/100g", "GB 5009.3", LowerBetter, 8, 20},
		{"多糖", "g/100g", "GB/T 18672", HigherBetter, 2, 5}, {"菌落总数", "CFU/g", "GB 4789.2", LowerBetter, 1000, 50000}, {"灰分", "g/100g", "GB 5009.4", LowerBetter, 1, 6}},
	"盐湖": {{"氯化钾含量", "%", "GB/T 7118", HigherBetter, 90, 99}, {"氯化钠含量", "g/100g", "GB 5009.42", HigherBetter, 97, 99.6}, {"水不溶物", "%", "GB/T 13025.4", LowerBetter, 0.05, 0.5},
		{"碳酸锂含量", "%", "GB/T 11064.1", HigherBetter, 99, 99.9}, {"水分", "%", "GB/T 6283", LowerBetter, 0.1, 2}},
	"清洁能源": {{"组件转换效率", "%", "IEC 61215", HigherBetter, 20, 23.5}, {"首年衰减率", "%", "IEC 61215", LowerBetter, 0.8, 2.5}, {"循环寿命", "次", "GB/T 36276", HigherBetter, 4000, 10000},
		{"能量效率", "%", "GB/T 36276", HigherBetter, 85, 95}},
	"生态旅游": {{"游客满意度", "分", "LB/T 017", HigherBetter, 80, 98}, {"投诉处理时限", "h", "自定方法", LowerBetter, 4, 48}},
	"": {{"热效率", "%", "GB/T 10180", HigherBetter, 85, 98}, {"噪声", "dB(A)", "GB/T 3768", LowerBetter, 45, 75}, {"额定载重量", "kg", "GB/T 10059", HigherBetter, 630, 2000},
		{"平均无故障时间", "h", "GB/T 5080", HigherBetter, 5000, 30000}},
}

var genProductNouns = []string{"", "（特级）", "（一级）", "礼盒", "散装", "精选", "即食"}

// Declaration returns declaration j, with stdCount registry records
// generated before it (registry declarations refer to them by index).
// Registry is the index of the declared registry standard, or -1.
func (g *Gen) Declaration(j, stdCount int) (in DeclarationInput, ent int, registry int) {
	r := g.rng(13, uint64(j))
	ent = j / DeclsPerEnterprise
	registry = -1
	t := genTopics[r.IntN(len(genTopics))]
	subject := pick(r, t.words)
	for k := 1 + r.IntN(3); k > 0; k-- {
		in.Products = append(in.Products, Product{Name: subject + pick(r, genProductNouns), Model: fmt.Sprintf("%s-%d", strings.ToUpper(string(rune('A'+r.IntN(26)))), 100+r.IntN(900)),
			Category: subject})
	}
	in.Demo, in.Note = false, BenchNote
	if r.IntN(10) < 3 && stdCount > 0 {
		// A standard of the registry, national to local.
		for tries := 0; tries < 20 && registry < 0; tries++ {
			k := r.IntN(stdCount)
			if f, _ := g.family(k); f.editions {
				if st := g.Standard(k); st.Status == StatusActive {
					registry = k
					in.StandardCode, in.StandardTitle = st.Code, st.Title
				}
			}
		}
		if registry >= 0 {
			return in, ent, registry
		}
	}
	// The enterprise's own standard.
	num := fmt.Sprintf("%03d", 100+j%DeclsPerEnterprise)
	if t.ccs[0][0] == 'X' || t.tag == "绿色有机农畜" {
		num += "S"
	}
	in.StandardCode = "Q/" + entCode(ent) + " " + num + "—" + strconv.Itoa(2015+r.IntN(12))
	in.StandardTitle = subject + pick(r, t.suffixes)
	in.Committed = true
	inds := genIndicators[t.tag]
	if len(inds) == 0 {
		inds = genIndicators[""]
	}
	start := r.IntN(len(inds))
	for k := 0; k < 2+r.IntN(len(inds)-1); k++ {
		gi := inds[(start+k)%len(inds)]
		v := gi.lo + r.Float64()*(gi.hi-gi.lo)
		ind := Indicator{Name: gi.name, Unit: gi.unit, Value: strconv.FormatFloat(v, 'f', 2, 64), TestMethod: gi.method, Direction: gi.dir}
		if r.IntN(3) == 0 {
			// The recommended national standard's value: usually met.
			nat := gi.lo + (gi.hi-gi.lo)*0.3
			if gi.dir == LowerBetter {
				nat = gi.lo + (gi.hi-gi.lo)*0.7
			}
			ind.National = strconv.FormatFloat(nat, 'f', 2, 64)
			if (gi.dir == HigherBetter && v < nat) || (gi.dir == LowerBetter && v > nat) {
				in.BelowNational = true
			}
		}
		in.Indicators = append(in.Indicators, ind)
	}
	in.NationalRef = "GB/T " + strconv.Itoa(10000+r.IntN(30000)) + "—" + strconv.Itoa(2008+r.IntN(17))
	if in.BelowNational {
		in.BelowNote = "按与客户约定的技术条件生产，部分指标低于推荐性国家标准。"
	}
	return in, ent, registry
}
