package nqi

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// catalogueCSV is the type catalogue as shipped (实施强制管理的计量器具目录,
// 市场监管总局公告2020年第42号; see testdata/README.md for its source). It
// is seeded at start and may be corrected by importing kind
// "instrument-types"; a correction is never overwritten.
//
//go:embed catalogue.csv
var catalogueCSV []byte

// Verification kinds of a type.
const (
	VerifyPeriodic = "periodic" // 周期检定
	VerifyFirst    = "first"    // 只做首次强制检定
)

// VerifyLabels name the verification kinds.
var VerifyLabels = map[string]string{VerifyPeriodic: "周期检定", VerifyFirst: "首次检定"}

// UseFields are the four uses that put an instrument of the catalogue
// under mandatory verification (计量法 art. 9), and the enforcement use
// the catalogue adds for speed meters and breath analysers.
var UseFields = []string{"贸易结算", "安全防护", "医疗卫生", "环境监测", "行政执法"}

// Instrument statuses.
const (
	InUse    = "in_use"
	Stopped  = "stopped"
	Scrapped = "scrapped"
)

// StatusLabels name the instrument statuses.
var StatusLabels = map[string]string{InUse: "在用", Stopped: "停用", Scrapped: "报废"}

// InstrumentType is one row of the catalogue.
type InstrumentType struct {
	Code           string `json:"code"`
	Item           string `json:"item"`
	Name           string `json:"name"`
	Mode           string `json:"mode"`
	Verification   string `json:"verification"`
	IntervalMonths int    `json:"interval_months"`
	Scope          string `json:"scope"`
}

// Standard is a public measurement standard (社会公用计量标准).
type Standard struct {
	ID         int64  `json:"id"`
	CertNo     string `json:"cert_no"`
	Name       string `json:"name"`
	Owner      string `json:"owner"`
	OwnerCode  string `json:"owner_code"`
	Region     string `json:"region"`
	RegionName string `json:"region_name"`
	Prefecture string `json:"prefecture"`
	Range      string `json:"range"`
	Accuracy   string `json:"accuracy"`
	IssuedOn   string `json:"issued_on"`
	ValidTo    string `json:"valid_to"`
	RevokedOn  string `json:"revoked_on"`
	Demo       bool   `json:"demo"`
	enterprise any
}

// Instrument is an instrument under mandatory verification.
type Instrument struct {
	ID           int64  `json:"id"`
	Owner        string `json:"owner"`
	OwnerCode    string `json:"owner_code"`
	TypeCode     string `json:"type_code"`
	TypeName     string `json:"type_name"`
	SerialNo     string `json:"serial_no"`
	UseField     string `json:"use_field"`
	Region       string `json:"region"`
	RegionName   string `json:"region_name"`
	Prefecture   string `json:"prefecture"`
	LastVerified string `json:"last_verified"`
	NextDue      string `json:"next_due"`
	Status       string `json:"status"`
	Overdue      bool   `json:"overdue"`
	Demo         bool   `json:"demo"`
	enterprise   any
}

// Column names of the import files.
const (
	ColTypeCode     = "目录代码"
	ColTypeItem     = "项目"
	ColTypeName     = "种类"
	ColTypeMode     = "监管方式"
	ColTypeVerify   = "检定方式"
	ColTypeInterval = "检定周期（月）"
	ColTypeScope    = "强制检定范围及说明"

	ColStdCertNo   = "证书编号"
	ColStdName     = "计量标准名称"
	ColStdOwner    = "建标单位"
	ColCreditCode  = "统一社会信用代码"
	ColRegion      = "行政区划代码"
	ColStdRange    = "测量范围"
	ColStdAccuracy = "不确定度或准确度等级"
	ColStdIssued   = "发证日期"
	ColStdValidTo  = "有效期至"
	ColStdRevoked  = "注销日期"

	ColInstOwner  = "使用单位"
	ColInstSerial = "出厂编号"
	ColInstUse    = "用途"
	ColInstLast   = "最近检定日期"
	ColInstNext   = "下次检定日期"
	ColInstStatus = "状态"
)

// The import files' columns.
var (
	TypeColumns = []kit.Column{
		{Name: ColTypeCode, Aliases: []string{"代码"}, Required: true}, {Name: ColTypeItem, Required: true}, {Name: ColTypeName, Required: true},
		{Name: ColTypeMode, Required: true}, {Name: ColTypeVerify, Required: true}, {Name: ColTypeInterval, Aliases: []string{"检定周期"}, Required: true},
		{Name: ColTypeScope, Aliases: []string{"说明"}},
	}
	StandardColumns = []kit.Column{
		{Name: ColStdCertNo, Aliases: []string{"计量标准考核证书编号"}, Required: true}, {Name: ColStdName, Required: true},
		{Name: ColStdOwner, Aliases: []string{"建标单位名称"}, Required: true}, {Name: ColCreditCode},
		{Name: ColRegion, Aliases: []string{"区划代码"}}, {Name: ColStdRange, Required: true},
		{Name: ColStdAccuracy, Aliases: []string{"不确定度", "准确度等级", "最大允许误差"}, Required: true},
		{Name: ColStdIssued, Required: true}, {Name: ColStdValidTo, Required: true}, {Name: ColStdRevoked, Aliases: []string{"撤销日期"}},
	}
	InstrumentColumns = []kit.Column{
		{Name: ColInstOwner, Aliases: []string{"使用单位名称"}, Required: true}, {Name: ColCreditCode, Required: true},
		{Name: ColRegion, Aliases: []string{"区划代码"}}, {Name: ColTypeCode, Aliases: []string{"器具类别代码"}, Required: true},
		{Name: ColInstSerial, Aliases: []string{"器具编号"}, Required: true}, {Name: ColInstUse, Aliases: []string{"使用领域"}, Required: true},
		{Name: ColInstLast, Aliases: []string{"检定日期"}, Required: true}, {Name: ColInstNext, Aliases: []string{"有效期至"}},
		{Name: ColInstStatus},
	}
)

var verifyByLabel = map[string]string{"周期检定": VerifyPeriodic, "首次检定": VerifyFirst, "只做首次强制检定": VerifyFirst}
var modes = []string{"强制检定", "型式批准、强制检定"}
var statusByLabel = map[string]string{"": InUse, "在用": InUse, "停用": Stopped, "报废": Scrapped}

func parseType(r kit.Row) (InstrumentType, kit.Errors) {
	errs := r.Errs
	t := InstrumentType{Code: kit.Cell(r, &errs, ColTypeCode, 8, true), Item: kit.Cell(r, &errs, ColTypeItem, 50, true), Name: kit.Cell(r, &errs, ColTypeName, 100, true),
		Mode: kit.Cell(r, &errs, ColTypeMode, 20, true), Scope: kit.Cell(r, &errs, ColTypeScope, 200, false)}
	if t.Code != "" && strings.Trim(t.Code, "0123456789") != "" {
		errs.AddCell(r.N, ColTypeCode, "目录代码只能由数字组成")
	}
	if t.Mode != "" && !slices.Contains(modes, t.Mode) {
		errs.AddCell(r.N, ColTypeMode, "监管方式须为%s之一", strings.Join(modes, "、"))
	}
	if t.Verification = verifyByLabel[strings.TrimSpace(r.Get(ColTypeVerify))]; t.Verification == "" {
		errs.AddCell(r.N, ColTypeVerify, "检定方式须为周期检定或首次检定")
	}
	n, err := strconv.Atoi(strings.TrimSpace(r.Get(ColTypeInterval)))
	switch {
	case err != nil || n < 0 || n > 120:
		errs.AddCell(r.N, ColTypeInterval, "检定周期须为 0—120 的整数（月）")
	case t.Verification == VerifyPeriodic && n == 0:
		errs.AddCell(r.N, ColTypeInterval, "周期检定的器具须填写大于 0 的检定周期")
	case t.Verification == VerifyFirst && n != 0:
		errs.AddCell(r.N, ColTypeInterval, "只做首次检定的器具检定周期应为 0")
	}
	t.IntervalMonths = n
	return t, errs
}

var typeTable = kit.KeyedTable[InstrumentType]{Kind: "instrument-types", Table: "instrument_types", KeyCol: ColTypeCode, KeyLabel: "目录代码",
	Cols: []string{"code", "item", "name", "mode", "verification", "interval_months", "scope"}, Columns: TypeColumns,
	Values: func(t InstrumentType) []any {
		return []any{t.Code, t.Item, t.Name, t.Mode, t.Verification, t.IntervalMonths, t.Scope}
	}}

// EnsureCatalogue adds the shipped catalogue's types that are missing
// (corrections already made are kept) and reports how many it added.
func (s *Service) EnsureCatalogue(ctx context.Context) (int, error) {
	var types []InstrumentType
	_, err := kit.ReadTable("catalogue.csv", bytes.NewReader(catalogueCSV), kit.TableSpec{Columns: TypeColumns}, func(r kit.Row) error {
		t, errs := parseType(r)
		if len(errs) > 0 {
			return errs
		}
		types = append(types, t)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("nqi: shipped catalogue: %w", err)
	}
	n := 0
	now := s.stamp()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, t := range types {
			res, err := tx.ExecContext(ctx, `INSERT INTO instrument_types(code, item, name, mode, verification, interval_months, scope, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code) DO NOTHING`, t.Code, t.Item, t.Name, t.Mode, t.Verification, t.IntervalMonths, t.Scope, now)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("nqi: catalogue: %w", err)
	}
	return n, nil
}

// Types is the catalogue as stored, by code.
func (s *Service) Types(ctx context.Context) ([]InstrumentType, error) {
	var out []InstrumentType
	err := store.EachRow(ctx, s.db.Reader(), `SELECT code, item, name, mode, verification, interval_months, scope FROM instrument_types ORDER BY code`, nil, func(r *sql.Rows) error {
		var t InstrumentType
		err := r.Scan(&t.Code, &t.Item, &t.Name, &t.Mode, &t.Verification, &t.IntervalMonths, &t.Scope)
		out = append(out, t)
		return err
	})
	return out, err
}

// ImportTypes imports corrections of the catalogue (matched on the code).
func (s *Service) ImportTypes(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return typeTable.Run(ctx, s.db, p.Actor(), p.Require(Editors...), s.stamp(), src, opt, parseType)
}

// ExportTypes writes the catalogue as an import file.
func (s *Service) ExportTypes(ctx context.Context, _ auth.Principal, w kit.TableWriter) error {
	ts, err := s.Types(ctx)
	if err != nil {
		return err
	}
	rows := [][]string{kit.Header(TypeColumns)}
	for _, t := range ts {
		rows = append(rows, []string{t.Code, t.Item, t.Name, t.Mode, VerifyLabels[t.Verification], strconv.Itoa(t.IntervalMonths), t.Scope})
	}
	return writeAll(w, rows)
}

func (s *Service) parseStandard(r kit.Row) (Standard, kit.Errors) {
	errs := r.Errs
	x := Standard{CertNo: kit.Cell(r, &errs, ColStdCertNo, 64, true), Name: kit.Cell(r, &errs, ColStdName, 100, true), Owner: kit.Cell(r, &errs, ColStdOwner, 100, true),
		Range: kit.Cell(r, &errs, ColStdRange, 200, true), Accuracy: kit.Cell(r, &errs, ColStdAccuracy, 200, true)}
	x.OwnerCode, x.Region, x.Prefecture = holder(r, &errs, ColCreditCode, ColRegion, false)
	x.IssuedOn = dateCell(r, &errs, ColStdIssued, true)
	x.ValidTo = dateCell(r, &errs, ColStdValidTo, true)
	x.RevokedOn = dateCell(r, &errs, ColStdRevoked, false)
	if x.IssuedOn > s.today() {
		errs.AddCell(r.N, ColStdIssued, "发证日期 %s 晚于今天", x.IssuedOn)
	}
	if x.IssuedOn != "" && x.ValidTo != "" && x.ValidTo < x.IssuedOn {
		errs.AddCell(r.N, ColStdValidTo, "有效期至 %s 早于发证日期 %s", x.ValidTo, x.IssuedOn)
	}
	if x.RevokedOn != "" && x.IssuedOn != "" && x.RevokedOn < x.IssuedOn {
		errs.AddCell(r.N, ColStdRevoked, "注销日期 %s 早于发证日期 %s", x.RevokedOn, x.IssuedOn)
	}
	x.Demo = strings.Contains(x.Owner, DemoLabel)
	return x, errs
}

var standardTable = kit.KeyedTable[Standard]{Kind: "measurement-standards", Table: "measurement_standards", KeyCol: ColStdCertNo, KeyLabel: "证书编号",
	Cols:    []string{"cert_no", "name", "owner", "owner_code", "enterprise_id", "region", "prefecture", "meas_range", "accuracy", "issued_on", "valid_to", "revoked_on", "demo"},
	Columns: StandardColumns,
	Values: func(x Standard) []any {
		return []any{x.CertNo, x.Name, x.Owner, x.OwnerCode, x.enterprise, x.Region, x.Prefecture, x.Range, x.Accuracy, x.IssuedOn, x.ValidTo, x.RevokedOn, store.BoolInt(x.Demo)}
	}}

// ImportStandards imports public measurement standards (matched on the
// certificate number).
func (s *Service) ImportStandards(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	t := standardTable
	t.Link = func(ctx context.Context, tx *sql.Tx, x *Standard) (err error) {
		x.enterprise, err = s.ent.LinkTx(ctx, tx, p, x.OwnerCode, x.Owner, x.Demo)
		return err
	}
	return t.Run(ctx, s.db, p.Actor(), p.Require(Editors...), s.stamp(), src, opt, s.parseStandard)
}

const standardCols = `id, cert_no, name, owner, owner_code, region, prefecture, meas_range, accuracy, issued_on, valid_to, revoked_on, demo`

func scanStandard(r interface{ Scan(...any) error }) (Standard, error) {
	var x Standard
	var demo int
	err := r.Scan(&x.ID, &x.CertNo, &x.Name, &x.Owner, &x.OwnerCode, &x.Region, &x.Prefecture, &x.Range, &x.Accuracy, &x.IssuedOn, &x.ValidTo, &x.RevokedOn, &demo)
	x.Demo, x.RegionName = demo == 1, org.RegionName(x.Region)
	return x, err
}

// StandardFilter selects public measurement standards.
type StandardFilter struct {
	Q          string `json:"q,omitempty"`
	Prefecture string `json:"prefecture,omitempty"`
	Valid      bool   `json:"valid,omitempty"`
	Page       int    `json:"page"`
	PerPage    int    `json:"per_page"`
}

// StandardList is one page of standards.
type StandardList struct {
	Filter    StandardFilter `json:"filter"`
	Standards []Standard     `json:"standards"`
	Total     int            `json:"total"`
	Pages     int            `json:"pages"`
}

var listPaging = kit.Paging{Default: 50, Max: 200}

// page counts the matches of w and reads one page of them.
func (s *Service) page(ctx context.Context, number, size *int, table, cols, order string, w *kit.Where, scan func(*sql.Rows) error) (total, pages int, err error) {
	pg, err := listPaging.Page(*number, *size)
	if err != nil {
		return 0, 0, err
	}
	*number, *size = pg.Number, pg.Size
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+w.SQL(), w.Values()...).Scan(&total); err != nil {
		return 0, 0, fmt.Errorf("nqi: %s: %w", table, err)
	}
	q := `SELECT ` + cols + ` FROM ` + table + w.SQL() + ` ORDER BY ` + order + pg.SQL(&w.Args)
	if err := store.EachRow(ctx, s.db.Reader(), q, w.Values(), scan); err != nil {
		return 0, 0, fmt.Errorf("nqi: %s: %w", table, err)
	}
	return total, pg.Pages(total), nil
}

// Standards answers one page of the public list of standards.
func (s *Service) Standards(ctx context.Context, f StandardFilter) (StandardList, error) {
	if err := checkPrefecture(f.Prefecture); err != nil {
		return StandardList{}, err
	}
	var w kit.Where
	w.Contains(f.Q, "cert_no", "name", "owner")
	if f.Prefecture != "" {
		w.Add("prefecture = ?", f.Prefecture)
	}
	if f.Valid {
		d := s.today()
		w.Add("issued_on <= ? AND valid_to >= ? AND (revoked_on = '' OR revoked_on > ?)", d, d, d)
	}
	l := StandardList{Standards: []Standard{}}
	var err error
	l.Total, l.Pages, err = s.page(ctx, &f.Page, &f.PerPage, "measurement_standards", standardCols, "prefecture, owner, cert_no", &w, func(r *sql.Rows) error {
		x, err := scanStandard(r)
		l.Standards = append(l.Standards, x)
		return err
	})
	l.Filter = f
	return l, err
}

// ExportStandards writes every standard as an import file.
func (s *Service) ExportStandards(ctx context.Context, _ auth.Principal, w kit.TableWriter) error {
	return kit.ExportRows(ctx, s.db.Reader(), w, StandardColumns, `SELECT `+standardCols+` FROM measurement_standards ORDER BY cert_no`, scanStandard, func(x Standard) []string {
		return []string{x.CertNo, x.Name, x.Owner, x.OwnerCode, x.Region, x.Range, x.Accuracy, x.IssuedOn, x.ValidTo, x.RevokedOn}
	})
}

// addMonths is day plus n calendar months (31 January + 1 month is the
// last day of February).
func addMonths(day string, n int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return ""
	}
	d := t.AddDate(0, n, 0)
	if d.Day() != t.Day() {
		d = d.AddDate(0, 0, -d.Day())
	}
	return d.Format(time.DateOnly)
}

func (s *Service) instrumentParser(types map[string]InstrumentType) func(kit.Row) (Instrument, kit.Errors) {
	return func(r kit.Row) (Instrument, kit.Errors) {
		errs := r.Errs
		x := Instrument{Owner: kit.Cell(r, &errs, ColInstOwner, 100, true), SerialNo: kit.Cell(r, &errs, ColInstSerial, 64, true),
			TypeCode: kit.Cell(r, &errs, ColTypeCode, 8, true), UseField: kit.Cell(r, &errs, ColInstUse, 10, true)}
		x.OwnerCode, x.Region, x.Prefecture = holder(r, &errs, ColCreditCode, ColRegion, true)
		t, ok := types[x.TypeCode]
		if x.TypeCode != "" && !ok {
			errs.AddCell(r.N, ColTypeCode, "目录代码“%s”不在实施强制管理的计量器具目录中", kit.Clip(x.TypeCode))
		}
		x.TypeName = t.Name
		if x.UseField != "" && !slices.Contains(UseFields, x.UseField) {
			errs.AddCell(r.N, ColInstUse, "用途须为%s之一", strings.Join(UseFields, "、"))
		}
		var st bool
		if x.Status, st = statusByLabel[strings.TrimSpace(r.Get(ColInstStatus))]; !st {
			errs.AddCell(r.N, ColInstStatus, "状态须为在用、停用或报废")
		}
		x.LastVerified = dateCell(r, &errs, ColInstLast, true)
		if x.LastVerified > s.today() {
			errs.AddCell(r.N, ColInstLast, "最近检定日期 %s 晚于今天", x.LastVerified)
		}
		next := dateCell(r, &errs, ColInstNext, false)
		if ok && x.LastVerified != "" {
			switch {
			case t.Verification == VerifyFirst && next != "":
				errs.AddCell(r.N, ColInstNext, "“%s”只做首次强制检定，不应填写下次检定日期", t.Name)
			case t.Verification == VerifyPeriodic && next == "":
				next = addMonths(x.LastVerified, t.IntervalMonths)
			case t.Verification == VerifyPeriodic && next <= x.LastVerified:
				errs.AddCell(r.N, ColInstNext, "下次检定日期 %s 应晚于最近检定日期 %s", next, x.LastVerified)
			case t.Verification == VerifyPeriodic && next > addMonths(x.LastVerified, t.IntervalMonths):
				errs.AddCell(r.N, ColInstNext, "下次检定日期 %s 超出“%s”的检定周期 %d 个月（最迟 %s）", next, t.Name, t.IntervalMonths, addMonths(x.LastVerified, t.IntervalMonths))
			}
		}
		x.NextDue = next
		x.Demo = strings.Contains(x.Owner, DemoLabel)
		return x, errs
	}
}

var instrumentTable = kit.KeyedTable[Instrument]{Kind: "instruments", Table: "instruments", KeyCol: ColInstSerial, KeyLabel: "器具", Key: 3,
	Cols:    []string{"owner_code", "type_code", "serial_no", "owner", "enterprise_id", "use_field", "region", "prefecture", "last_verified", "next_due", "status", "demo"},
	Columns: InstrumentColumns,
	Values: func(x Instrument) []any {
		return []any{x.OwnerCode, x.TypeCode, x.SerialNo, x.Owner, x.enterprise, x.UseField, x.Region, x.Prefecture, x.LastVerified, x.NextDue, x.Status, store.BoolInt(x.Demo)}
	}}

// ImportInstruments imports instruments (matched on owner, type and
// factory number): the type must be in the catalogue, the next due date
// follows from the type's interval when not given and may not exceed it.
func (s *Service) ImportInstruments(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	if err := p.Require(Editors...); err != nil {
		return kit.ImportReport{Kind: instrumentTable.Kind, File: src.Name}, err
	}
	ts, err := s.Types(ctx)
	if err != nil {
		return kit.ImportReport{}, err
	}
	types := map[string]InstrumentType{}
	for _, t := range ts {
		types[t.Code] = t
	}
	t := instrumentTable
	t.Link = func(ctx context.Context, tx *sql.Tx, x *Instrument) (err error) {
		x.enterprise, err = s.ent.LinkTx(ctx, tx, p, x.OwnerCode, x.Owner, x.Demo)
		return err
	}
	return t.Run(ctx, s.db, p.Actor(), nil, s.stamp(), src, opt, s.instrumentParser(types))
}

const instrumentCols = `i.id, i.owner, i.owner_code, i.type_code, COALESCE(t.name, ''), i.serial_no, i.use_field, i.region, i.prefecture, i.last_verified, i.next_due, i.status, i.demo`
const instrumentFrom = `instruments i LEFT JOIN instrument_types t ON t.code = i.type_code`

func (s *Service) scanInstrument(r interface{ Scan(...any) error }) (Instrument, error) {
	var x Instrument
	var demo int
	err := r.Scan(&x.ID, &x.Owner, &x.OwnerCode, &x.TypeCode, &x.TypeName, &x.SerialNo, &x.UseField, &x.Region, &x.Prefecture, &x.LastVerified, &x.NextDue, &x.Status, &demo)
	x.Demo, x.RegionName = demo == 1, org.RegionName(x.Region)
	x.Overdue = x.Status == InUse && x.NextDue != "" && x.NextDue < s.today()
	return x, err
}

// Due states of the instrument filter.
const (
	DueOverdue = "overdue" // in use, next due date passed
	DueSoon    = "soon"    // in use, due within 30 days
)

// InstrumentFilter selects instruments.
type InstrumentFilter struct {
	Q          string `json:"q,omitempty"`
	Prefecture string `json:"prefecture,omitempty"`
	Type       string `json:"type,omitempty"`
	Due        string `json:"due,omitempty"`
	Page       int    `json:"page"`
	PerPage    int    `json:"per_page"`
}

// InstrumentList is one page of instruments.
type InstrumentList struct {
	Filter      InstrumentFilter `json:"filter"`
	Instruments []Instrument     `json:"instruments"`
	Total       int              `json:"total"`
	Pages       int              `json:"pages"`
}

// Instruments answers one page of the instrument register (editors).
func (s *Service) Instruments(ctx context.Context, p auth.Principal, f InstrumentFilter) (InstrumentList, error) {
	if err := p.Require(Editors...); err != nil {
		return InstrumentList{}, err
	}
	if err := checkPrefecture(f.Prefecture); err != nil {
		return InstrumentList{}, err
	}
	var w kit.Where
	w.Contains(f.Q, "i.owner", "i.serial_no", "i.owner_code")
	if f.Prefecture != "" {
		w.Add("i.prefecture = ?", f.Prefecture)
	}
	if f.Type != "" {
		w.Add("i.type_code = ?", f.Type)
	}
	today := s.today()
	switch f.Due {
	case "":
	case DueOverdue:
		w.Add("i.status = ? AND i.next_due <> '' AND i.next_due < ?", InUse, today)
	case DueSoon:
		w.Add("i.status = ? AND i.next_due >= ? AND i.next_due <= ?", InUse, today, kit.AddDays(today, 30))
	default:
		return InstrumentList{}, kit.Errors{{Field: "due", Msg: "到期状态无效"}}
	}
	l := InstrumentList{Instruments: []Instrument{}}
	var err error
	l.Total, l.Pages, err = s.page(ctx, &f.Page, &f.PerPage, instrumentFrom, instrumentCols, "i.next_due = '', i.next_due, i.id", &w, func(r *sql.Rows) error {
		x, err := s.scanInstrument(r)
		l.Instruments = append(l.Instruments, x)
		return err
	})
	l.Filter = f
	return l, err
}

// ExportInstruments writes every instrument as an import file.
func (s *Service) ExportInstruments(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	if err := p.Require(Editors...); err != nil {
		return err
	}
	return kit.ExportRows(ctx, s.db.Reader(), w, InstrumentColumns, `SELECT `+instrumentCols+` FROM `+instrumentFrom+` ORDER BY i.owner_code, i.type_code, i.serial_no`, s.scanInstrument, func(x Instrument) []string {
		return []string{x.Owner, x.OwnerCode, x.Region, x.TypeCode, x.SerialNo, x.UseField, x.LastVerified, x.NextDue, StatusLabels[x.Status]}
	})
}

// PrefectureCount is one prefecture's line of the metrology counts.
type PrefectureCount struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Standards int    `json:"standards"` // valid public measurement standards
	InUse     int    `json:"in_use"`    // instruments in use
	Soon      int    `json:"soon"`      // due within 30 days
	Overdue   int    `json:"overdue"`   // overdue
}

// PrefectureCounts are the counts of each prefecture today, the province's
// total last.
func (s *Service) PrefectureCounts(ctx context.Context) ([]PrefectureCount, error) {
	today := s.today()
	by := map[string]*PrefectureCount{}
	var out []PrefectureCount
	for _, p := range append(orgPrefectures(), [2]string{"", "全省合计"}) {
		out = append(out, PrefectureCount{Code: p[0], Name: p[1]})
	}
	for i := range out {
		by[out[i].Code] = &out[i]
	}
	total := &out[len(out)-1]
	add := func(code string, f func(c *PrefectureCount)) {
		if c := by[code]; c != nil && code != "" {
			f(c)
			f(total)
		}
	}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT prefecture, COUNT(*) FROM measurement_standards
		WHERE issued_on <= $1 AND valid_to >= $1 AND (revoked_on = '' OR revoked_on > $1) GROUP BY prefecture`, []any{today}, func(r *sql.Rows) error {
		var code string
		var n int
		err := r.Scan(&code, &n)
		add(code, func(c *PrefectureCount) { c.Standards += n })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("nqi: standards by prefecture: %w", err)
	}
	err = store.EachRow(ctx, s.db.Reader(), `SELECT prefecture, COUNT(*),
		SUM(CASE WHEN next_due >= $1 AND next_due <= $2 THEN 1 ELSE 0 END),
		SUM(CASE WHEN next_due <> '' AND next_due < $1 THEN 1 ELSE 0 END)
		FROM instruments WHERE status = 'in_use' GROUP BY prefecture`, []any{today, kit.AddDays(today, 30)}, func(r *sql.Rows) error {
		var code string
		var n, soon, over int
		err := r.Scan(&code, &n, &soon, &over)
		add(code, func(c *PrefectureCount) { c.InUse += n; c.Soon += soon; c.Overdue += over })
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("nqi: instruments by prefecture: %w", err)
	}
	return out, nil
}

// Due is one entry of the regulator's to-do list.
type Due struct {
	Urgency  string // overdue | remind
	Message  string
	Link     string
	Deadline string
}

// DueList is what the metrology registers put on p's to-do list: per
// prefecture, instruments overdue and due within 30 days, and standards
// whose certificate ends within 90 days. Only the registers' keepers see it.
func (s *Service) DueList(ctx context.Context, p auth.Principal) ([]Due, error) {
	if !CanEdit(p) {
		return nil, nil
	}
	counts, err := s.PrefectureCounts(ctx)
	if err != nil {
		return nil, err
	}
	today := s.today()
	var out []Due
	for _, c := range counts[:len(counts)-1] {
		if c.Overdue > 0 {
			out = append(out, Due{Urgency: "overdue", Deadline: today, Link: "/metrology/instruments?due=overdue&prefecture=" + c.Code,
				Message: fmt.Sprintf("%s有 %d 台强制检定计量器具已超过检定有效期，请督促使用单位送检", c.Name, c.Overdue)})
		}
		if c.Soon > 0 {
			out = append(out, Due{Urgency: "remind", Deadline: kit.AddDays(today, 30), Link: "/metrology/instruments?due=soon&prefecture=" + c.Code,
				Message: fmt.Sprintf("%s有 %d 台强制检定计量器具将在 30 天内到期", c.Name, c.Soon)})
		}
	}
	var n int
	var first string
	err = s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MIN(valid_to), '') FROM measurement_standards
		WHERE revoked_on = '' AND valid_to >= $1 AND valid_to <= $2`, today, kit.AddDays(today, 90)).Scan(&n, &first)
	if err != nil {
		return nil, fmt.Errorf("nqi: standards due: %w", err)
	}
	if n > 0 {
		out = append(out, Due{Urgency: "remind", Deadline: first, Link: "/metrology",
			Message: fmt.Sprintf("%d 项社会公用计量标准的考核证书将在 90 天内到期，请提醒建标单位申请复查", n)})
	}
	return out, nil
}

func orgPrefectures() [][2]string {
	var out [][2]string
	for _, p := range org.Prefectures() {
		out = append(out, [2]string{p.Code, p.Name})
	}
	return out
}
