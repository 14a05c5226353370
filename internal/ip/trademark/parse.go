package trademark

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/org"
)

// Kinds of mark (商标类型).
const (
	KindOrdinary      = "ordinary"
	KindCollective    = "collective"
	KindCertification = "certification"
)

// KindLabels are the Chinese names of the kinds, as the import reads them.
var KindLabels = map[string]string{KindOrdinary: "普通商标", KindCollective: "集体商标", KindCertification: "证明商标"}

// Statuses of a mark.
const (
	StatusValid       = "valid"
	StatusCancelled   = "cancelled"
	StatusInvalidated = "invalidated"
	StatusRevoked     = "revoked"
	StatusExpired     = "expired"
)

// StatusLabels are the Chinese names of the statuses.
var StatusLabels = map[string]string{StatusValid: "有效", StatusCancelled: "注销", StatusInvalidated: "无效", StatusRevoked: "撤销", StatusExpired: "过期"}

var kindAliases = map[string]string{
	"": KindOrdinary, "普通": KindOrdinary, "普通商标": KindOrdinary, "商品商标": KindOrdinary, "服务商标": KindOrdinary,
	"集体": KindCollective, "集体商标": KindCollective,
	"证明": KindCertification, "证明商标": KindCertification,
}

var statusAliases = map[string]string{
	"有效": StatusValid, "注册": StatusValid, "已注册": StatusValid, "注册商标": StatusValid,
	"注销": StatusCancelled, "已注销": StatusCancelled,
	"无效": StatusInvalidated, "宣告无效": StatusInvalidated, "已无效": StatusInvalidated,
	"撤销": StatusRevoked, "已撤销": StatusRevoked,
	"过期": StatusExpired, "已过期": StatusExpired, "期满未续展": StatusExpired,
}

// Columns of the import file: the header of issue 13 (the last three
// optional), then the two flags the header has no room for (optional).
const (
	ColRegNo      = "注册号"
	ColName       = "商标名称"
	ColClasses    = "国际分类"
	ColOwner      = "注册人"
	ColCreditCode = "统一社会信用代码"
	ColRegion     = "行政区划代码"
	ColApplied    = "申请日期"
	ColRegistered = "注册日期"
	ColTermEnd    = "专用权期限至"
	ColKind       = "商标类型"
	ColMadrid     = "马德里国际注册号"
	ColStatus     = "状态"
	ColGI         = "地理标志"
	ColWellKnown  = "驰名商标"
)

// ImportColumns are the import file's columns.
var ImportColumns = []kit.Column{
	{Name: ColRegNo, Aliases: []string{"商标注册号", "注册号/申请号", "申请号/注册号"}, Required: true},
	{Name: ColName, Aliases: []string{"商标", "商标名"}, Required: true},
	{Name: ColClasses, Aliases: []string{"类别", "国际分类号", "尼斯分类"}, Required: true},
	{Name: ColOwner, Aliases: []string{"注册人名称", "商标注册人", "申请人"}, Required: true},
	{Name: ColCreditCode, Aliases: []string{"注册人统一社会信用代码", "信用代码"}, Required: true},
	{Name: ColRegion, Aliases: []string{"行政区划", "区划代码"}, Required: true},
	{Name: ColApplied, Aliases: []string{"申请日"}, Required: true},
	{Name: ColRegistered, Aliases: []string{"注册日", "注册公告日期"}, Required: true},
	{Name: ColTermEnd, Aliases: []string{"专用权期限", "专用期限至", "有效期至"}, Required: true},
	{Name: ColKind, Aliases: []string{"类型"}},
	{Name: ColMadrid, Aliases: []string{"国际注册号", "马德里注册号"}},
	{Name: ColStatus, Aliases: []string{"商标状态", "法律状态"}},
	{Name: ColGI, Aliases: []string{"地理标志商标", "是否地理标志"}},
	{Name: ColWellKnown, Aliases: []string{"驰名", "是否驰名商标"}},
}

// Limits on one record.
const (
	maxName    = 200
	maxOwner   = 200
	maxClasses = 45
)

// Record is a checked trademark as an import row or a form gives it.
// StatusOn is "" when the row gave no date for its status: the register
// then keeps the day it has, or takes the import day for a change.
type Record struct {
	RegNo        string `json:"reg_no"`
	Name         string `json:"name"`
	Classes      []int  `json:"classes"`
	Owner        string `json:"owner"`
	OwnerCode    string `json:"owner_code"`
	Region       string `json:"region"`
	AppliedOn    string `json:"applied_on"`
	RegisteredOn string `json:"registered_on"`
	TermEnd      string `json:"term_end"`
	Kind         string `json:"kind"`
	MadridNo     string `json:"madrid_no"`
	GI           bool   `json:"gi"`
	WellKnown    bool   `json:"well_known"`
	Status       string `json:"status"`
	StatusOn     string `json:"status_on"`
	Demo         bool   `json:"demo"`

	// Derived by parseRow (on the parsing goroutines, off the writer's
	// path); unset in records from elsewhere, which compute them.
	classText, pref, termNext string
	derived                   bool
	// cells are the values a first load binds for the mark (see
	// firstLoadInsert), built by bindCells on the parsing goroutines.
	cells []any
}

// bindCells fills r.cells: the columns firstLoadCells names, in that order,
// as driver values (int64 for the integers), so that the writer only
// binds them.
func (r *Record) bindCells() {
	r.cells = []any{r.RegNo, r.Name, r.classes(), ClassMask(r.Classes), r.Owner, r.OwnerCode, r.Region, r.prefecture(),
		r.AppliedOn, r.RegisteredOn, r.TermEnd, r.Kind, r.MadridNo, boolInt64(r.GI), boolInt64(r.WellKnown), r.Status, r.StatusOn, boolInt64(r.Demo)}
}

func boolInt64(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// derive fills the derived fields.
func (r *Record) derive() {
	r.classText, r.pref, r.termNext = ClassText(r.Classes), r.prefecture(), NextDay(r.TermEnd)
	r.derived = true
}

// classes is ClassText(r.Classes).
func (r Record) classes() string {
	if r.derived {
		return r.classText
	}
	return ClassText(r.Classes)
}

// nextAfterTerm is the day after the term ends.
func (r Record) nextAfterTerm() string {
	if r.derived {
		return r.termNext
	}
	return NextDay(r.TermEnd)
}

// prefecture is the Qinghai prefecture of the record's region ("" outside).
func (r Record) prefecture() string {
	if r.derived {
		return r.pref
	}
	if reg, ok := org.LookupRegion(r.Region); ok {
		return reg.Prefecture
	}
	return ""
}

// ClassMask is the bit mask of the classes (bit c for class c).
func ClassMask(classes []int) int64 {
	var m int64
	for _, c := range classes {
		m |= 1 << c
	}
	return m
}

// ClassText writes classes as the import reads them: "29;30".
func ClassText(classes []int) string {
	parts := make([]string, len(classes))
	for i, c := range classes {
		parts[i] = strconv.Itoa(c)
	}
	return strings.Join(parts, ";")
}

// ParseClasses reads "29;30", "29，30", "第29类、第30类" … into ascending
// distinct classes 1–45.
func ParseClasses(s string) ([]int, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ';' || r == '；' || r == ',' || r == '，' || r == '、' || r == ' ' || r == '　' || r == '/'
	})
	if len(fields) == 0 {
		return nil, fmt.Errorf("国际分类不能为空")
	}
	var seen [46]bool
	for _, f := range fields {
		f = strings.TrimSuffix(strings.TrimPrefix(f, "第"), "类")
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 45 {
			return nil, fmt.Errorf("国际分类“%s”无效，应为 1–45 的类号，多个类号用分号分隔（如 29;30）", f)
		}
		seen[n] = true
	}
	var out []int
	for c := 1; c <= 45; c++ {
		if seen[c] {
			out = append(out, c)
		}
	}
	return out, nil
}

const dayLayout = "2006-01-02"

// NextDay is the day after d (YYYY-MM-DD).
func NextDay(d string) string { return kit.AddDays(d, 1) }

// TermEnd is the last day of a ten-year term from a registration day
// (商标法 art. 39): the day before the tenth anniversary.
func TermEnd(registered string) string { return kit.AddDays(kit.AddYears(registered, 10), -1) }

// validRegNo: a CNIPA registration number is digits (up to ten); an
// international registration designating China is written with a G.
func validRegNo(s string) bool {
	if strings.HasPrefix(s, "G") {
		s = s[1:]
	}
	if len(s) < 1 || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validMadrid(s string) bool {
	if len(s) < 6 || len(s) > 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseStatus reads a status cell: "有效", "注销", "注销（2024-05-01）",
// "无效 2023-01-02", "撤销:2022-03-04". An empty cell is 有效.
func ParseStatus(v string) (status, on string, err error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return StatusValid, "", nil
	}
	word, date := v, ""
	if i := strings.IndexAny(v, "（( :："); i > 0 {
		word = strings.TrimSpace(v[:i])
		date = strings.TrimSpace(strings.Trim(strings.TrimSpace(v[i:]), "（()）:： "))
	}
	st, ok := statusAliases[word]
	if !ok {
		return "", "", fmt.Errorf("状态“%s”无效，应为 有效、注销、无效、撤销 或 过期（可带生效日期，如 注销（2024-05-01））", word)
	}
	if date != "" {
		d, ok := kit.ParseDate(date)
		if !ok {
			return "", "", fmt.Errorf("状态的生效日期“%s”无效，应为 YYYY-MM-DD", date)
		}
		on = d
	}
	return st, on, nil
}

func parseFlag(v string) (bool, bool) {
	switch strings.TrimSpace(v) {
	case "", "否", "N", "n", "0", "no", "false":
		return false, true
	case "是", "Y", "y", "1", "yes", "true", "√":
		return true, true
	}
	return false, false
}

// compact drops the spaces around and inside a code cell.
func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '　' || r == '\t' {
			return -1
		}
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, strings.TrimSpace(s))
}

// regionCache remembers region checks during one import (the import's
// parsing goroutines share it).
type regionCache struct{ m sync.Map }

func (c *regionCache) ok(code string) bool {
	if v, hit := c.m.Load(code); hit {
		return v.(bool)
	}
	_, v := org.LookupRegion(code)
	if len(code) == 6 { // at most a million keys, whatever the file holds
		c.m.Store(code, v)
	}
	return v
}

// parseRow checks one row of an import file without the database.
func parseRow(row kit.Row, regions *regionCache) (Record, kit.Errors) {
	errs := row.Errs
	bad := func(col, format string, args ...any) { errs.AddCell(row.N, col, format, args...) }
	var r Record
	r.RegNo = strings.ToUpper(compact(row.Get(ColRegNo)))
	switch {
	case r.RegNo == "":
		bad(ColRegNo, "注册号不能为空")
	case !validRegNo(r.RegNo):
		bad(ColRegNo, "注册号“%s”无效，应为数字（国际注册指定中国的以 G 开头）", r.RegNo)
	}
	r.Name = strings.TrimSpace(row.Get(ColName))
	if r.Name == "" {
		bad(ColName, "商标名称不能为空（图形商标请写“图形”）")
	} else if utf8.RuneCountInString(r.Name) > maxName {
		bad(ColName, "商标名称不能超过 %d 个字", maxName)
	}
	if cs, err := ParseClasses(row.Get(ColClasses)); err != nil {
		bad(ColClasses, "%s", err.Error())
	} else {
		r.Classes = cs
	}
	r.Owner = strings.TrimSpace(row.Get(ColOwner))
	if r.Owner == "" {
		bad(ColOwner, "注册人不能为空")
	} else if utf8.RuneCountInString(r.Owner) > maxOwner {
		bad(ColOwner, "注册人不能超过 %d 个字", maxOwner)
	}
	if code := compact(row.Get(ColCreditCode)); code != "" {
		c, err := creditcode.Parse(code)
		if err != nil {
			bad(ColCreditCode, "%s", err.Error())
		}
		r.OwnerCode = c
	}
	r.Region = compact(row.Get(ColRegion))
	if r.Region == "" {
		bad(ColRegion, "行政区划代码不能为空")
	} else if !regions.ok(r.Region) {
		bad(ColRegion, "行政区划代码“%s”不存在（应为 GB/T 2260 六位代码，青海省为 63 开头）", r.Region)
	}
	for _, f := range []struct {
		col string
		dst *string
	}{{ColApplied, &r.AppliedOn}, {ColRegistered, &r.RegisteredOn}, {ColTermEnd, &r.TermEnd}} {
		v := row.Get(f.col)
		d, ok := kit.ParseDate(v)
		switch {
		case strings.TrimSpace(v) == "":
			bad(f.col, "%s不能为空", f.col)
		case !ok:
			bad(f.col, "日期“%s”无效，应为 YYYY-MM-DD", v)
		default:
			*f.dst = d
		}
	}
	if r.AppliedOn != "" && r.RegisteredOn != "" && r.AppliedOn > r.RegisteredOn {
		bad(ColApplied, "申请日期 %s 晚于注册日期 %s", r.AppliedOn, r.RegisteredOn)
	}
	if r.RegisteredOn != "" && r.TermEnd != "" && r.TermEnd < r.RegisteredOn {
		bad(ColTermEnd, "专用权期限至 %s 早于注册日期 %s", r.TermEnd, r.RegisteredOn)
	}
	kind, ok := kindAliases[strings.TrimSpace(row.Get(ColKind))]
	if !ok {
		bad(ColKind, "商标类型“%s”无效，应为 普通、集体 或 证明", row.Get(ColKind))
	}
	r.Kind = kind
	r.MadridNo = compact(row.Get(ColMadrid))
	if r.MadridNo != "" && !validMadrid(r.MadridNo) {
		bad(ColMadrid, "马德里国际注册号“%s”无效，应为 6–8 位数字", r.MadridNo)
	}
	st, on, err := ParseStatus(row.Get(ColStatus))
	if err != nil {
		bad(ColStatus, "%s", err.Error())
	} else if on != "" && r.RegisteredOn != "" && on < r.RegisteredOn && st != StatusValid {
		bad(ColStatus, "状态生效日期 %s 早于注册日期 %s", on, r.RegisteredOn)
	}
	r.Status, r.StatusOn = st, on
	if r.GI, ok = parseFlag(row.Get(ColGI)); !ok {
		bad(ColGI, "“%s”应为 是 或 否", row.Get(ColGI))
	}
	if r.GI && r.Kind == KindOrdinary && ok {
		bad(ColGI, "地理标志须注册为集体商标或证明商标")
	}
	if r.WellKnown, ok = parseFlag(row.Get(ColWellKnown)); !ok {
		bad(ColWellKnown, "“%s”应为 是 或 否", row.Get(ColWellKnown))
	}
	if len(errs) == 0 {
		r.derive()
	}
	return r, errs
}
