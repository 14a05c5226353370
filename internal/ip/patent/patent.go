// Package patent keeps the invention patents of task 12 with the five
// high-value categories of CNIPA's definition (DOMAIN §9), the resident
// population table the "每万人口高价值发明专利拥有量" divides by, the
// GB/T 29490 certificates behind the 40-enterprise target and the patent
// navigation projects.
package patent

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/org"
)

// Editors import and correct the registers.
var Editors = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}

// DemoLabel marks demo records.
const DemoLabel = "【演示数据】"

const dayLayout = "2006-01-02"

// Category is one of the five high-value cases, with its rule and where
// the rule comes from.
type Category struct {
	Key, Label, Rule, Source string
}

// The five high-value categories (CNIPA, 《"十四五"国家知识产权保护和运用规划》
// 指标说明; DOMAIN §9).
const (
	CatStrategic  = "strategic"
	CatOverseas   = "overseas"
	CatMaintained = "maintained"
	CatPledge     = "pledge"
	CatAward      = "award"
)

// PledgeThresholdFen is the pledge financing above which a patent counts
// as high-value: 1,000 万元 for one patent [practice; DOMAIN §9 says only
// "relatively high": the threshold is data, change it here when the
// provincial office publishes its own].
const PledgeThresholdFen = 1000 * 10000 * 100

// MaintainedYears: maintained more than 10 years from the filing date.
const MaintainedYears = 10

const policySource = "国家知识产权局《“十四五”国家知识产权保护和运用规划》指标说明：高价值发明专利五种情形（DOMAIN §9）"

// Categories in display order.
var Categories = []Category{
	{CatStrategic, "战略性新兴产业", "登记时标注属于《战略性新兴产业分类（2018）》的发明专利（列“战略性新兴产业”为“是”）", policySource + "；国家统计局《战略性新兴产业分类（2018）》"},
	{CatOverseas, "有海外同族专利", "海外同族专利数大于 0", policySource},
	{CatMaintained, "维持年限超过10年", "统计日距申请日超过 10 年且仍有效（由日期计算，不填写）", policySource + "；专利法第四十二条（发明专利权期限自申请日起计算）"},
	{CatPledge, "质押融资额较高", "单件质押融资金额不低于 1000 万元（阈值为本系统数据，可调整）", policySource + "［阈值为实务口径，待省局确认］"},
	{CatAward, "获中国专利奖或国家科学技术奖", "获奖情况含“中国专利”或国家自然科学奖、国家技术发明奖、国家科学技术进步奖", policySource},
}

// CategoryLabels by key.
var CategoryLabels = func() map[string]string {
	m := map[string]string{}
	for _, c := range Categories {
		m[c.Key] = c.Label
	}
	return m
}()

// qualifyingAwards are the award names that make a patent high-value.
var qualifyingAwards = []string{"中国专利", "国家自然科学奖", "国家技术发明奖", "国家科学技术进步奖", "国家科学技术奖", "国家科技进步奖"}

// AwardQualifies reports whether an award text names a qualifying prize.
func AwardQualifies(award string) bool {
	for _, a := range qualifyingAwards {
		if strings.Contains(award, a) {
			return true
		}
	}
	return false
}

// Patent is an invention patent.
type Patent struct {
	ID           int64    `json:"id"`
	Number       string   `json:"number"`
	Title        string   `json:"title"`
	Holder       string   `json:"holder"`
	HolderCode   string   `json:"holder_code"`
	EnterpriseID int64    `json:"enterprise_id,omitempty"`
	Region       string   `json:"region"`
	RegionName   string   `json:"region_name"`
	Prefecture   string   `json:"prefecture"`
	AppliedOn    string   `json:"applied_on"`
	GrantedOn    string   `json:"granted_on"`
	LapsedOn     string   `json:"lapsed_on"`
	Strategic    bool     `json:"strategic"`
	Overseas     int      `json:"overseas"`
	PledgeFen    int64    `json:"pledge_fen"`
	Award        string   `json:"award"`
	Demo         bool     `json:"demo"`
	Categories   []string `json:"categories"` // as of the day asked
}

// CategoriesAt returns the high-value categories p falls in on day.
func (p Patent) CategoriesAt(day string) []string {
	var out []string
	if p.Strategic {
		out = append(out, CatStrategic)
	}
	if p.Overseas > 0 {
		out = append(out, CatOverseas)
	}
	if p.AppliedOn != "" && p.AppliedOn < tenYearsBefore(day) {
		out = append(out, CatMaintained)
	}
	if p.PledgeFen >= PledgeThresholdFen {
		out = append(out, CatPledge)
	}
	if AwardQualifies(p.Award) {
		out = append(out, CatAward)
	}
	return out
}

// ValidAt reports whether p is in force on day.
func (p Patent) ValidAt(day string) bool {
	return p.GrantedOn != "" && p.GrantedOn <= day && (p.LapsedOn == "" || p.LapsedOn > day)
}

// tenYearsBefore is the filing date before which a patent in force on day
// has been maintained more than ten years.
func tenYearsBefore(day string) string {
	t, err := time.Parse(dayLayout, day)
	if err != nil {
		return ""
	}
	return t.AddDate(-MaintainedYears, 0, 0).Format(dayLayout)
}

// Population is the resident population of a region at the end of a year.
type Population struct {
	ID      int64  `json:"id"`
	Year    int    `json:"year"`
	Region  string `json:"region"`
	Name    string `json:"name"`
	Persons int64  `json:"persons"`
	Source  string `json:"source"`
	Demo    bool   `json:"demo"`
}

// Cert is a GB/T 29490 certificate.
type Cert struct {
	ID           int64  `json:"id"`
	CertNo       string `json:"cert_no"`
	Body         string `json:"body"`
	Enterprise   string `json:"enterprise"`
	CreditCode   string `json:"credit_code"`
	EnterpriseID int64  `json:"enterprise_id,omitempty"`
	Region       string `json:"region"`
	RegionName   string `json:"region_name"`
	Prefecture   string `json:"prefecture"`
	Scope        string `json:"scope"`
	ValidFrom    string `json:"valid_from"`
	ValidTo      string `json:"valid_to"`
	Demo         bool   `json:"demo"`
}

// Navigation is a patent navigation project.
type Navigation struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Lead       string `json:"lead"`
	Year       int    `json:"year"`
	Status     string `json:"status"`
	Region     string `json:"region"`
	RegionName string `json:"region_name"`
	Prefecture string `json:"prefecture"`
	Demo       bool   `json:"demo"`
}

// Navigation statuses.
var StatusLabels = map[string]string{"planned": "立项", "ongoing": "实施中", "accepted": "已验收", "ended": "终止"}

var statusAliases = map[string]string{"立项": "planned", "已立项": "planned", "实施中": "ongoing", "在建": "ongoing", "已验收": "accepted", "验收": "accepted", "终止": "ended", "已终止": "ended"}

// Column names of the import files.
const (
	ColNumber     = "专利号"
	ColTitle      = "发明名称"
	ColHolder     = "专利权人"
	ColCode       = "统一社会信用代码"
	ColRegion     = "行政区划代码"
	ColApplied    = "申请日"
	ColGranted    = "授权公告日"
	ColLapsed     = "失效日"
	ColStrategic  = "战略性新兴产业"
	ColOverseas   = "海外同族专利数"
	ColPledge     = "质押融资金额（万元）"
	ColAward      = "获奖情况"
	ColYear       = "年份"
	ColPersons    = "常住人口（万人）"
	ColSource     = "数据来源"
	ColCertNo     = "证书编号"
	ColBody       = "认证机构"
	ColEnterprise = "企业名称"
	ColScope      = "认证范围"
	ColValidFrom  = "有效期起"
	ColValidTo    = "有效期至"
	ColProject    = "项目名称"
	ColLead       = "牵头单位"
	ColStatus     = "状态"
)

var regionCol = kit.Column{Name: ColRegion, Aliases: []string{"行政区划", "区划代码"}, Required: true}

// Columns of the four files.
var (
	PatentColumns = []kit.Column{
		{Name: ColNumber, Aliases: []string{"申请号", "专利申请号"}, Required: true},
		{Name: ColTitle, Aliases: []string{"专利名称", "名称"}, Required: true},
		{Name: ColHolder, Aliases: []string{"权利人", "专利权人名称"}, Required: true},
		{Name: ColCode, Aliases: []string{"信用代码"}, Required: true},
		regionCol,
		{Name: ColApplied, Aliases: []string{"申请日期"}, Required: true},
		{Name: ColGranted, Aliases: []string{"授权日", "授权日期"}, Required: true},
		{Name: ColLapsed, Aliases: []string{"失效日期", "终止日"}},
		{Name: ColStrategic, Aliases: []string{"战新产业"}},
		{Name: ColOverseas, Aliases: []string{"海外同族数"}},
		{Name: ColPledge, Aliases: []string{"质押融资金额", "质押金额（万元）"}},
		{Name: ColAward, Aliases: []string{"获奖"}},
	}
	PopulationColumns = []kit.Column{
		{Name: ColYear, Aliases: []string{"年度"}, Required: true},
		regionCol,
		{Name: ColPersons, Aliases: []string{"年末常住人口（万人）", "常住人口"}, Required: true},
		{Name: ColSource, Aliases: []string{"来源"}, Required: true},
	}
	CertColumns = []kit.Column{
		{Name: ColCertNo, Aliases: []string{"证书号"}, Required: true},
		{Name: ColBody, Aliases: []string{"发证机构"}, Required: true},
		{Name: ColEnterprise, Aliases: []string{"获证企业"}, Required: true},
		{Name: ColCode, Aliases: []string{"信用代码"}, Required: true},
		regionCol,
		{Name: ColScope, Aliases: []string{"覆盖范围"}},
		{Name: ColValidFrom, Aliases: []string{"发证日期"}, Required: true},
		{Name: ColValidTo, Aliases: []string{"有效期截止"}, Required: true},
	}
	NavigationColumns = []kit.Column{
		{Name: ColProject, Aliases: []string{"名称"}, Required: true},
		{Name: ColLead, Aliases: []string{"承担单位"}, Required: true},
		{Name: ColYear, Aliases: []string{"年度", "立项年度"}, Required: true},
		{Name: ColStatus, Aliases: []string{"项目状态"}, Required: true},
		regionCol,
	}
)

const maxText = 200

type cells struct {
	row  kit.Row
	errs kit.Errors
}

func (c *cells) get(col string) string { return strings.TrimSpace(c.row.Get(col)) }

func (c *cells) fail(col, format string, a ...any) { c.errs.AddCell(c.row.N, col, format, a...) }

func (c *cells) text(col string, required bool) string {
	v := c.get(col)
	switch {
	case v == "" && required:
		c.fail(col, "%s不能为空", col)
	case utf8.RuneCountInString(v) > maxText:
		c.fail(col, "%s不能超过 %d 个字", col, maxText)
	}
	return v
}

func (c *cells) date(col string, required bool) string {
	v := c.get(col)
	if v == "" {
		if required {
			c.fail(col, "%s不能为空", col)
		}
		return ""
	}
	d, ok := kit.ParseDate(v)
	if !ok {
		c.fail(col, "日期“%s”无效，应为 YYYY-MM-DD", v)
	}
	return d
}

func (c *cells) code(required bool) string {
	v := c.get(ColCode)
	if v == "" {
		if required {
			c.fail(ColCode, "统一社会信用代码不能为空")
		}
		return ""
	}
	cc, err := creditcode.Parse(v)
	if err != nil {
		c.fail(ColCode, "%s", err.Error())
	}
	return cc
}

func (c *cells) region() (code, prefecture string) {
	v := c.get(ColRegion)
	r, ok := org.LookupRegion(v)
	switch {
	case v == "":
		c.fail(ColRegion, "行政区划代码不能为空")
	case !ok:
		c.fail(ColRegion, "行政区划代码“%s”不存在（应为 GB/T 2260 六位代码，青海省为 63 开头）", v)
	}
	return v, r.Prefecture
}

func (c *cells) year(col string) int {
	v := c.get(col)
	y, err := strconv.Atoi(strings.TrimSuffix(v, "年"))
	if err != nil || y < 1949 || y > 2200 {
		c.fail(col, "年份“%s”无效", v)
	}
	return y
}

// decimal reads a non-negative number with at most four decimals, scaled
// by 10^4·unit ("594.1" 万人 → 5941000 persons with unit 1).
func (c *cells) decimal(col string, scale float64) int64 {
	v := strings.ReplaceAll(c.get(col), ",", "")
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) || f > 1e9 {
		c.fail(col, "“%s”不是有效的非负数", v)
		return 0
	}
	return int64(math.Round(f * scale))
}

func (c *cells) yesNo(col string) bool {
	switch v := c.get(col); v {
	case "", "否", "N", "n", "0", "no":
		return false
	case "是", "Y", "y", "1", "yes":
		return true
	default:
		c.fail(col, "“%s”应为 是 或 否", v)
		return false
	}
}

// parsePatent checks one row of the patent file.
func parsePatent(row kit.Row) (Patent, kit.Errors) {
	c := &cells{row: row, errs: row.Errs}
	var p Patent
	if v := c.get(ColNumber); v == "" {
		c.fail(ColNumber, "专利号不能为空")
	} else if n, err := ParseNumber(v); err != nil {
		c.fail(ColNumber, "%s", err.Error())
	} else {
		p.Number = n
	}
	p.Title = c.text(ColTitle, true)
	p.Holder = c.text(ColHolder, true)
	p.HolderCode = c.code(false)
	p.Region, p.Prefecture = c.region()
	p.AppliedOn = c.date(ColApplied, true)
	p.GrantedOn = c.date(ColGranted, true)
	p.LapsedOn = c.date(ColLapsed, false)
	if p.GrantedOn != "" && p.AppliedOn != "" && p.GrantedOn < p.AppliedOn {
		c.fail(ColGranted, "授权公告日 %s 早于申请日 %s", p.GrantedOn, p.AppliedOn)
	}
	if p.LapsedOn != "" && p.GrantedOn != "" && p.LapsedOn < p.GrantedOn {
		c.fail(ColLapsed, "失效日 %s 早于授权公告日 %s", p.LapsedOn, p.GrantedOn)
	}
	if len(p.Number) == 14 && p.AppliedOn != "" && p.Number[:4] != p.AppliedOn[:4] {
		c.fail(ColApplied, "申请日 %s 与专利号中的申请年份 %s 不符", p.AppliedOn, p.Number[:4])
	}
	p.Strategic = c.yesNo(ColStrategic)
	p.Overseas = int(c.decimal(ColOverseas, 1))
	p.PledgeFen = c.decimal(ColPledge, 10000*100)
	p.Award = c.text(ColAward, false)
	return p, c.errs
}

// parsePopulation checks one row of the population file.
func parsePopulation(row kit.Row) (Population, kit.Errors) {
	c := &cells{row: row, errs: row.Errs}
	var p Population
	p.Year = c.year(ColYear)
	p.Region, _ = c.region()
	if p.Region != "" && !strings.HasPrefix(p.Region, "63") {
		c.fail(ColRegion, "人口表只收青海省及其市州（63 开头），“%s”不是", p.Region)
	}
	p.Persons = c.decimal(ColPersons, 10000)
	if p.Persons == 0 && len(c.errs) == 0 {
		c.fail(ColPersons, "常住人口必须大于 0")
	}
	p.Source = c.text(ColSource, true)
	return p, c.errs
}

// parseCert checks one row of the GB/T 29490 certificate file.
func parseCert(row kit.Row) (Cert, kit.Errors) {
	c := &cells{row: row, errs: row.Errs}
	var x Cert
	x.CertNo = strings.ToUpper(strings.Join(strings.Fields(c.text(ColCertNo, true)), ""))
	x.Body = c.text(ColBody, true)
	x.Enterprise = c.text(ColEnterprise, true)
	x.CreditCode = c.code(true)
	x.Region, x.Prefecture = c.region()
	x.Scope = c.text(ColScope, false)
	x.ValidFrom = c.date(ColValidFrom, true)
	x.ValidTo = c.date(ColValidTo, true)
	if x.ValidTo != "" && x.ValidFrom != "" && x.ValidTo < x.ValidFrom {
		c.fail(ColValidTo, "有效期至 %s 早于有效期起 %s", x.ValidTo, x.ValidFrom)
	}
	return x, c.errs
}

// parseNavigation checks one row of the navigation project file.
func parseNavigation(row kit.Row) (Navigation, kit.Errors) {
	c := &cells{row: row, errs: row.Errs}
	var x Navigation
	x.Name = c.text(ColProject, true)
	x.Lead = c.text(ColLead, true)
	x.Year = c.year(ColYear)
	st := c.get(ColStatus)
	if x.Status = statusAliases[st]; x.Status == "" {
		c.fail(ColStatus, "状态“%s”无效，应为 立项、实施中、已验收 或 终止", st)
	}
	x.Region, x.Prefecture = c.region()
	return x, c.errs
}
