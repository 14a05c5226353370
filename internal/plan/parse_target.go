package plan

import (
	"math"
	"strconv"
	"strings"
)

// quantity is a target found in a task before its text is cut out.
type quantity struct {
	start, end    int // rune offsets of the number and of the end of 以上/以内
	year, yearEnd int
	value         float64
	max           *float64
	unit          string
	cmp           string // decided by the words touching the number; "" if none
	uncertain     string
}

var reachVerbs = []string{"达到", "超过", "突破", "不低于", "不少于", "保持在", "稳定在", "控制在", "提高到", "提升到"}

// unitless tells whether the number at r[i:j] is a target although no
// measure word follows it.
func (s *scan) unitless(i, j int) bool {
	r := s.r
	p := i
	for p > 0 && r[p-1] == ' ' {
		p--
	}
	verb := false
	for _, v := range reachVerbs {
		if p >= len([]rune(v)) && string(r[p-len([]rune(v)):p]) == v {
			verb = true
		}
	}
	if !verb {
		return false
	}
	e := skipSpaces(r, j)
	if hasRunes(r, e, "以上") || hasRunes(r, e, "以内") || hasRunes(r, e, "以下") || hasRunes(r, e, "左右") {
		return true
	}
	// "五千亿规模": a large amount written with 万/亿
	for k := i; k < j; k++ {
		if r[k] == '万' || r[k] == '亿' {
			return true
		}
	}
	return false
}

// findTargets reads the quantitative goals of a task. A year phrase ("到
// 2025年", "2025年底前", "到“十四五”末") opens the targets; every later number
// of the same task with a unit is a target of that year until another year
// phrase, because plans state the year once and then list several goals.
// Numbers that are not goals are skipped: those in quotes or 《》 titles,
// ordinals (第二册), durations and dates (年, 月, 日, 岁 are not units),
// a lone "一" (the indefinite "一个/一批"), and money in a sentence about
// subsidies or rewards.
func (s *scan) findTargets() []Target {
	ts, _ := s.findTargetsFrom(0)
	return ts
}

// findTargetsFrom is findTargets with a year that governs the numbers
// before the first year phrase (the title's year of a 年度 plan, or a year
// stated earlier in the same goals section); it also returns the last year
// in force at the end of the text.
func (s *scan) findTargetsFrom(defYear int) ([]Target, int) {
	r := s.r
	var qs []quantity
	year, yearEnd := defYear, -1
	for i := 0; i < len(r); {
		if s.titled[i] || s.clause[i] {
			i++
			continue
		}
		if y, end, ok := matchYearPhrase(r, i); ok {
			year, yearEnd = y, end
			i = end
			continue
		}
		if year == 0 || s.quoted[i] {
			i++
			continue
		}
		q, end, ok := s.matchQuantity(i)
		if ok {
			q.year, q.yearEnd = year, yearEnd
			qs = append(qs, q)
		}
		if end > i {
			i = end
		} else {
			i++
		}
	}
	out := make([]Target, 0, len(qs))
	for k, q := range qs {
		t := s.target(qs, k, q)
		if q.yearEnd < 0 && t.Uncertain == "" {
			t.Uncertain = "年份未在本句写明，取自标题或上文"
		}
		out = append(out, t)
	}
	return out, year
}

// target cuts the concise text of a target out of its clause. When one
// clause lists several targets ("商标45件以上、保护产品17件以上"), each
// gets its own part.
func (s *scan) target(qs []quantity, k int, q quantity) Target {
	r := s.r
	start := s.clauseStart(q.start, 150)
	if q.yearEnd > start && q.yearEnd <= q.start {
		start = q.yearEnd
	}
	if k > 0 && qs[k-1].end > start && qs[k-1].end <= q.start {
		start = qs[k-1].end
		if sp := s.splitPoint(qs[k-1].end, q.start); sp >= 0 {
			start = sp + 1
		}
	}
	end := s.clauseEnd(q.end, 150)
	if k+1 < len(qs) && qs[k+1].start < end {
		end = q.end
		if sp := s.splitPoint(q.end, qs[k+1].start); sp >= 0 {
			end = sp
			if r[sp] == '及' && sp-1 >= q.end && r[sp-1] == '以' {
				end = sp - 1 // "以及"
			}
		}
	}
	text := strings.TrimSpace(string(r[start:end]))
	for changed := true; changed; {
		changed = false
		for _, p := range []string{"力争", "争取", "努力", "确保", "、", " "} {
			if t, ok := strings.CutPrefix(text, p); ok {
				text, changed = t, true
			}
		}
	}

	cmp := q.cmp
	if cmp == "" {
		lo := q.start - 20
		if lo < start {
			lo = start
		}
		cmp = prefixComparator(string(r[lo:q.start]))
	}
	t := Target{
		Year:       q.year,
		Text:       squeezeSpaces(text),
		Comparator: cmp,
		Value:      q.value,
		Max:        q.max,
		Unit:       q.unit,
		Uncertain:  q.uncertain,
	}
	if q.unit == "%" || q.unit == "个百分点" || q.unit == "百分点" {
		lo := q.start - 12
		if lo < start {
			lo = start
		}
		t.Change, t.BaseYear = relativeChange(r[lo:q.start])
	}
	return t
}

// relativeChange reads "增长"/"提高" (up) or "下降"/"降低"/"减少" (down)
// right before a rate, and the base year of "比2020年" / "较2020年".
func relativeChange(pre []rune) (string, int) {
	p := string(pre)
	change := ""
	best := -1
	for _, w := range []struct{ word, dir string }{
		{"增长", "up"}, {"提高", "up"}, {"提升", "up"}, {"增加", "up"}, {"上升", "up"},
		{"下降", "down"}, {"降低", "down"}, {"减少", "down"}, {"压减", "down"}, {"削减", "down"},
	} {
		if i := strings.LastIndex(p, w.word); i >= 0 && i > best {
			tail := p[i+len(w.word):]
			if strings.ContainsAny(tail, "，,；;。") || len([]rune(tail)) > 4 {
				continue
			}
			if strings.HasPrefix(tail, "到") || strings.HasPrefix(tail, "至") {
				// "提高到98%", "降至5%": a level to reach, not a change
				best, change = i, ""
				continue
			}
			best, change = i, w.dir
		}
	}
	if change == "" {
		return "", 0
	}
	base := 0
	for _, w := range []string{"比", "较"} {
		if i := strings.LastIndex(p, w); i >= 0 {
			rs := []rune(p[i+len(w):])
			if y, _, ok := yearAt(rs, 0); ok {
				base = y
			}
		}
	}
	return change, base
}

// splitPoint is where the text between two targets of one clause divides:
// the last enumeration mark or conjunction ("、", "和", "及", "与") before
// the second number, or -1.
func (s *scan) splitPoint(from, to int) int {
	for j := to - 1; j >= from; j-- {
		if strings.ContainsRune("、和及与", s.r[j]) && !s.quoted[j] && !s.titled[j] {
			return j
		}
	}
	return -1
}

// prefixComparator reads words before the number: 突破/超过 mean "more
// than", 不超过/控制在 "at most". With no such word the plan asks to reach
// the number, so the default is ">=": "完成…130个品种" is met by 130 or more.
func prefixComparator(pre string) string {
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(pre, w) {
				return true
			}
		}
		return false
	}
	if t := strings.TrimRight(pre, " "); strings.HasSuffix(t, "约") || strings.HasSuffix(t, "大约") {
		return "=" // 约50家: approximately, as 左右
	}
	switch {
	case has("不超过", "不高于", "不多于", "控制在", "压减到", "压缩到", "压缩至", "降至", "降低到"):
		return "<="
	case has("不少于", "不低于", "至少", "累计达", "达到"):
		return ">="
	case has("突破", "超过", "逾", "多于", "高于"):
		return ">"
	case has("少于", "低于"):
		return "<"
	}
	return ">="
}

// squeezeSpaces drops the stray spaces of typeset text ("商标 20件") but
// keeps a space between two Latin words or numbers.
func squeezeSpaces(s string) string {
	if !strings.Contains(s, " ") {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	for i, c := range rs {
		if c == ' ' {
			if i > 0 && i+1 < len(rs) && isASCIIAlnum(rs[i-1]) && isASCIIAlnum(rs[i+1]) {
				b.WriteRune(c)
			}
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func isASCIIAlnum(r rune) bool {
	return (r >= '0' && r <= '9') || isLatin(r)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// matchYearPhrase recognises the year a target is set for at r[i:].
func matchYearPhrase(r []rune, i int) (year, end int, ok bool) {
	p := -1
	switch {
	case hasRunes(r, i, "截止到"):
		p = i + 3
	case hasRunes(r, i, "截至"), hasRunes(r, i, "截止"):
		p = i + 2
	case r[i] == '到' || r[i] == '至':
		p = i + 1
	}
	if p >= 0 {
		for p < len(r) && r[p] == ' ' {
			p++
		}
		if y, e, ok := yearAt(r, p); ok {
			return y, yearTail(r, e), true
		}
		if y, e, ok := fiveYearPlanEnd(r, p); ok {
			return y, e, true
		}
		return 0, 0, false
	}
	// "2025年底前", "2025年前": the year is stated after the number.
	if isDigit(r[i]) && (i == 0 || !isDigit(r[i-1])) {
		if y, e, ok := yearAt(r, i); ok {
			if t := yearTail(r, e); t > e {
				return y, t, true
			}
			// "。2023年完成2家…": a year opening a sentence or clause,
			// when it is not a date ("2022年11月完成").
			if p := prevNonSpace(r, i); (p < 0 || strings.ContainsRune("。；;，,：:", r[p])) && e < len(r) && !isDigit(r[e]) &&
				!strings.ContainsRune("度版起以内和至—-－～、", r[e]) {
				return y, e, true
			}
		}
	}
	// "再过5年左右时间", "经过5年努力": a year counted from an unstated
	// start; the quantities after it have no calendar year.
	if r[i] == '再' || r[i] == '经' || r[i] == '用' {
		p := i + 1
		if r[i] == '再' && hasRunes(r, p, "过") || r[i] == '经' && hasRunes(r, p, "过") {
			p++
		}
		if p > i+1 || r[i] == '用' {
			if _, e, _, ok := numberAt(r, skipSpaces(r, p)); ok && e < len(r) && r[e] == '年' {
				return 0, e + 1, true
			}
		}
	}
	// "“十四五”末" without 到.
	if r[i] == '十' && (i == 0 || !strings.ContainsRune(cnNumerals, r[i-1])) {
		if y, e, ok := fiveYearPlanEnd(r, i); ok {
			return y, e, true
		}
	}
	return 0, 0, false
}

// yearAt reads "2025年" or "二〇二五年".
func yearAt(r []rune, p int) (int, int, bool) {
	if p+5 > len(r) || r[p+4] != '年' {
		return 0, 0, false
	}
	y := 0
	for k := p; k < p+4; k++ {
		switch {
		case isDigit(r[k]):
			y = y*10 + int(r[k]-'0')
		case strings.ContainsRune("〇零一二三四五六七八九", r[k]):
			y = y*10 + cnDigitValue(r[k])
		default:
			return 0, 0, false
		}
	}
	if y < 1949 || y > 2100 {
		return 0, 0, false
	}
	return y, p + 5, true
}

// yearTail consumes "底前", "底", "末", "前", "以前" after "…年", and a
// month before them ("2023年6月底前").
func yearTail(r []rune, e int) int {
	if m := e; m < len(r) && isDigit(r[m]) {
		for m < len(r) && m-e < 2 && isDigit(r[m]) {
			m++
		}
		if m < len(r) && r[m] == '月' {
			for _, t := range []string{"底前", "以前", "底", "末", "前"} {
				if hasRunes(r, m+1, t) {
					return m + 1 + len([]rune(t))
				}
			}
		}
	}
	for _, t := range []string{"底前", "以前", "底", "末", "前"} {
		if hasRunes(r, e, t) {
			return e + len([]rune(t))
		}
	}
	return e
}

// fiveYearPlanEnd reads "“十四五”末" (the end of a five-year plan period).
func fiveYearPlanEnd(r []rune, p int) (int, int, bool) {
	if p < len(r) && strings.ContainsRune("“\"「", r[p]) {
		p++
	}
	if p+3 > len(r) || r[p] != '十' {
		return 0, 0, false
	}
	var y int
	switch string(r[p+1 : p+3]) {
	case "二五":
		y = 2015
	case "三五":
		y = 2020
	case "四五":
		y = 2025
	case "五五":
		y = 2030
	default:
		return 0, 0, false
	}
	p += 3
	if p < len(r) && strings.ContainsRune("”\"」", r[p]) {
		p++
	}
	for _, t := range []string{"时期末", "规划期末", "期末", "末", "结束"} {
		if hasRunes(r, p, t) {
			return y, p + len([]rune(t)), true
		}
	}
	return 0, 0, false
}

func hasRunes(r []rune, i int, word string) bool {
	for _, c := range word {
		if i >= len(r) || r[i] != c {
			return false
		}
		i++
	}
	return true
}

// units are the measure words a target may end in, longest first so that
// "批次" wins over "批". Time words (年, 月, 日, 天, 岁, 届) are absent on
// purpose: a number followed by them is a date, age or duration.
var units = []string{
	"个百分点", "个工作日", "工作日", "平方公里", "百分点", "平方米", "千瓦时", "批次", "人次", "户次", "家次", "场次", "品种",
	"公顷", "千瓦", "公里", "千米", "千克", "公斤", "美元",
	"%", "％", "‰", "个", "项", "件", "家", "批", "种", "所", "座", "处", "名", "人", "户", "台", "套", "条",
	"次", "场", "篇", "部", "册", "本", "只", "头", "株", "亩", "张", "份", "例", "支", "倍", "元", "吨",
	"辆", "架", "艘", "期", "栋", "宗", "款", "米",
}

var subsidyWords = []string{"奖励", "补助", "补贴", "资助", "奖补", "给予", "扶持", "贴息", "预算安排", "安排资金", "财政安排"}

// matchQuantity reads a number with its unit at r[i:]. It returns the end of
// what it consumed even when that is not a target, so the caller does not
// read the tail of the same number again.
func (s *scan) matchQuantity(i int) (quantity, int, bool) {
	r := s.r
	v, j, cn, ok := numberAt(r, i)
	if !ok {
		return quantity{}, j, false
	}
	// An ordinal ("第94次", "第二册") is not an amount.
	if p := prevNonSpace(r, i); p >= 0 && r[p] == '第' {
		return quantity{}, j, false
	}
	q := quantity{start: i, value: v}
	// Ranges: "6—8个", "6 —8个", "1-2个", "6至8个", "6～8个".
	k := skipSpaces(r, j)
	if k < len(r) && isRangeSep(r[k]) {
		m := k
		for m < len(r) && isRangeSep(r[m]) {
			m++
		}
		m = skipSpaces(r, m)
		if m < len(r) {
			if v2, e2, cn2, ok2 := numberAt(r, m); ok2 && cn2 == cn && v2 >= v {
				q.max = &v2
				j = e2
			}
		}
	}
	if !cn && j < len(r) {
		mult := 1.0
		switch {
		case hasRunes(r, j, "万亿"):
			mult, j = 1e12, j+2
		case r[j] == '万':
			mult, j = 1e4, j+1
		case r[j] == '亿':
			mult, j = 1e8, j+1
		}
		q.value *= mult
		if q.max != nil {
			m := *q.max * mult
			q.max = &m
		}
	}
	j = skipSpaces(r, j)
	if j < len(r) && (r[j] == '余' || r[j] == '多') {
		q.cmp = ">"
		j++
	}
	unit := ""
	for _, u := range units {
		if hasRunes(r, j, u) {
			unit = u
			break
		}
	}
	if unit == "" {
		// A number with no measure word is a target only when a verb of
		// reaching stands right before it and a bound or a large multiple
		// after it: "指数达到92以上", "超过五千亿规模".
		if !s.unitless(i, j) {
			return quantity{}, j, false
		}
		q.uncertain = "数值没有计量单位，请核对"
	}
	j += len([]rune(unit))
	if unit == "个" && (hasRunes(r, j, "月") || hasRunes(r, j, "工作日") || hasRunes(r, j, "小时")) {
		return quantity{}, j, false
	}
	// "已建成10个", "已有5家": a count of what is done, not a goal.
	if lo := s.clauseStart(i, 30); strings.Contains(string(r[lo:i]), "已") {
		return quantity{}, j, false
	}
	if unit == "元" || unit == "美元" {
		lo, hi := s.clauseStart(i, 60), s.clauseEnd(j, 30)
		around := string(r[lo:hi])
		for _, w := range subsidyWords {
			if strings.Contains(around, w) {
				return quantity{}, j, false
			}
		}
	}
	if unit == "％" {
		unit = "%"
	}
	if unit == "个工作日" {
		unit = "工作日"
	}
	q.unit = unit
	e := skipSpaces(r, j)
	switch {
	case hasRunes(r, e, "及以上"):
		q.cmp, j = ">=", e+3
	case hasRunes(r, e, "以上"):
		q.cmp, j = ">=", e+2
	case hasRunes(r, e, "以内"), hasRunes(r, e, "以下"), hasRunes(r, e, "之内"):
		q.cmp, j = "<=", e+2
	case q.unit == "工作日" && hasRunes(r, e, "内"):
		q.cmp, j = "<=", e+1
	case hasRunes(r, e, "左右"):
		if q.cmp == "" {
			q.cmp = "="
		}
		j = e + 2
	}
	if q.max != nil {
		q.cmp = "between"
	}
	q.end = j
	if math.IsInf(q.value, 0) || math.IsNaN(q.value) || (q.max != nil && math.IsInf(*q.max, 0)) {
		return quantity{}, j, false
	}
	return q, j, true
}

func isRangeSep(r rune) bool {
	return isDash(r) || r == '~' || r == '～' || r == '〜' || r == '至' || r == '到'
}

func skipSpaces(r []rune, i int) int {
	for i < len(r) && r[i] == ' ' {
		i++
	}
	return i
}

func prevNonSpace(r []rune, i int) int {
	for j := i - 1; j >= 0; j-- {
		if r[j] != ' ' {
			return j
		}
	}
	return -1
}

const cnNumerals = "零〇一二两三四五六七八九十百千万亿"

// numberAt reads an Arabic number ("1.25", "1,000") or a Chinese one
// ("十", "两", "一百二十") starting exactly at r[i]. A number that continues
// one before it, or is glued to Latin letters ("ISO9001"), is not read.
func numberAt(r []rune, i int) (v float64, end int, cn bool, ok bool) {
	if i >= len(r) {
		return 0, i, false, false
	}
	if isDigit(r[i]) {
		if i > 0 && (isDigit(r[i-1]) || r[i-1] == '.' || isLatin(r[i-1])) {
			return 0, i + 1, false, false
		}
		j := i
		var b strings.Builder
		for j < len(r) {
			switch {
			case isDigit(r[j]):
				b.WriteRune(r[j])
				j++
				continue
			case r[j] == ',' && j+3 < len(r) && isDigit(r[j+1]) && isDigit(r[j+2]) && isDigit(r[j+3]) &&
				(j+4 >= len(r) || !isDigit(r[j+4])):
				j++ // thousands separator
				continue
			}
			break
		}
		if j+1 < len(r) && r[j] == '.' && isDigit(r[j+1]) {
			b.WriteByte('.')
			j++
			for j < len(r) && isDigit(r[j]) {
				b.WriteRune(r[j])
				j++
			}
		}
		if j < len(r) && isLatin(r[j]) {
			return 0, j, false, false
		}
		if b.Len() > 15 {
			return 0, j, false, false
		}
		f, err := strconv.ParseFloat(b.String(), 64)
		if err != nil {
			return 0, j, false, false
		}
		return f, j, false, true
	}
	if !strings.ContainsRune(cnNumerals, r[i]) || (i > 0 && strings.ContainsRune(cnNumerals, r[i-1])) {
		return 0, i + 1, true, false
	}
	j := i
	for j < len(r) && j-i < 12 && strings.ContainsRune(cnNumerals, r[j]) {
		j++
	}
	run := r[i:j]
	// A bare "一" is the indefinite article of 一个, 一批, 一方.
	if len(run) == 1 && run[0] == '一' {
		return 0, j, true, false
	}
	f, ok := parseCNNumber(run)
	if !ok {
		return 0, j, true, false
	}
	return f, j, true, true
}

func cnDigitValue(r rune) int {
	switch r {
	case '一':
		return 1
	case '二', '两':
		return 2
	case '三':
		return 3
	case '四':
		return 4
	case '五':
		return 5
	case '六':
		return 6
	case '七':
		return 7
	case '八':
		return 8
	case '九':
		return 9
	}
	return 0
}

// parseCNNumber reads a Chinese numeral such as "十", "二十三", "一百零五",
// "三万", "两千". A run with no digit or ten in it ("万", "千") is a word,
// not a number.
func parseCNNumber(rs []rune) (float64, bool) {
	var total, section, digit float64
	haveDigit, pending := false, false
	for _, r := range rs {
		switch r {
		case '零', '〇':
			haveDigit = true
			pending = false
			digit = 0
		case '十', '百', '千':
			if !pending {
				// "十五" means 15; a bare 百 or 千 is part of a word (千头).
				if r != '十' {
					return 0, false
				}
				digit = 1
			}
			section += digit * cnPower(r)
			digit, pending, haveDigit = 0, false, true
		case '万', '亿':
			mult := cnPower(r)
			section += digit
			if section == 0 && total == 0 {
				return 0, false
			}
			if r == '亿' {
				total = (total + section) * mult
			} else {
				total += section * mult
			}
			section, digit, pending = 0, 0, false
		default:
			d := cnDigitValue(r)
			if d == 0 {
				return 0, false
			}
			if pending {
				// "十四五": two digits in a row is a name, not a number.
				return 0, false
			}
			digit, pending, haveDigit = float64(d), true, true
		}
	}
	if !haveDigit {
		return 0, false
	}
	return total + section + digit, true
}

func cnPower(r rune) float64 {
	switch r {
	case '十':
		return 10
	case '百':
		return 100
	case '千':
		return 1000
	case '万':
		return 1e4
	}
	return 1e8
}

// parseCNInt is parseCNNumber for small counts (heading numbers, months).
func parseCNInt(rs []rune) (int64, bool) {
	f, ok := parseCNNumber(rs)
	if !ok || f > 1e9 {
		return 0, false
	}
	return int64(f), true
}
