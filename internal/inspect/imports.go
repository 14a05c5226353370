package inspect

import (
	"context"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/kit"
)

// Import kinds (`sidi import KIND FILE`).
const (
	KindItems      = "inspection_items"
	KindEntities   = "entities"
	KindInspectors = "inspectors"
)

// ImportKinds are the list and libraries for `sidi import` / `sidi export`.
func ImportKinds(s *Service) []kit.ImportKind[auth.Principal] {
	ks := []kit.ImportKind[auth.Principal]{
		{Name: KindItems, Title: "随机抽查事项清单 inspection items (一单)", Columns: ItemColumns},
		{Name: KindEntities, Title: "检查对象名录库 entity library", Columns: EntityColumns},
		{Name: KindInspectors, Title: "执法检查人员名录库 inspector library", Columns: InspectorColumns},
		{Name: KindDays, Title: "节假日与调休上班日 holiday calendar", Columns: HolidayColumns},
		{Name: KindRiskValues, Title: "信用风险指标值 credit-risk indicator values", Columns: RiskValueColumns},
	}
	for i := range ks {
		ks[i].Roles = auth.RoleStrings(Editors...)
	}
	if s != nil {
		ks[0].Import, ks[0].Export = s.ImportItems, s.ExportItems
		ks[1].Import, ks[1].Export = s.ImportEntities, s.ExportEntities
		ks[2].Import, ks[2].Export = s.ImportInspectors, s.ExportInspectors
		ks[3].Import, ks[3].Export = s.ImportHolidays, s.ExportHolidays
		ks[4].Import, ks[4].Export = s.ImportRiskValues, s.ExportRiskValues
	}
	return ks
}

// The libraries are keyed tables (matched on their first column), large
// ones: a first load into an empty table, the rows audited by a digest,
// parsed in parallel (the parse functions keep no state). The tables have
// updated_at but no created_at.
var (
	itemTable = kit.KeyedTable[Item]{Kind: KindItems, Table: "inspect_items", KeyCol: ColItemCode, KeyLabel: "事项编码", Columns: ItemColumns,
		Cols:        []string{"code", "name", "object", "basis", "method", "class", "dept"},
		Values:      func(v Item) []any { return []any{v.Code, v.Name, v.Object, v.Basis, v.Method, v.Class, v.Dept} },
		KeyText:     func(v Item) string { return v.Code },
		NoCreatedAt: true, FirstLoad: true, Digest: true, Workers: kit.AllCPUs}
	entityTable = kit.KeyedTable[Entity]{Kind: KindEntities, Table: "inspect_entities", KeyCol: ColCreditCode, KeyLabel: "统一社会信用代码", Columns: EntityColumns,
		Cols:        []string{"credit_code", "name", "region", "type", "risk"},
		Values:      func(v Entity) []any { return []any{v.CreditCode, v.Name, v.Region, v.Type, v.Risk} },
		KeyText:     func(v Entity) string { return v.CreditCode },
		NoCreatedAt: true, FirstLoad: true, Digest: true, Workers: kit.AllCPUs}
	inspectorTable = kit.KeyedTable[Person]{Kind: KindInspectors, Table: "inspect_inspectors", KeyCol: ColCertNo, KeyLabel: "执法证号", Columns: InspectorColumns,
		Cols: []string{"cert_no", "name", "unit", "domain", "avoid"},
		Values: func(v Person) []any {
			return []any{v.CertNo, v.Name, v.Unit, v.Domain, strings.Join(v.Avoid, ";")}
		},
		KeyText:     func(v Person) string { return v.CertNo },
		NoCreatedAt: true, FirstLoad: true, Digest: true, Workers: kit.AllCPUs}
)

// ImportItems imports the item list (matched on 事项编码).
func (s *Service) ImportItems(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return itemTable.Run(ctx, s.db, p.Actor(), p.Require(Editors...), s.stamp(), src, opt, ParseItem)
}

// ImportEntities imports the entity library (matched on the credit code).
func (s *Service) ImportEntities(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return entityTable.Run(ctx, s.db, p.Actor(), p.Require(Editors...), s.stamp(), src, opt, ParseEntity)
}

// ImportInspectors imports the inspector library (matched on 执法证号).
func (s *Service) ImportInspectors(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return inspectorTable.Run(ctx, s.db, p.Actor(), p.Require(Editors...), s.stamp(), src, opt, ParseInspector)
}

// export writes a library as an import file.
func export[T any](ctx context.Context, s *Service, p auth.Principal, t kit.KeyedTable[T], w kit.TableWriter) error {
	if err := p.Require(Viewers...); err != nil {
		return err
	}
	return t.Export(ctx, s.db.Reader(), w)
}

// ExportItems writes the item list as an import file.
func (s *Service) ExportItems(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	return export(ctx, s, p, itemTable, w)
}

// ExportEntities writes the entity library as an import file.
func (s *Service) ExportEntities(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	return export(ctx, s, p, entityTable, w)
}

// ExportInspectors writes the inspector library as an import file.
func (s *Service) ExportInspectors(ctx context.Context, p auth.Principal, w kit.TableWriter) error {
	return export(ctx, s, p, inspectorTable, w)
}
