package inspect

import (
	"strings"
	"sync"

	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/org"
)

// Item is an inspection item of the 一单 (随机抽查事项清单).
type Item struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Object string `json:"object"`
	Basis  string `json:"basis"`
	Method string `json:"method"`
	Class  string `json:"class"` // 一般 | 重点
	Dept   string `json:"dept"`  // 实施部门 ('' when not given)
}

// Entity is an entry of the entity library (检查对象名录库).
type Entity struct {
	CreditCode string `json:"credit_code"`
	Name       string `json:"name"`
	Region     string `json:"region"`
	Type       string `json:"type"`
	Risk       string `json:"risk"` // A | B | C | D
}

// Person is an entry of the inspector library (执法检查人员名录库).
type Person struct {
	CertNo string   `json:"cert_no"`
	Name   string   `json:"name"`
	Unit   string   `json:"unit"`
	Domain string   `json:"domain"`
	Avoid  []string `json:"avoid"` // declared conflicts, credit codes, sorted
}

// Item classes.
const (
	ClassGeneral = "一般"
	ClassKey     = "重点"
)

// Column names of the three import files (the headers).
const (
	ColItemCode   = "事项编码"
	ColItemName   = "事项名称"
	ColObject     = "检查对象"
	ColBasis      = "法律依据"
	ColMethod     = "检查方式"
	ColItemClass  = "类别"
	ColItemDept   = "实施部门"
	ColCreditCode = "统一社会信用代码"
	ColEntityName = "名称"
	ColRegion     = "行政区划代码"
	ColType       = "类型"
	ColRisk       = "风险等级"
	ColCertNo     = "执法证号"
	ColPerson     = "姓名"
	ColUnit       = "单位"
	ColDomain     = "专业领域"
	ColAvoid      = "回避企业"
)

// The columns of the import files.
var (
	ItemColumns = []kit.Column{
		{Name: ColItemCode, Aliases: []string{"编码", "事项编号"}, Required: true}, {Name: ColItemName, Aliases: []string{"抽查事项"}, Required: true},
		{Name: ColObject, Required: true}, {Name: ColBasis, Aliases: []string{"检查依据", "抽查依据"}, Required: true},
		{Name: ColMethod, Required: true}, {Name: ColItemClass, Aliases: []string{"事项类别"}, Required: true},
		{Name: ColItemDept, Aliases: []string{"检查部门", "部门"}},
	}
	EntityColumns = []kit.Column{
		{Name: ColCreditCode, Required: true}, {Name: ColEntityName, Aliases: []string{"企业名称", "主体名称"}, Required: true},
		{Name: ColRegion, Aliases: []string{"区划代码"}, Required: true}, {Name: ColType, Aliases: []string{"主体类型", "企业类型"}, Required: true},
		{Name: ColRisk, Aliases: []string{"信用风险等级", "风险分类"}, Required: true},
	}
	InspectorColumns = []kit.Column{
		{Name: ColCertNo, Aliases: []string{"执法证号码", "证件号"}, Required: true}, {Name: ColPerson, Required: true},
		{Name: ColUnit, Aliases: []string{"所在单位"}, Required: true}, {Name: ColDomain, Aliases: []string{"执法领域"}, Required: true},
		{Name: ColAvoid, Aliases: []string{"回避对象"}},
	}
)

// code checks an identifier: letters, digits, "-", "_", "." and "/".
func code(r kit.Row, errs *kit.Errors, col string, max int) string {
	v := kit.Cell(r, errs, col, max, true)
	for _, c := range v {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || strings.ContainsRune("-_./", c)) {
			errs.AddCell(r.N, col, "“%s”只能由字母、数字和 - _ . / 组成", kit.ClipRunes(v, 20))
			break
		}
	}
	return v
}

var itemClasses = map[string]string{"一般": ClassGeneral, "一般检查事项": ClassGeneral, "一般事项": ClassGeneral, "重点": ClassKey, "重点检查事项": ClassKey, "重点事项": ClassKey}

// ParseItem checks one row of the item list.
func ParseItem(r kit.Row) (Item, kit.Errors) {
	errs := r.Errs
	it := Item{Code: code(r, &errs, ColItemCode, 64), Name: kit.Cell(r, &errs, ColItemName, 200, true), Object: kit.Cell(r, &errs, ColObject, 500, true),
		Basis: kit.Cell(r, &errs, ColBasis, 4000, true), Method: kit.Cell(r, &errs, ColMethod, 100, true), Dept: kit.Cell(r, &errs, ColItemDept, 100, false)}
	v := strings.TrimSpace(r.Get(ColItemClass))
	if it.Class = itemClasses[v]; it.Class == "" && v != "" {
		errs.AddCell(r.N, ColItemClass, "类别“%s”无效：须为“一般”或“重点”", kit.ClipRunes(v, 20))
	} else if v == "" {
		errs.AddCell(r.N, ColItemClass, "不能为空")
	}
	return it, errs
}

var riskClasses = map[string]string{
	"A": "A", "B": "B", "C": "C", "D": "D", "A级": "A", "B级": "B", "C级": "C", "D级": "D",
	"A类": "A", "B类": "B", "C类": "C", "D类": "D", "低": "A", "一般": "B", "较高": "C", "高": "D",
	"低风险": "A", "一般风险": "B", "较高风险": "C", "高风险": "D",
}

// regionCache remembers LookupRegion's answers (a million rows name a few
// hundred codes).
var regionCache sync.Map

func validRegion(code string) bool {
	if v, ok := regionCache.Load(code); ok {
		return v.(bool)
	}
	_, ok := org.LookupRegion(code)
	if len(code) == 6 {
		regionCache.Store(code, ok)
	}
	return ok
}

// ParseEntity checks one row of the entity library: the credit code's
// check character, the region code, the risk class A–D.
func ParseEntity(r kit.Row) (Entity, kit.Errors) {
	errs := r.Errs
	e := Entity{Name: kit.Cell(r, &errs, ColEntityName, 200, true), Type: kit.Cell(r, &errs, ColType, 50, true)}
	raw := strings.TrimSpace(r.Get(ColCreditCode))
	if c, err := creditcode.Parse(raw); err != nil {
		errs.AddCell(r.N, ColCreditCode, "%s", errText(err))
	} else {
		e.CreditCode = c
	}
	e.Region = strings.TrimSpace(r.Get(ColRegion))
	if !validRegion(e.Region) {
		errs.AddCell(r.N, ColRegion, "行政区划代码“%s”不存在（六位数字，如 630104）", kit.ClipRunes(e.Region, 20))
	}
	v := strings.ToUpper(strings.TrimSpace(r.Get(ColRisk)))
	if e.Risk = riskClasses[v]; e.Risk == "" {
		errs.AddCell(r.N, ColRisk, "风险等级“%s”无效：须为 A、B、C、D 之一", kit.ClipRunes(v, 20))
	}
	return e, errs
}

// ParseInspector checks one row of the inspector library; 回避企业 is a
// list of credit codes separated by ";" (or "；"), each verified.
func ParseInspector(r kit.Row) (Person, kit.Errors) {
	errs := r.Errs
	p := Person{CertNo: code(r, &errs, ColCertNo, 32), Name: kit.Cell(r, &errs, ColPerson, 50, true), Unit: kit.Cell(r, &errs, ColUnit, 200, true),
		Domain: kit.Cell(r, &errs, ColDomain, 200, true)}
	raw := kit.Cell(r, &errs, ColAvoid, 20000, false)
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(raw, func(c rune) bool { return c == ';' || c == '；' || c == '\n' }) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		c, err := creditcode.Parse(part)
		if err != nil {
			errs.AddCell(r.N, ColAvoid, "回避企业“%s”：%s", kit.ClipRunes(strings.TrimSpace(part), 20), errText(err))
			continue
		}
		if !seen[c] {
			seen[c] = true
			p.Avoid = append(p.Avoid, c)
		}
	}
	if len(p.Avoid) > 200 {
		errs.AddCell(r.N, ColAvoid, "回避企业不能超过 200 家")
	}
	sortStrings(p.Avoid)
	return p, errs
}

func errText(err error) string {
	msg := err.Error()
	return msg
}
