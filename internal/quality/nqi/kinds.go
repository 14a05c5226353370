package nqi

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// WebRows is the most data rows a web upload of an NQI kind takes (the
// command line takes the kit's limit).
const WebRows = 20_000

// ImportKinds are the registers' kinds for `sidi import` / `sidi export`
// (s nil: only the catalogue of names and headers).
func ImportKinds(s *Service) []kit.ImportKind[auth.Principal] {
	ks := []kit.ImportKind[auth.Principal]{
		{Name: "measurement-standards", Page: "/metrology", Title: "社会公用计量标准 public measurement standards", Columns: StandardColumns},
		{Name: "instrument-types", Page: "/metrology/instruments", Title: "实施强制管理的计量器具目录 instrument types and verification intervals", Columns: TypeColumns},
		{Name: "instruments", Page: "/metrology/instruments", Title: "强制检定计量器具 instruments under mandatory verification", Columns: InstrumentColumns},
		{Name: "certificates", Page: "/quality-certs/manage", Title: "认证证书（有机产品、自愿性、绿色建材）certificates", Columns: CertColumns},
	}
	for i := range ks {
		ks[i].Roles = auth.RoleStrings(Editors...)
		ks[i].WebRows = WebRows
	}
	if s != nil {
		ks[0].Import, ks[0].Export = s.ImportStandards, s.ExportStandards
		ks[1].Import, ks[1].Export = s.ImportTypes, s.ExportTypes
		ks[2].Import, ks[2].Export = s.ImportInstruments, s.ExportInstruments
		ks[3].Import, ks[3].Export = s.ImportCerts, s.ExportCerts
	}
	return ks
}

// EnterpriseSection lists an enterprise's certificates and public
// measurement standards (public); its instruments are the regulator's.
func (s *Service) EnterpriseSection(ctx context.Context, _ auth.Principal, enterpriseID int64) (enterprise.Section, error) {
	sec := enterprise.Section{Title: "认证证书和社会公用计量标准", Public: true, Empty: "没有以该统一社会信用代码登记的认证证书或计量标准", More: "/quality-certs"}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+certCols+` FROM certificates WHERE enterprise_id = $1 ORDER BY valid_from DESC, id DESC LIMIT 50`, []any{enterpriseID}, func(r *sql.Rows) error {
		x, err := scanCert(r)
		if err != nil {
			return err
		}
		sec.Items = append(sec.Items, enterprise.SectionItem{Label: x.Scheme, Href: "/quality-certs?q=" + url.QueryEscape(x.CertNo), Detail: x.KindLabel + " · " + x.StatusLabel,
			Fields: []enterprise.Field{{Label: "证书编号", Value: x.CertNo}, {Label: "认证机构", Value: x.Body}, {Label: "有效期", Value: x.ValidFrom + " 至 " + x.ValidTo}}})
		return nil
	})
	if err != nil {
		return sec, fmt.Errorf("nqi: enterprise section: %w", err)
	}
	err = store.EachRow(ctx, s.db.Reader(), `SELECT `+standardCols+` FROM measurement_standards WHERE enterprise_id = $1 ORDER BY valid_to DESC, id DESC LIMIT 50`, []any{enterpriseID}, func(r *sql.Rows) error {
		x, err := scanStandard(r)
		if err != nil {
			return err
		}
		sec.Items = append(sec.Items, enterprise.SectionItem{Label: x.Name, Href: "/metrology?q=" + url.QueryEscape(x.CertNo), Detail: "社会公用计量标准",
			Fields: []enterprise.Field{{Label: "证书编号", Value: x.CertNo}, {Label: "有效期至", Value: x.ValidTo}}})
		return nil
	})
	if err != nil {
		return sec, fmt.Errorf("nqi: enterprise section: %w", err)
	}
	return sec, nil
}
