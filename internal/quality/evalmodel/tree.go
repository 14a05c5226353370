package evalmodel

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"sidi/internal/kit"
)

// Directions of an indicator.
const (
	Benefit = "benefit" // 正向：越大越好
	Cost    = "cost"    // 负向：越小越好
)

// DirectionLabels are the directions' Chinese names.
var DirectionLabels = map[string]string{Benefit: "正向（越大越好）", Cost: "负向（越小越好）"}

var directionWords = map[string]string{"正向": Benefit, "效益型": Benefit, "benefit": Benefit, "+": Benefit,
	"负向": Cost, "成本型": Cost, "cost": Cost, "-": Cost}

// Node is a criterion (Parent "") or an indicator of a model's tree.
type Node struct {
	ID        int64   `json:"id"`
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	Parent    string  `json:"parent,omitempty"` // the criterion's code; "" for a criterion
	Direction string  `json:"direction,omitempty"`
	Unit      string  `json:"unit,omitempty"`
	Weight    float64 `json:"weight"` // local, within the parent
}

// Tree limits: every group must fit an AHP matrix.
const (
	maxCriteria   = MaxOrder
	maxPerGroup   = MaxOrder
	maxTreeBytes  = 64 << 10
	maxCodeLen    = 20
	maxNodeName   = 60
	maxUnitLength = 20
)

var codeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Tree columns, as the tree text names them in errors.
var treeColumns = []string{"代码", "名称", "上级代码", "方向", "单位"}

// ParseTree reads a model's tree, one node a line as CSV:
// 代码,名称,上级代码,方向,单位 — a criterion leaves 上级代码 and 方向
// empty; an indicator names its criterion and its direction (正向/负向).
// Blank lines and lines starting with # are skipped. Failures name the
// line and column.
func ParseTree(text string) ([]Node, error) {
	if len(text) > maxTreeBytes {
		return nil, kit.Errors{{Field: "tree", Msg: fmt.Sprintf("指标体系文本过长（超过 %d KB）", maxTreeBytes>>10)}}
	}
	if !utf8.ValidString(text) {
		return nil, kit.Errors{{Field: "tree", Msg: "指标体系文本含有无法识别的字符（须为 UTF-8）"}}
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.Comment = '#'
	r.TrimLeadingSpace = true
	var errs kit.Errors
	var nodes []Node
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			line := 0
			if errors.As(err, &pe) {
				line = pe.Line
			}
			errs.AddCell(line, "", "无法读取：%v", err)
			break
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) > len(treeColumns) {
			errs.AddCell(line, "", "有 %d 列，最多 %d 列（%s）", len(rec), len(treeColumns), strings.Join(treeColumns, ","))
			continue
		}
		for len(rec) < len(treeColumns) {
			rec = append(rec, "")
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		n := Node{Code: rec[0], Name: rec[1], Parent: rec[2], Unit: rec[4]}
		switch {
		case n.Code == "":
			errs.AddCell(line, "代码", "不能为空")
		case len(n.Code) > maxCodeLen || !codeRE.MatchString(n.Code):
			errs.AddCell(line, "代码", "“%s”须为 1–%d 位字母、数字、点、横线或下划线", kit.ClipRunes(n.Code, 20), maxCodeLen)
		case seen[n.Code] > 0:
			errs.AddCell(line, "代码", "%s 与第 %d 行重复", n.Code, seen[n.Code])
		default:
			seen[n.Code] = line
		}
		nameErr(&errs, line, "名称", n.Name, maxNodeName, true)
		nameErr(&errs, line, "单位", n.Unit, maxUnitLength, false)
		if n.Parent == "" {
			if rec[3] != "" {
				errs.AddCell(line, "方向", "准则（无上级代码）不填方向")
			}
		} else if n.Direction = directionWords[strings.ToLower(rec[3])]; n.Direction == "" {
			errs.AddCell(line, "方向", "“%s”须为正向或负向", kit.ClipRunes(rec[3], 10))
		}
		nodes = append(nodes, n)
		if len(nodes) > maxCriteria*maxPerGroup+maxCriteria {
			errs.AddCell(line, "", "节点过多（最多 %d 个准则、每个准则 %d 个指标）", maxCriteria, maxPerGroup)
			break
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	crit, kids := 0, map[string]int{}
	for _, n := range nodes {
		if n.Parent == "" {
			crit++
			continue
		}
		line := seen[n.Code]
		p := -1
		for i, c := range nodes {
			if c.Code == n.Parent {
				p = i
			}
		}
		switch {
		case p < 0:
			errs.AddCell(line, "上级代码", "上级 %s 不在指标体系中", kit.ClipRunes(n.Parent, 20))
		case nodes[p].Parent != "":
			errs.AddCell(line, "上级代码", "上级 %s 是指标而不是准则（指标体系为准则—指标两级）", n.Parent)
		default:
			kids[n.Parent]++
		}
	}
	if crit == 0 {
		errs.Add("tree", "指标体系至少需要 1 个准则及其指标")
	}
	if crit > maxCriteria {
		errs.Add("tree", "准则有 %d 个，最多 %d 个", crit, maxCriteria)
	}
	for _, n := range nodes {
		if n.Parent != "" {
			continue
		}
		switch k := kids[n.Code]; {
		case k == 0:
			errs.AddCell(seen[n.Code], "代码", "准则 %s 下没有指标", n.Code)
		case k > maxPerGroup:
			errs.AddCell(seen[n.Code], "代码", "准则 %s 下有 %d 个指标，最多 %d 个", n.Code, k, maxPerGroup)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return nodes, nil
}

func nameErr(errs *kit.Errors, line int, col, v string, max int, required bool) {
	switch {
	case v == "" && required:
		errs.AddCell(line, col, "不能为空")
	case utf8.RuneCountInString(v) > max:
		errs.AddCell(line, col, "不能超过 %d 个字", max)
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		errs.AddCell(line, col, "含有控制字符")
	}
}

// TreeText writes nodes back as the text ParseTree reads.
func TreeText(nodes []Node) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	for _, n := range nodes {
		dir := ""
		if n.Direction == Benefit {
			dir = "正向"
		} else if n.Direction == Cost {
			dir = "负向"
		}
		w.Write([]string{n.Code, n.Name, n.Parent, dir, n.Unit})
	}
	w.Flush()
	return b.String()
}

// Class is one class of the model: scores from Min (inclusive) up to the
// next class's minimum.
type Class struct {
	Class string  `json:"class"`
	Label string  `json:"label"`
	Min   float64 `json:"min"`
}

// DefaultClasses are the four classes a new model starts with [practice;
// the thresholds are data, changed per model].
var DefaultClasses = []Class{{"A", "一类（优）", 85}, {"B", "二类（良）", 70}, {"C", "三类（中）", 60}, {"D", "四类（差）", 0}}

// ParseClasses reads the classes, one a line: 等级,最低分,说明 (说明
// optional). The minima must fall strictly from the first line to the
// last, which is 0 so that every score has a class.
func ParseClasses(text string) ([]Class, error) {
	var errs kit.Errors
	var out []Class
	seen := map[string]bool{}
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r", ""), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == '，' || r == '\t' || r == ' ' })
		if len(f) < 2 || len(f) > 3 {
			errs.AddCell(i+1, "", "须为“等级,最低分,说明”")
			continue
		}
		c := Class{Class: f[0]}
		if len(f) == 3 {
			c.Label = f[2]
		}
		nameErr(&errs, i+1, "等级", c.Class, 10, true)
		nameErr(&errs, i+1, "说明", c.Label, 20, false)
		if seen[c.Class] {
			errs.AddCell(i+1, "等级", "%s 重复", c.Class)
		}
		seen[c.Class] = true
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil || math.IsNaN(v) || v < 0 || v > 100 {
			errs.AddCell(i+1, "最低分", "“%s”须为 0–100 的数", kit.ClipRunes(f[1], 10))
		} else if len(out) > 0 && v >= out[len(out)-1].Min {
			errs.AddCell(i+1, "最低分", "须低于上一等级的最低分 %s", fmtNum(out[len(out)-1].Min))
		}
		c.Min = v
		out = append(out, c)
	}
	switch {
	case len(errs) > 0:
	case len(out) < 2 || len(out) > 10:
		errs.Add("classes", "分类等级须为 2–10 个，现有 %d 个", len(out))
	case out[len(out)-1].Min != 0:
		errs.Add("classes", "最后一个等级的最低分须为 0，使每个得分都有等级")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// ClassesText writes classes back as the text ParseClasses reads.
func ClassesText(cs []Class) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s,%s,%s\n", c.Class, fmtNum(c.Min), c.Label)
	}
	return b.String()
}

// Classify returns the index of the class of score in cs (sorted by
// falling minima).
func Classify(cs []Class, score float64) int {
	for i, c := range cs {
		if score >= c.Min-1e-9 {
			return i
		}
	}
	return len(cs) - 1
}

func sortClasses(cs []Class) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Min > cs[j].Min })
}
