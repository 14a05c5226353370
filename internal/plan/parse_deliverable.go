package plan

import (
	"strings"
	"unicode/utf8"
)

// producingVerbs say that the task makes the titled document.
var producingVerbs = []string{
	"编写出版", "研究制定", "制修订", "制定", "制订", "修订", "修编", "编写", "编制", "编纂", "编撰",
	"出台", "签订", "签署", "发布", "颁布", "建立", "研制", "起草", "印发", "出版", "形成", "拟定",
}

// citingVerbs say that the task uses a document that already exists
// ("贯彻实施《企业知识产权管理规范》", "通过《…》认证"). Longest first.
var citingVerbs = []string{
	"贯彻实施", "贯彻落实", "宣传贯彻", "宣贯", "贯彻", "实施", "执行", "落实", "依据", "根据", "按照", "依照",
	"参照", "对照", "通过", "采用", "符合", "遵循", "遵守", "学习", "引用", "对标", "运用", "应用", "推广",
	"推行", "宣传", "解读", "获得", "取得", "达到", "满足", "申报",
}

// findDeliverables lists the 《》 titles the task will produce: those whose
// clause has a producing verb (制定, 修订, 编写出版, 签订, …) before them,
// unless a citing verb stands right before the titles on its own. A run of
// titles after one verb ("《A》《B》", "《A》、《B》") shares that verb, and a
// title followed by volume brackets ("《…标准》(第一册)(第二册)") gives one
// deliverable per volume, written with full-width brackets.
func (s *scan) findDeliverables() []string {
	out := []string{}
	seen := map[string]bool{}
	r := s.r
	for i := 0; i < len(r); {
		if r[i] != '《' || s.clause[i] {
			i++
			continue
		}
		titles, end := s.titleRun(i)
		if len(titles) == 0 || end <= i {
			i++
			continue
		}
		if s.produces(i) {
			for _, t := range titles {
				if !seen[t] {
					seen[t] = true
					out = append(out, t)
				}
			}
		}
		i = end
	}
	return out
}

// titleRun reads consecutive titles starting at the 《 at r[i].
func (s *scan) titleRun(i int) ([]string, int) {
	r := s.r
	var titles []string
	pos := i
	for pos < len(r) && r[pos] == '《' {
		j := indexRune(r, pos+1, '》', 200)
		if j < 0 {
			break
		}
		title := strings.TrimSpace(string(r[pos+1 : j]))
		pos = j + 1
		var vols []string
		for {
			k := skipSpaces(r, pos)
			if k >= len(r) || !isOpenBracket(r[k]) {
				break
			}
			c := -1
			for m := k + 1; m < len(r) && m <= k+12; m++ {
				if isCloseBracket(r[m]) {
					c = m
					break
				}
			}
			if c < 0 {
				break
			}
			v := strings.TrimSpace(string(r[k+1 : c]))
			if !isVolume(v) {
				break
			}
			vols = append(vols, v)
			pos = c + 1
		}
		if title != "" {
			if len(vols) == 0 {
				titles = append(titles, title)
			}
			for _, v := range vols {
				titles = append(titles, title+"（"+v+"）")
			}
		}
		k := skipSpaces(r, pos)
		switch {
		case k < len(r) && r[k] == '《':
			pos = k
		case k < len(r) && strings.ContainsRune("、和及与", r[k]) && skipSpaces(r, k+1) < len(r) && r[skipSpaces(r, k+1)] == '《':
			pos = skipSpaces(r, k+1)
		case hasRunes(r, k, "以及") && skipSpaces(r, k+2) < len(r) && r[skipSpaces(r, k+2)] == '《':
			pos = skipSpaces(r, k+2)
		default:
			return titles, pos
		}
	}
	return titles, pos
}

func indexRune(r []rune, from int, c rune, limit int) int {
	for j := from; j < len(r) && j-from < limit; j++ {
		if r[j] == c {
			return j
		}
	}
	return -1
}

// isVolume recognises "第二册", "第1卷", "上册" and the like.
func isVolume(v string) bool {
	rs := []rune(v)
	if len(rs) < 2 || len(rs) > 8 {
		return false
	}
	last := string(rs[len(rs)-1])
	if len(rs) >= 3 && string(rs[len(rs)-2:]) == "部分" {
		last = "部分"
	}
	if !strings.Contains("册卷辑篇版集部分", last) {
		return false
	}
	mid := rs[:len(rs)-utf8.RuneCountInString(last)]
	if len(mid) == 1 && strings.ContainsRune("上中下", mid[0]) {
		return true
	}
	if len(mid) < 2 || mid[0] != '第' {
		return false
	}
	for _, c := range mid[1:] {
		if !isDigit(c) && !strings.ContainsRune(cnNumerals, c) {
			return false
		}
	}
	return true
}

// produces decides whether the titles starting at r[i] are made by the task.
func (s *scan) produces(i int) bool {
	start := s.clauseStart(i, 200)
	pre := strings.TrimRight(string(s.r[start:i]), " ")
	for _, v := range citingVerbs {
		rest, ok := strings.CutSuffix(pre, v)
		if !ok {
			continue
		}
		// "签订并实施《…》": the citing verb is joined to a producing one.
		rest = strings.TrimRight(rest, " ")
		for _, j := range []string{"并且", "并", "和", "及", "与", "、"} {
			if t, ok := strings.CutSuffix(rest, j); ok {
				rest = t
				break
			}
		}
		for _, p := range producingVerbs {
			if strings.HasSuffix(rest, p) {
				return true
			}
		}
		return false
	}
	for _, p := range producingVerbs {
		if strings.Contains(pre, p) {
			return true
		}
	}
	return false
}
