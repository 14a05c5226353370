package protect

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Outlet is an IP public service outlet (知识产权公共服务网点).
type Outlet struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Level      string `json:"level"`
	Region     string `json:"region"`
	RegionName string `json:"region_name"`
	Prefecture string `json:"prefecture"`
	Services   string `json:"services"`
	Contact    string `json:"contact"`
	Demo       bool   `json:"demo"`
}

// OutletLevels are the accepted levels.
var OutletLevels = []string{"国家级", "省级", "市州级", "县级", "其他"}

// Operation is a transfer, licence or pledge of an IP right.
type Operation struct {
	ID         int64  `json:"id"`
	RefNo      string `json:"ref_no"`
	Kind       string `json:"kind"`
	RightKind  string `json:"right_kind"`
	RightNo    string `json:"right_no"`
	From       string `json:"from_party"`
	To         string `json:"to_party"`
	AmountFen  int64  `json:"amount_fen"`
	Region     string `json:"region"`
	Prefecture string `json:"prefecture"`
	RecordedOn string `json:"recorded_on"`
	Demo       bool   `json:"demo"`
}

// OperationLabels are the operation kinds' Chinese names.
var OperationLabels = map[string]string{"transfer": "转让", "licence": "许可", "pledge": "质押"}

// Column names of the import files.
const (
	ColName      = "网点名称"
	ColLevel     = "级别"
	ColRegion    = "行政区划代码"
	ColServices  = "服务内容"
	ColContact   = "联系方式"
	ColRefNo     = "登记号"
	ColOpKind    = "运营类型"
	ColRightKind = "权利类型"
	ColRightNo   = "权利号"
	ColFrom      = "出让人/许可人/出质人"
	ColTo        = "受让人/被许可人/质权人"
	ColAmount    = "金额（元）"
	ColRecorded  = "登记日期"
)

// OutletColumns and OperationColumns are the import files' columns.
var (
	OutletColumns = []kit.Column{
		{Name: ColName, Aliases: []string{"名称"}, Required: true}, {Name: ColLevel, Aliases: []string{"网点级别"}, Required: true},
		{Name: ColRegion, Aliases: []string{"区划代码"}, Required: true}, {Name: ColServices, Aliases: []string{"服务事项"}, Required: true},
		{Name: ColContact, Aliases: []string{"联系电话"}},
	}
	OperationColumns = []kit.Column{
		{Name: ColRefNo, Aliases: []string{"登记编号", "备案号"}, Required: true}, {Name: ColOpKind, Aliases: []string{"类型"}, Required: true},
		{Name: ColRightKind, Required: true}, {Name: ColRightNo, Aliases: []string{"专利号", "注册号"}, Required: true},
		{Name: ColFrom, Aliases: []string{"出让人", "许可人", "出质人"}, Required: true}, {Name: ColTo, Aliases: []string{"受让人", "被许可人", "质权人"}, Required: true},
		{Name: ColAmount, Aliases: []string{"金额", "质押金额（元）"}, Required: true}, {Name: ColRegion, Aliases: []string{"区划代码"}, Required: true},
		{Name: ColRecorded, Aliases: []string{"日期"}, Required: true},
	}
)

var rightLabels = map[string]string{"专利": KindPatent, "商标": KindTrademark, "地理标志": KindGI}
var opKinds = map[string]string{"转让": "transfer", "许可": "licence", "质押": "pledge", "专利权质押": "pledge", "商标权质押": "pledge"}

func region(r kit.Row, errs *kit.Errors) (string, string) {
	v := strings.TrimSpace(r.Get(ColRegion))
	reg, ok := org.LookupRegion(v)
	if !ok {
		errs.AddCell(r.N, ColRegion, "行政区划代码“%s”不存在", kit.Clip(v))
	}
	return v, reg.Prefecture
}

func parseOutlet(r kit.Row) (Outlet, kit.Errors) {
	errs := r.Errs
	o := Outlet{Name: kit.Cell(r, &errs, ColName, 100, true), Level: kit.Cell(r, &errs, ColLevel, 10, true),
		Services: kit.Cell(r, &errs, ColServices, 500, true), Contact: kit.Cell(r, &errs, ColContact, 100, false)}
	if o.Level != "" && !slices.Contains(OutletLevels, o.Level) {
		errs.AddCell(r.N, ColLevel, "级别须为%s之一", strings.Join(OutletLevels, "、"))
	}
	o.Region, o.Prefecture = region(r, &errs)
	o.Demo = strings.Contains(o.Name, "【演示数据】")
	return o, errs
}

func parseOperation(r kit.Row) (Operation, kit.Errors) {
	errs := r.Errs
	o := Operation{RefNo: kit.Cell(r, &errs, ColRefNo, 64, true), RightNo: kit.Cell(r, &errs, ColRightNo, 64, true),
		From: kit.Cell(r, &errs, ColFrom, 100, true), To: kit.Cell(r, &errs, ColTo, 100, true)}
	if o.Kind = opKinds[strings.TrimSpace(r.Get(ColOpKind))]; o.Kind == "" {
		errs.AddCell(r.N, ColOpKind, "运营类型须为转让、许可或质押")
	}
	if o.RightKind = rightLabels[strings.TrimSpace(r.Get(ColRightKind))]; o.RightKind == "" {
		errs.AddCell(r.N, ColRightKind, "权利类型须为专利、商标或地理标志")
	}
	var ok bool
	if o.AmountFen, ok = ParseYuan(r.Get(ColAmount)); !ok {
		errs.AddCell(r.N, ColAmount, "金额“%s”无效：请填写不小于 0 的元数，最多两位小数", kit.Clip(r.Get(ColAmount)))
	}
	o.Region, o.Prefecture = region(r, &errs)
	if o.RecordedOn, ok = kit.ParseDate(r.Get(ColRecorded)); !ok {
		errs.AddCell(r.N, ColRecorded, "日期“%s”无效", kit.Clip(r.Get(ColRecorded)))
	}
	o.Demo = strings.Contains(o.RefNo, "DEMO")
	return o, errs
}

// ImportKinds are the registers' kinds for `sidi import` / `sidi export`.
func ImportKinds(s *Service) []kit.ImportKind[auth.Principal] {
	ks := []kit.ImportKind[auth.Principal]{
		{Name: "ip-outlets", Title: "知识产权公共服务网点 IP public service outlets", Columns: OutletColumns},
		{Name: "ip-operations", Title: "知识产权转让、许可、质押 IP operations", Columns: OperationColumns},
	}
	for i := range ks {
		ks[i].Roles = auth.RoleStrings(Editors...)
	}
	if s != nil {
		ks[0].Import, ks[0].Export = s.ImportOutlets, s.ExportOutlets
		ks[1].Import, ks[1].Export = s.ImportOperations, s.ExportOperations
	}
	return ks
}

var (
	outletReg = kit.KeyedTable[Outlet]{Kind: "ip-outlets", Table: "ip_outlets", KeyCol: ColName, KeyLabel: "网点", Columns: OutletColumns,
		Cols: []string{"name", "level", "region", "prefecture", "services", "contact", "demo"},
		Values: func(o Outlet) []any {
			return []any{o.Name, o.Level, o.Region, o.Prefecture, o.Services, o.Contact, store.BoolInt(o.Demo)}
		}}
	operationReg = kit.KeyedTable[Operation]{Kind: "ip-operations", Table: "ip_operations", KeyCol: ColRefNo, KeyLabel: "登记号", Columns: OperationColumns,
		Cols: []string{"ref_no", "kind", "right_kind", "right_no", "from_party", "to_party", "amount_fen", "region", "prefecture", "recorded_on", "demo"},
		Values: func(o Operation) []any {
			return []any{o.RefNo, o.Kind, o.RightKind, o.RightNo, o.From, o.To, o.AmountFen, o.Region, o.Prefecture, o.RecordedOn, store.BoolInt(o.Demo)}
		}}
)

// ImportOutlets imports the outlet list (matched on the name).
func (s *Service) ImportOutlets(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return outletReg.Run(ctx, s.db, p.Actor(), p.Require(Editors...), s.stamp(), src, opt, parseOutlet)
}

// ImportOperations imports transfers, licences and pledges (matched on the registration number).
func (s *Service) ImportOperations(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return operationReg.Run(ctx, s.db, p.Actor(), p.Require(Editors...), s.stamp(), src, opt, parseOperation)
}

func scanOutlet(sc interface{ Scan(...any) error }) (Outlet, error) {
	var o Outlet
	var demo int
	err := sc.Scan(&o.ID, &o.Name, &o.Level, &o.Region, &o.Prefecture, &o.Services, &o.Contact, &demo)
	o.Demo, o.RegionName = demo == 1, org.RegionName(o.Region)
	return o, err
}

func scanOperation(sc interface{ Scan(...any) error }) (Operation, error) {
	var o Operation
	var demo int
	err := sc.Scan(&o.ID, &o.RefNo, &o.Kind, &o.RightKind, &o.RightNo, &o.From, &o.To, &o.AmountFen, &o.Region, &o.Prefecture, &o.RecordedOn, &demo)
	o.Demo = demo == 1
	return o, err
}

// Outlets is the public list of outlets, optionally of one prefecture.
func (s *Service) Outlets(ctx context.Context, prefecture string) ([]Outlet, error) {
	var w kit.Where
	if prefecture != "" {
		if r, ok := org.LookupRegion(prefecture); !ok || r.Prefecture != prefecture {
			return nil, kit.Errors{{Field: "prefecture", Msg: "市州代码无效"}}
		}
		w.Add("prefecture = ?", prefecture)
	}
	var out []Outlet
	err := store.EachRow(ctx, s.db.Reader(), `SELECT id, name, level, region, prefecture, services, contact, demo FROM ip_outlets`+w.SQL()+` ORDER BY region, name LIMIT 2000`, w.Values(),
		func(r *sql.Rows) error { o, err := scanOutlet(r); out = append(out, o); return err })
	return out, err
}

// Operations lists the operations, newest first (staff).
func (s *Service) Operations(ctx context.Context, p auth.Principal) ([]Operation, error) {
	if err := p.Require(Handlers...); err != nil {
		return nil, err
	}
	var out []Operation
	err := store.EachRow(ctx, s.db.Reader(), `SELECT id, ref_no, kind, right_kind, right_no, from_party, to_party, amount_fen, region, prefecture, recorded_on, demo FROM ip_operations ORDER BY recorded_on DESC, id DESC LIMIT 2000`, nil,
		func(r *sql.Rows) error { o, err := scanOperation(r); out = append(out, o); return err })
	return out, err
}

// Total is one year's count and amount of one kind of operation.
type Total struct {
	Year      string `json:"year"`
	Kind      string `json:"kind"`
	Count     int64  `json:"count"`
	AmountFen int64  `json:"amount_fen"`
	Amount    string `json:"amount"` // yuan
}

// Totals are the province's totals per year and kind (operations recorded
// in Qinghai), oldest year first.
func (s *Service) Totals(ctx context.Context) ([]Total, error) {
	var out []Total
	err := store.EachRow(ctx, s.db.Reader(), `SELECT SUBSTR(recorded_on, 1, 4) AS y, kind, COUNT(*), COALESCE(SUM(amount_fen), 0) FROM ip_operations
		WHERE prefecture <> '' GROUP BY SUBSTR(recorded_on, 1, 4), kind ORDER BY y, kind`, nil, func(r *sql.Rows) error {
		var t Total
		if err := r.Scan(&t.Year, &t.Kind, &t.Count, &t.AmountFen); err != nil {
			return err
		}
		t.Amount = Yuan(t.AmountFen)
		out = append(out, t)
		return nil
	})
	return out, err
}

// ExportOutlets writes the outlets as an import file.
func (s *Service) ExportOutlets(ctx context.Context, _ auth.Principal, w kit.TableWriter) error {
	l, err := s.Outlets(ctx, "")
	if err != nil {
		return err
	}
	rows := [][]string{kit.Header(OutletColumns)}
	for _, o := range l {
		rows = append(rows, []string{o.Name, o.Level, o.Region, o.Services, o.Contact})
	}
	return writeAll(w, rows)
}

// ExportOperations writes the operations as an import file.
func (s *Service) ExportOperations(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	l, err := s.Operations(ctx, p)
	if err != nil {
		return err
	}
	rights := map[string]string{KindPatent: "专利", KindTrademark: "商标", KindGI: "地理标志"}
	rows := [][]string{kit.Header(OperationColumns)}
	for _, o := range l {
		rows = append(rows, []string{o.RefNo, OperationLabels[o.Kind], rights[o.RightKind], o.RightNo, o.From, o.To, strings.ReplaceAll(Yuan(o.AmountFen), ",", ""), o.Region, o.RecordedOn})
	}
	return writeAll(w, rows)
}

func writeAll(w kit.TableWriter, rows [][]string) error {
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	return nil
}
