package gi

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/indicator"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/search"
	"sidi/internal/store"
)

// Brand kinds of the provincial catalogue.
const (
	BrandAgri     = "agri"             // 农畜产品品牌
	BrandRegional = "regional"         // 区域公用品牌
	BrandCNOld    = "cn_time_honoured" // 中华老字号
	BrandQHOld    = "qh_time_honoured" // 青海老字号
	// BrandStation is a 商标品牌指导站 kept in the same catalogue: 品牌名称
	// is the station's name, 产品 its service area, 所有人 the host body.
	BrandStation = "guidance_station"
)

// BrandLabels are the Chinese names of the brand kinds.
var BrandLabels = map[string]string{BrandAgri: "农畜产品品牌", BrandRegional: "区域公用品牌", BrandCNOld: "中华老字号", BrandQHOld: "青海老字号", BrandStation: "商标品牌指导站"}

// BrandKinds in display order.
var BrandKinds = []string{BrandAgri, BrandRegional, BrandCNOld, BrandQHOld, BrandStation}

var brandAliases = map[string]string{
	"农畜产品品牌": BrandAgri, "农产品品牌": BrandAgri, "区域公用品牌": BrandRegional, "农产品区域公用品牌": BrandRegional,
	"中华老字号": BrandCNOld, "青海老字号": BrandQHOld, "商标品牌指导站": BrandStation, "指导站": BrandStation,
}

// Brand is an entry of the catalogue.
type Brand struct {
	ID             int64       `json:"id"`
	Kind           string      `json:"kind"`
	KindLabel      string      `json:"kind_label"`
	Name           string      `json:"name"`
	Product        string      `json:"product"`
	Owner          string      `json:"owner"`
	OwnerCode      string      `json:"owner_code"`
	EnterpriseID   int64       `json:"enterprise_id,omitempty"`
	Region         string      `json:"region"`
	RegionName     string      `json:"region_name"`
	Prefecture     string      `json:"prefecture"`
	TrademarkRegNo string      `json:"trademark_reg_no"`
	Standards      string      `json:"standards"`
	ListedOn       string      `json:"listed_on"`
	RemovedOn      string      `json:"removed_on"`
	Demo           bool        `json:"demo"`
	Users          []BrandUser `json:"users,omitempty"`
	// StandardRefs are the codes of Standards resolved against the
	// standards registry (ID 0: not in the registry), on the record page.
	StandardRefs []StandardRef `json:"standard_refs,omitempty"`
}

// StandardRef is a standard a brand applies: the registry record when the
// code is in the standards registry (ID non-zero), else the code as written.
type StandardRef struct {
	Code  string `json:"code"`
	ID    int64  `json:"standard_id,omitempty"`
	Title string `json:"title,omitempty"`
}

// StandardLookup resolves a standard code against the standards registry
// (an invalid-input error for a code that cannot be a standard code).
type StandardLookup func(ctx context.Context, code string) (StandardRef, error)

// SetStandardLookup lets the record page resolve a brand's standard codes
// against the standards registry (services.StandardLookup).
func (s *Service) SetStandardLookup(l StandardLookup) { s.standards = l }

// splitCodes splits a cell of standard codes ("；", ";", "，", "、").
func splitCodes(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == '；' || r == ';' || r == '，' || r == ',' || r == '、' })
}

// resolveStandards fills b.StandardRefs; a code the lookup cannot parse is
// shown as written.
func (s *Service) resolveStandards(ctx context.Context, b *Brand) error {
	for _, c := range splitCodes(b.Standards) {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		ref := StandardRef{Code: c}
		if s.standards != nil {
			r, err := s.standards(ctx, c)
			switch {
			case errors.Is(err, apperr.ErrInvalid):
			case err != nil:
				return err
			default:
				ref = r
			}
		}
		b.StandardRefs = append(b.StandardRefs, ref)
	}
	return nil
}

// BrandUser is a user authorised to use a regional public brand.
type BrandUser struct {
	Brand        string `json:"brand"`
	Name         string `json:"name"`
	CreditCode   string `json:"credit_code"`
	EnterpriseID int64  `json:"enterprise_id,omitempty"`
	ValidFrom    string `json:"valid_from"`
	ValidTo      string `json:"valid_to"`
	Demo         bool   `json:"demo"`
}

// Columns of the brand files.
const (
	ColBrandKind = "品牌类型"
	ColBrandName = "品牌名称"
	ColOwner     = "所有人"
	ColRegNo     = "商标注册号"
	ColStandards = "标准"
	ColListed    = "列入日期"
	ColRemoved   = "移出日期"
	ColUser      = "使用单位"
	ColFrom      = "授权起"
	ColTo        = "授权至"
)

// BrandColumns are the columns of the brand catalogue file.
var BrandColumns = []kit.Column{
	{Name: ColBrandKind, Aliases: []string{"类型"}, Required: true},
	{Name: ColBrandName, Aliases: []string{"品牌"}, Required: true},
	{Name: ColProduct, Aliases: []string{"产品"}, Required: true},
	{Name: ColOwner, Aliases: []string{"品牌所有人", "持有人", "企业名称"}, Required: true},
	{Name: ColHolderCode, Aliases: []string{"信用代码"}, Required: true},
	{Name: ColRegion, Aliases: []string{"行政区划", "区划代码"}, Required: true},
	{Name: ColListed, Aliases: []string{"认定日期", "发布日期"}, Required: true},
	{Name: ColRegNo, Aliases: []string{"注册号"}},
	{Name: ColStandards, Aliases: []string{"执行标准", "标准号"}},
	{Name: ColRemoved, Aliases: []string{"撤销日期"}},
}

// BrandUserColumns are the columns of the authorised-user file.
var BrandUserColumns = []kit.Column{
	{Name: ColBrandName, Aliases: []string{"品牌"}, Required: true},
	{Name: ColUser, Aliases: []string{"授权使用单位", "企业名称"}, Required: true},
	{Name: ColHolderCode, Aliases: []string{"信用代码"}, Required: true},
	{Name: ColFrom, Aliases: []string{"授权日期"}, Required: true},
	{Name: ColTo, Aliases: []string{"授权截止"}},
}

func parseBrand(row kit.Row) (Brand, kit.Errors) {
	c := &cells{row: row, errs: row.Errs}
	var b Brand
	k := strings.TrimSpace(row.Get(ColBrandKind))
	if b.Kind = brandAliases[k]; b.Kind == "" {
		c.errs.AddCell(row.N, ColBrandKind, "品牌类型“%s”无效，应为 农畜产品品牌、区域公用品牌、中华老字号、青海老字号 或 商标品牌指导站", k)
	}
	b.Name = c.text(ColBrandName, true)
	b.Product = c.text(ColProduct, true)
	b.Owner = c.text(ColOwner, true)
	b.OwnerCode = c.code()
	b.Region, b.Prefecture = c.region()
	b.ListedOn = c.date(ColListed, true)
	b.RemovedOn = c.date(ColRemoved, false)
	b.TrademarkRegNo = c.text(ColRegNo, false)
	b.Standards = c.text(ColStandards, false)
	if b.RemovedOn != "" && b.ListedOn != "" && b.RemovedOn < b.ListedOn {
		c.errs.AddCell(row.N, ColRemoved, "移出日期 %s 早于列入日期 %s", b.RemovedOn, b.ListedOn)
	}
	return b, c.errs
}

func parseBrandUser(row kit.Row) (BrandUser, kit.Errors) {
	c := &cells{row: row, errs: row.Errs}
	var u BrandUser
	u.Brand = c.text(ColBrandName, true)
	u.Name = c.text(ColUser, true)
	u.CreditCode = c.code()
	u.ValidFrom = c.date(ColFrom, true)
	u.ValidTo = c.date(ColTo, false)
	if u.ValidTo != "" && u.ValidFrom != "" && u.ValidTo < u.ValidFrom {
		c.errs.AddCell(row.N, ColTo, "授权至 %s 早于授权起 %s", u.ValidTo, u.ValidFrom)
	}
	return u, c.errs
}

var (
	brandTable = table{name: "brands", key: []string{"kind", "name"}, cols: []string{"kind", "name", "product", "owner", "owner_code", "enterprise_id", "region", "prefecture",
		"trademark_reg_no", "standards", "listed_on", "removed_on", "demo"}}
	brandUserTable = table{name: "brand_users", key: []string{"brand_id", "name"}, cols: []string{"brand_id", "name", "credit_code", "enterprise_id", "valid_from", "valid_to", "demo"}}
)

const brandColumns = `id, kind, name, product, owner, owner_code, COALESCE(enterprise_id, 0), region, prefecture, trademark_reg_no, standards, listed_on, removed_on, demo`

func scanBrand(sc interface{ Scan(...any) error }) (Brand, error) {
	var b Brand
	var demo int
	if err := sc.Scan(&b.ID, &b.Kind, &b.Name, &b.Product, &b.Owner, &b.OwnerCode, &b.EnterpriseID, &b.Region, &b.Prefecture, &b.TrademarkRegNo, &b.Standards, &b.ListedOn, &b.RemovedOn, &demo); err != nil {
		return b, err
	}
	b.Demo, b.KindLabel, b.RegionName = demo != 0, BrandLabels[b.Kind], org.RegionName(b.Region)
	return b, nil
}

// KindBrandDoc is the search kind of the brand catalogue; its code is
// stored (see search.Kind) and must never change.
var KindBrandDoc = search.Kind{Name: "brand", Code: 22}

func brandDoc(id int64, b Brand) search.Doc {
	return search.Doc{Kind: KindBrandDoc, RefID: id, Rank: dayRank(b.ListedOn), Title: b.Name, Keywords: b.Product + " " + b.Owner + " " + BrandLabels[b.Kind],
		Body: org.RegionName(b.Region) + " " + b.Standards}
}

// ensure links a credit code to the enterprise directory inside tx.
func (s *Service) ensure(ctx context.Context, tx *sql.Tx, p auth.Principal, code, name string, demo bool) (int64, error) {
	if code == "" || s.ent == nil {
		return 0, nil
	}
	return s.ent.EnsureTx(ctx, tx, p, code, name, demo)
}

// brandID finds the regional public brand a user row names.
func brandID(ctx context.Context, q store.Querier, name string) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `SELECT id FROM brands WHERE kind = $1 AND name = $2`, BrandRegional, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

var brandKind = kindImport[Brand]{kind: "brands", columns: BrandColumns, parse: parseBrand, t: brandTable, doc: brandDoc,
	key:       func(b Brand) (string, string) { return b.Kind + "\x00" + b.Name, "品牌 " + b.Name },
	keyColumn: ColBrandName, prepare: (*Service).prepareBrand,
}

// ImportBrands imports the brand catalogue (matched on kind and name).
func (s *Service) ImportBrands(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return brandKind.run(ctx, s, p, src, opt)
}

func (s *Service) prepareBrand(ctx context.Context, p auth.Principal) func(tx *sql.Tx, b *Brand) ([]any, error) {
	return func(tx *sql.Tx, b *Brand) ([]any, error) {
		id, err := s.ensure(ctx, tx, p, b.OwnerCode, b.Owner, b.Demo)
		b.EnterpriseID = id
		return []any{b.Kind, b.Name, b.Product, b.Owner, b.OwnerCode, store.NullID(b.EnterpriseID), b.Region, b.Prefecture, b.TrademarkRegNo, b.Standards, b.ListedOn, b.RemovedOn, store.BoolInt(b.Demo)}, err
	}
}

// ImportBrandUsers imports who may use the regional public brands: each
// row names a 区域公用品牌 already in the catalogue.
func (s *Service) ImportBrandUsers(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	k := kindImport[BrandUser]{kind: "brand-users", columns: BrandUserColumns, parse: parseBrandUser, t: brandUserTable,
		key: func(u BrandUser) (string, string) {
			return u.Brand + "\x00" + u.Name, u.Brand + " 的使用单位 " + u.Name
		},
		keyColumn: ColUser, prepare: (*Service).prepareBrandUser,
		check: func(ctx context.Context, batch []kit.Item[BrandUser]) (kit.Errors, error) {
			var errs kit.Errors
			for _, it := range batch {
				id, err := brandID(ctx, s.db.Reader(), it.Val.Brand)
				if err != nil {
					return nil, fmt.Errorf("gi: brand users: %w", err)
				}
				if id == 0 {
					errs.AddCell(it.Row, ColBrandName, "区域公用品牌“%s”不在品牌目录中，请先导入品牌", it.Val.Brand)
				}
			}
			return errs, nil
		},
	}
	return k.run(ctx, s, p, src, opt)
}

func (s *Service) prepareBrandUser(ctx context.Context, p auth.Principal) func(tx *sql.Tx, u *BrandUser) ([]any, error) {
	return func(tx *sql.Tx, u *BrandUser) ([]any, error) {
		bid, err := brandID(ctx, tx, u.Brand)
		if err == nil && bid == 0 {
			err = apperr.Invalid("区域公用品牌“%s”不在品牌目录中", u.Brand)
		}
		if err != nil {
			return nil, err
		}
		id, err := s.ensure(ctx, tx, p, u.CreditCode, u.Name, u.Demo)
		u.EnterpriseID = id
		return []any{bid, u.Name, u.CreditCode, store.NullID(u.EnterpriseID), u.ValidFrom, u.ValidTo, store.BoolInt(u.Demo)}, err
	}
}

// ExportBrands writes the catalogue as an import file.
func (s *Service) ExportBrands(ctx context.Context, _ auth.Principal, w kit.TableWriter) error {
	return exportRows(ctx, s, w, BrandColumns, `SELECT `+brandColumns+` FROM brands ORDER BY id`, scanBrand, func(b Brand) []string {
		return []string{b.KindLabel, b.Name, b.Product, b.Owner, b.OwnerCode, b.Region, b.ListedOn, b.TrademarkRegNo, b.Standards, b.RemovedOn}
	})
}

// ExportBrandUsers writes the authorised users as an import file.
func (s *Service) ExportBrandUsers(ctx context.Context, _ auth.Principal, w kit.TableWriter) error {
	if err := w.Write(kit.Header(BrandUserColumns)); err != nil {
		return err
	}
	return store.EachRow(ctx, s.db.Reader(), `SELECT b.name, u.name, u.credit_code, u.valid_from, u.valid_to FROM brand_users u JOIN brands b ON b.id = u.brand_id ORDER BY u.id`, nil, func(r *sql.Rows) error {
		c := make([]string, 5)
		if err := r.Scan(&c[0], &c[1], &c[2], &c[3], &c[4]); err != nil {
			return err
		}
		return w.Write(c)
	})
}

// BrandByID returns a brand with the users authorised today.
func (s *Service) BrandByID(ctx context.Context, id int64) (Brand, error) {
	b, err := scanBrand(s.db.Reader().QueryRowContext(ctx, `SELECT `+brandColumns+` FROM brands WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, apperr.NotFound("没有编号为 %d 的品牌", id)
	}
	if err != nil {
		return b, fmt.Errorf("gi: brand %d: %w", id, err)
	}
	if err := s.resolveStandards(ctx, &b); err != nil {
		return b, err
	}
	today := s.today()
	err = store.EachRow(ctx, s.db.Reader(), `SELECT name, credit_code, COALESCE(enterprise_id, 0), valid_from, valid_to, demo FROM brand_users
		WHERE brand_id = $1 AND valid_from <= $2 AND (valid_to = '' OR valid_to >= $2) ORDER BY name`, []any{id, today}, func(r *sql.Rows) error {
		u := BrandUser{Brand: b.Name}
		var demo int
		err := r.Scan(&u.Name, &u.CreditCode, &u.EnterpriseID, &u.ValidFrom, &u.ValidTo, &demo)
		u.Demo = demo != 0
		b.Users = append(b.Users, u)
		return err
	})
	return b, err
}

// BrandList is one page of the catalogue.
type BrandList struct {
	Filter Filter  `json:"filter"`
	Brands []Brand `json:"brands"`
	Total  int     `json:"total"`
	Pages  int     `json:"pages"`
}

// Brands answers one page of the catalogue (Filter.Kind: a brand kind).
func (s *Service) Brands(ctx context.Context, f Filter) (BrandList, error) {
	q := &query{}
	q.match(s.db.Dialect(), KindBrandDoc, f.Q, "name", "product", "owner")
	if err := q.prefecture(f.Prefecture); err != nil {
		return BrandList{}, err
	}
	if f.Kind != "" {
		if BrandLabels[f.Kind] == "" {
			return BrandList{}, kit.Errors{{Field: "kind", Msg: "品牌类型无效"}}
		}
		q.where = append(q.where, "kind = "+q.arg(f.Kind))
	}
	if f.Valid {
		d := q.arg(s.today())
		q.where = append(q.where, "listed_on <= "+d+" AND (removed_on = '' OR removed_on > "+d+")")
	}
	l := BrandList{Brands: []Brand{}}
	var err error
	l.Total, l.Pages, err = page(ctx, s.db, &f, "brands", brandColumns, "listed_on DESC, id DESC", q, func(r *sql.Rows) error {
		b, err := scanBrand(r)
		l.Brands = append(l.Brands, b)
		return err
	})
	l.Filter = f
	return l, err
}

// Brand metric keys.
const (
	MetricAgriBrands     = "brands.agri"
	MetricRegionalBrands = "brands.regional"
)

// ListedBrandsQuery counts the Qinghai brands of a kind in the catalogue
// on a day (listed on or before it, not removed by then).
const ListedBrandsQuery = `SELECT COUNT(*) FROM brands WHERE kind = $2 AND region LIKE '63%' AND listed_on <= $1 AND (removed_on = '' OR removed_on > $1)`

// registerBrandMetrics registers the catalogue's counts (targets 8.2 and 9.1).
func registerBrandMetrics(r *indicator.Registry) error {
	for key, kind := range map[string]string{MetricAgriBrands: BrandAgri, MetricRegionalBrands: BrandRegional} {
		err := r.Register(indicator.Metric{Key: key, Name: "目录内的" + BrandLabels[kind], Unit: "个", Domain: "gi",
			Description: "统计日在省级品牌目录中的青海" + BrandLabels[kind] + "数（列入日期不晚于统计日、统计日前未移出）。",
			Compute: func(ctx context.Context, q indicator.Querier, _, asOf time.Time) (float64, error) {
				var n float64
				if err := q.QueryRowContext(ctx, ListedBrandsQuery, kit.DayOf(asOf), kind).Scan(&n); err != nil {
					return 0, fmt.Errorf("gi: %s: %w", key, err)
				}
				return n, nil
			}})
		if err != nil {
			return err
		}
	}
	return nil
}
