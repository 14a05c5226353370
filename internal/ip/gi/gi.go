// Package gi keeps the geographical-indication protected products
// (地理标志保护产品, approved by notice of the IP office) and the
// agri-product quality certificates (绿色食品, 有机产品, 农产品地理标志)
// of task 10, with the counts of those valid at a date. The GI marks
// themselves are trademarks flagged GI (internal/ip/trademark).
package gi

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Editors import and correct the registers.
var Editors = []auth.Role{auth.RoleAdmin, auth.RoleSupervisor}

// Certificate kinds.
const (
	CertGreen   = "green"   // 绿色食品
	CertOrganic = "organic" // 有机产品
	CertAgriGI  = "agri_gi" // 农产品地理标志
)

// CertLabels are the Chinese names of the certificate kinds.
var CertLabels = map[string]string{CertGreen: "绿色食品", CertOrganic: "有机产品", CertAgriGI: "农产品地理标志"}

// CertKinds in display order.
var CertKinds = []string{CertGreen, CertOrganic, CertAgriGI}

var certAliases = map[string]string{
	"绿色食品": CertGreen, "绿色": CertGreen, "绿色食品认证": CertGreen,
	"有机产品": CertOrganic, "有机": CertOrganic, "有机农产品": CertOrganic, "有机产品认证": CertOrganic,
	"农产品地理标志": CertAgriGI, "地理标志农产品": CertAgriGI, "农产品地理标志登记": CertAgriGI,
}

const dayLayout = "2006-01-02"

// Service keeps both registers.
type Service struct {
	db        *store.DB
	ent       *enterprise.Service
	now       func() time.Time
	standards StandardLookup // nil: brand standard codes are shown as written
}

// NewService returns the registers over db; certificate holders with a
// credit code are linked to the enterprise directory ent.
func NewService(db *store.DB, ent *enterprise.Service) *Service {
	return &Service{db: db, ent: ent, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Product is a GI protected product.
type Product struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Area       string `json:"area"`
	Region     string `json:"region"`
	RegionName string `json:"region_name"`
	Prefecture string `json:"prefecture"`
	Notice     string `json:"notice"`
	ApprovedOn string `json:"approved_on"`
	RevokedOn  string `json:"revoked_on"`
	Demo       bool   `json:"demo"`
}

// Cert is an agri-product quality certificate.
type Cert struct {
	ID           int64  `json:"id"`
	Kind         string `json:"kind"`
	KindLabel    string `json:"kind_label"`
	CertNo       string `json:"cert_no"`
	Body         string `json:"body"`
	Product      string `json:"product"`
	Holder       string `json:"holder"`
	HolderCode   string `json:"holder_code"`
	EnterpriseID int64  `json:"enterprise_id,omitempty"`
	Region       string `json:"region"`
	RegionName   string `json:"region_name"`
	Prefecture   string `json:"prefecture"`
	ValidFrom    string `json:"valid_from"`
	ValidTo      string `json:"valid_to"`
	Demo         bool   `json:"demo"`
}

// Column names of the import files.
const (
	ColProduct    = "产品名称"
	ColArea       = "保护范围"
	ColRegion     = "行政区划代码"
	ColNotice     = "批准公告"
	ColApproved   = "批准日期"
	ColRevoked    = "撤销日期"
	ColCertKind   = "证书类型"
	ColCertNo     = "证书编号"
	ColBody       = "发证机构"
	ColHolder     = "获证单位"
	ColHolderCode = "统一社会信用代码"
	ColValidFrom  = "有效期起"
	ColValidTo    = "有效期至"
)

// ProductColumns are the columns of the GI product file.
var ProductColumns = []kit.Column{
	{Name: ColProduct, Aliases: []string{"地理标志产品名称", "产品"}, Required: true},
	{Name: ColArea, Aliases: []string{"保护地域范围", "产地范围"}, Required: true},
	{Name: ColRegion, Aliases: []string{"行政区划", "区划代码"}, Required: true},
	{Name: ColNotice, Aliases: []string{"公告号", "批准公告号"}, Required: true},
	{Name: ColApproved, Aliases: []string{"公告日期", "批准时间"}, Required: true},
	{Name: ColRevoked, Aliases: []string{"撤销时间"}},
}

// CertColumns are the columns of the certificate file.
var CertColumns = []kit.Column{
	{Name: ColCertKind, Aliases: []string{"认证类型", "类型"}, Required: true},
	{Name: ColCertNo, Aliases: []string{"证书号", "登记证书编号", "产品编号"}, Required: true},
	{Name: ColBody, Aliases: []string{"认证机构", "登记机构"}, Required: true},
	{Name: ColProduct, Aliases: []string{"产品"}, Required: true},
	{Name: ColHolder, Aliases: []string{"证书持有人", "申请人", "企业名称"}, Required: true},
	{Name: ColHolderCode, Aliases: []string{"信用代码"}, Required: true},
	{Name: ColRegion, Aliases: []string{"行政区划", "区划代码"}, Required: true},
	{Name: ColValidFrom, Aliases: []string{"发证日期", "有效期开始"}, Required: true},
	{Name: ColValidTo, Aliases: []string{"有效期截止", "有效期结束"}},
}

const maxText = 200

// parse helpers shared by both files.
type cells struct {
	row  kit.Row
	errs kit.Errors
}

func (c *cells) text(col string, required bool) string {
	v := strings.TrimSpace(c.row.Get(col))
	switch {
	case v == "" && required:
		c.errs.AddCell(c.row.N, col, "%s不能为空", col)
	case utf8.RuneCountInString(v) > maxText:
		c.errs.AddCell(c.row.N, col, "%s不能超过 %d 个字", col, maxText)
	}
	return v
}

func (c *cells) date(col string, required bool) string {
	v := strings.TrimSpace(c.row.Get(col))
	if v == "" {
		if required {
			c.errs.AddCell(c.row.N, col, "%s不能为空", col)
		}
		return ""
	}
	d, ok := kit.ParseDate(v)
	if !ok {
		c.errs.AddCell(c.row.N, col, "日期“%s”无效，应为 YYYY-MM-DD", v)
	}
	return d
}

// code reads the credit-code cell (may be empty).
func (c *cells) code() string {
	v := strings.TrimSpace(c.row.Get(ColHolderCode))
	if v == "" {
		return ""
	}
	cc, err := creditcode.Parse(v)
	if err != nil {
		c.errs.AddCell(c.row.N, ColHolderCode, "%s", err.Error())
	}
	return cc
}

func (c *cells) region() (code, prefecture string) {
	v := strings.TrimSpace(c.row.Get(ColRegion))
	r, ok := org.LookupRegion(v)
	switch {
	case v == "":
		c.errs.AddCell(c.row.N, ColRegion, "行政区划代码不能为空")
	case !ok:
		c.errs.AddCell(c.row.N, ColRegion, "行政区划代码“%s”不存在（应为 GB/T 2260 六位代码，青海省为 63 开头）", v)
	}
	return v, r.Prefecture
}

// parseProduct checks one row of the GI product file.
func parseProduct(row kit.Row) (Product, kit.Errors) {
	c := &cells{row: row, errs: row.Errs}
	var p Product
	p.Name = c.text(ColProduct, true)
	p.Area = c.text(ColArea, true)
	p.Region, p.Prefecture = c.region()
	p.Notice = c.text(ColNotice, true)
	p.ApprovedOn = c.date(ColApproved, true)
	p.RevokedOn = c.date(ColRevoked, false)
	if p.RevokedOn != "" && p.ApprovedOn != "" && p.RevokedOn < p.ApprovedOn {
		c.errs.AddCell(row.N, ColRevoked, "撤销日期 %s 早于批准日期 %s", p.RevokedOn, p.ApprovedOn)
	}
	return p, c.errs
}

// defaultYears is a certificate's term when the file gives no end:
// 绿色食品 3 years, 有机产品 1 year (DOMAIN §9); an agri GI registration
// has none.
var defaultYears = map[string]int{CertGreen: 3, CertOrganic: 1}

// parseCert checks one row of the certificate file.
func parseCert(row kit.Row) (Cert, kit.Errors) {
	c := &cells{row: row, errs: row.Errs}
	var x Cert
	kind := strings.TrimSpace(row.Get(ColCertKind))
	if x.Kind = certAliases[kind]; x.Kind == "" {
		c.errs.AddCell(row.N, ColCertKind, "证书类型“%s”无效，应为 绿色食品、有机产品 或 农产品地理标志", kind)
	}
	x.CertNo = strings.ToUpper(strings.Join(strings.Fields(c.text(ColCertNo, true)), ""))
	x.Body = c.text(ColBody, true)
	x.Product = c.text(ColProduct, true)
	x.Holder = c.text(ColHolder, true)
	x.HolderCode = c.code()
	x.Region, x.Prefecture = c.region()
	x.ValidFrom = c.date(ColValidFrom, true)
	x.ValidTo = c.date(ColValidTo, false)
	switch {
	case x.ValidTo == "" && x.ValidFrom != "" && defaultYears[x.Kind] > 0 && strings.TrimSpace(row.Get(ColValidTo)) == "":
		t, _ := time.Parse(dayLayout, x.ValidFrom)
		x.ValidTo = t.AddDate(defaultYears[x.Kind], 0, -1).Format(dayLayout)
	case x.ValidTo != "" && x.ValidFrom != "" && x.ValidTo < x.ValidFrom:
		c.errs.AddCell(row.N, ColValidTo, "有效期至 %s 早于有效期起 %s", x.ValidTo, x.ValidFrom)
	}
	return x, c.errs
}

// ValidProductsQuery counts the Qinghai GI products approved on or before
// a day and not revoked by then.
const ValidProductsQuery = `SELECT COUNT(*) FROM gi_products WHERE region LIKE '63%' AND approved_on <= $1 AND (revoked_on = '' OR revoked_on > $1)`

// ValidCertsQuery counts the Qinghai certificates valid on a day ($2: a
// kind, or ” for every kind).
const ValidCertsQuery = `SELECT COUNT(*) FROM agri_certs WHERE region LIKE '63%' AND valid_from <= $1 AND (valid_to = '' OR valid_to >= $1) AND ($2 = '' OR kind = $2)`

// ProductByID returns a GI product.
func (s *Service) ProductByID(ctx context.Context, id int64) (Product, error) {
	p, err := scanProduct(s.db.Reader().QueryRowContext(ctx, `SELECT `+productColumns+` FROM gi_products WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFound("没有编号为 %d 的地理标志保护产品", id)
	}
	return p, err
}

// CertByID returns a certificate.
func (s *Service) CertByID(ctx context.Context, id int64) (Cert, error) {
	c, err := scanCert(s.db.Reader().QueryRowContext(ctx, `SELECT `+certColumns+` FROM agri_certs WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFound("没有编号为 %d 的证书", id)
	}
	return c, err
}

const productColumns = `id, name, area, region, prefecture, notice, approved_on, revoked_on, demo`
const certColumns = `id, kind, cert_no, body, product, holder, holder_code, COALESCE(enterprise_id, 0), region, prefecture, valid_from, valid_to, demo`

func scanProduct(sc interface{ Scan(...any) error }) (Product, error) {
	var p Product
	var demo int
	if err := sc.Scan(&p.ID, &p.Name, &p.Area, &p.Region, &p.Prefecture, &p.Notice, &p.ApprovedOn, &p.RevokedOn, &demo); err != nil {
		return p, err
	}
	p.Demo, p.RegionName = demo != 0, org.RegionName(p.Region)
	return p, nil
}

func scanCert(sc interface{ Scan(...any) error }) (Cert, error) {
	var c Cert
	var demo int
	if err := sc.Scan(&c.ID, &c.Kind, &c.CertNo, &c.Body, &c.Product, &c.Holder, &c.HolderCode, &c.EnterpriseID, &c.Region, &c.Prefecture, &c.ValidFrom, &c.ValidTo, &demo); err != nil {
		return c, err
	}
	c.Demo, c.RegionName, c.KindLabel = demo != 0, org.RegionName(c.Region), CertLabels[c.Kind]
	return c, nil
}
