package gi

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/search"
	"sidi/internal/store"
)

// ImportKinds are the two registers' kinds for `sidi import` / `sidi export`.
func ImportKinds(s *Service) []kit.ImportKind[auth.Principal] {
	ks := []kit.ImportKind[auth.Principal]{
		{Name: "gi-products", Title: "地理标志保护产品 GI protected products", Columns: ProductColumns},
		{Name: "agri-certs", Title: "绿色食品、有机产品、农产品地理标志证书 agri-product certificates", Columns: CertColumns},
		{Name: "brands", Title: "农畜产品品牌、区域公用品牌和老字号目录 brand catalogue", Columns: BrandColumns},
		{Name: "brand-users", Title: "区域公用品牌授权使用单位 authorised users of regional brands", Columns: BrandUserColumns},
	}
	for i := range ks {
		ks[i].Roles = auth.RoleStrings(Editors...)
	}
	if s != nil {
		ks[0].Import, ks[0].Export = s.ImportProducts, s.ExportProducts
		ks[1].Import, ks[1].Export = s.ImportCerts, s.ExportCerts
		ks[2].Import, ks[2].Export = s.ImportBrands, s.ExportBrands
		ks[3].Import, ks[3].Export = s.ImportBrandUsers, s.ExportBrandUsers
	}
	return ks
}

// table is how one register's row is stored: its key columns and the
// other columns, in the order of the values a record gives.
type table struct {
	name string
	key  []string // leading columns of cols
	cols []string
}

var (
	productTable = table{name: "gi_products", key: []string{"name"}, cols: []string{"name", "area", "region", "prefecture", "notice", "approved_on", "revoked_on", "demo"}}
	certTable    = table{name: "agri_certs", key: []string{"kind", "cert_no"}, cols: []string{"kind", "cert_no", "body", "product", "holder", "holder_code", "enterprise_id", "region", "prefecture", "valid_from", "valid_to", "demo"}}
)

func productValues(p Product) []any {
	return []any{p.Name, p.Area, p.Region, p.Prefecture, p.Notice, p.ApprovedOn, p.RevokedOn, store.BoolInt(p.Demo)}
}

func certValues(c Cert) []any {
	return []any{c.Kind, c.CertNo, c.Body, c.Product, c.Holder, c.HolderCode, store.NullID(c.EnterpriseID), c.Region, c.Prefecture, c.ValidFrom, c.ValidTo, store.BoolInt(c.Demo)}
}

// upsert stores vals (in t.cols order) in tx: created, updated or
// unchanged (every column compared as text).
func (s *Service) upsert(ctx context.Context, tx *sql.Tx, t table, vals []any, now string) (int64, string, error) {
	where := make([]string, len(t.key))
	for i, k := range t.key {
		where[i] = fmt.Sprintf("%s = $%d", k, i+1)
	}
	sel := make([]string, len(t.cols))
	for i, c := range t.cols {
		sel[i] = "COALESCE(CAST(" + c + " AS TEXT), '')"
	}
	got := make([]string, len(t.cols))
	dst := []any{new(int64)}
	for i := range got {
		dst = append(dst, &got[i])
	}
	err := tx.QueryRowContext(ctx, `SELECT id, `+strings.Join(sel, ", ")+` FROM `+t.name+` WHERE `+strings.Join(where, " AND "), vals[:len(t.key)]...).Scan(dst...)
	id := *dst[0].(*int64)
	if errors.Is(err, sql.ErrNoRows) {
		ph := make([]string, len(t.cols)+2)
		for i := range ph {
			ph[i] = fmt.Sprintf("$%d", i+1)
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO `+t.name+`(`+strings.Join(t.cols, ", ")+`, created_at, updated_at) VALUES (`+strings.Join(ph, ", ")+`) RETURNING id`,
			append(append([]any(nil), vals...), now, now)...).Scan(&id)
		if err != nil {
			return 0, "", fmt.Errorf("gi: insert %s: %w", t.name, err)
		}
		return id, "created", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("gi: lookup %s: %w", t.name, err)
	}
	same := true
	for i, v := range vals {
		w := ""
		if v != nil {
			w = fmt.Sprint(v)
		}
		if got[i] != w {
			same = false
		}
	}
	if same {
		return id, "unchanged", nil
	}
	set := make([]string, len(t.cols))
	for i, c := range t.cols {
		set[i] = fmt.Sprintf("%s = $%d", c, i+1)
	}
	args := append(append([]any(nil), vals...), now, id)
	if _, err := tx.ExecContext(ctx, `UPDATE `+t.name+` SET `+strings.Join(set, ", ")+fmt.Sprintf(`, updated_at = $%d WHERE id = $%d`, len(vals)+1, len(vals)+2), args...); err != nil {
		return 0, "", fmt.Errorf("gi: update %s: %w", t.name, err)
	}
	return id, "updated", nil
}

// writeBatch writes one batch of rows in one transaction with one audit
// entry; prepare fills in what needs the transaction (the holder's
// directory entry) and gives the row's values.
func writeBatch[T any](ctx context.Context, s *Service, p auth.Principal, kind string, t table, batch []kit.Item[T], file kit.ImportReport,
	prepare func(tx *sql.Tx, v *T) ([]any, error), doc func(id int64, v T) search.Doc) (kit.BatchResult, error) {
	var res kit.BatchResult
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res = kit.BatchResult{}
		now := s.now().UTC().Format(time.RFC3339)
		var created, updated []int64
		var after []any
		for _, it := range batch {
			v := it.Val
			vals, err := prepare(tx, &v)
			if err != nil {
				return fmt.Errorf("第 %d 行：%w", it.Row, err)
			}
			id, action, err := s.upsert(ctx, tx, t, vals, now)
			if err != nil {
				return fmt.Errorf("第 %d 行：%w", it.Row, err)
			}
			if action != "unchanged" && doc != nil {
				if err := search.Index(ctx, s.db, tx, doc(id, v)); err != nil {
					return fmt.Errorf("第 %d 行：%w", it.Row, err)
				}
			}
			switch action {
			case "created":
				res.Created++
				created = append(created, id)
			case "updated":
				res.Updated++
				updated = append(updated, id)
			default:
				res.Unchanged++
				continue
			}
			after = append(after, map[string]any{"id": id, "row": it.Row, "rec": v})
		}
		if len(after) == 0 {
			return nil
		}
		return kit.AuditImportBatch(ctx, s.db, tx, p.Actor(), kit.ImportBatch{Kind: kind, File: file, FirstRow: batch[0].Row, LastRow: batch[len(batch)-1].Row,
			Created: created, Updated: updated, Unchanged: res.Unchanged, After: after})
	})
	return res, err
}

// kindImport is one import kind of the package's registers: small
// tables written a row at a time (see writeBatch).
type kindImport[T any] struct {
	kind    string
	columns []kit.Column
	parse   func(kit.Row) (T, kit.Errors)
	// key names a record for duplicates in the file, and how the message
	// shows it ("产品 甲枸杞"); keyColumn is the column the failure names.
	key       func(T) (key, shown string)
	keyColumn string
	check     func(ctx context.Context, batch []kit.Item[T]) (kit.Errors, error)
	t         table
	prepare   func(s *Service, ctx context.Context, p auth.Principal) func(*sql.Tx, *T) ([]any, error)
	doc       func(int64, T) search.Doc // nil: not in the search index
}

// run imports src as kind k for p (editors only).
func (k kindImport[T]) run(ctx context.Context, s *Service, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	if err := p.Require(Editors...); err != nil {
		return kit.ImportReport{Kind: k.kind, File: src.Name}, err
	}
	return kit.RunImport(ctx, src, opt, kit.Plan[T]{
		Kind: k.kind, Spec: kit.TableSpec{Columns: k.columns, Formulas: true}, Parse: k.parse,
		Key: func(v T) string { key, _ := k.key(v); return key },
		Duplicate: func(row int, v T, prev int) kit.FieldError {
			_, shown := k.key(v)
			return kit.FieldError{Row: row, Column: k.keyColumn, Msg: fmt.Sprintf("%s 与第 %d 行重复", shown, prev)}
		},
		Check: k.check,
		Write: func(ctx context.Context, batch []kit.Item[T], file kit.ImportReport) (kit.BatchResult, error) {
			return writeBatch(ctx, s, p, k.kind, k.t, batch, file, k.prepare(s, ctx, p), k.doc)
		},
	})
}

var productKind = kindImport[Product]{kind: "gi-products", columns: ProductColumns, parse: parseProduct, t: productTable, doc: productDoc,
	key:       func(x Product) (string, string) { return x.Name, "产品 " + x.Name },
	keyColumn: ColProduct,
	prepare: func(*Service, context.Context, auth.Principal) func(*sql.Tx, *Product) ([]any, error) {
		return func(_ *sql.Tx, x *Product) ([]any, error) { return productValues(*x), nil }
	},
}

var certKind = kindImport[Cert]{kind: "agri-certs", columns: CertColumns, parse: parseCert, t: certTable, doc: certDoc,
	key:       func(x Cert) (string, string) { return x.Kind + "\x00" + x.CertNo, "证书 " + x.CertNo },
	keyColumn: ColCertNo, prepare: (*Service).prepareCert,
}

// ImportProducts imports a table of GI protected products (matched on
// the product name; the same file twice changes nothing).
func (s *Service) ImportProducts(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return productKind.run(ctx, s, p, src, opt)
}

// ImportCerts imports a table of certificates (matched on kind and
// number; holders with a credit code join the enterprise directory).
func (s *Service) ImportCerts(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return certKind.run(ctx, s, p, src, opt)
}

// dayRank orders search matches by a date, newest first being read
// backwards: the day number since 1900.
func dayRank(d string) int64 {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return 0
	}
	return int64(t.Sub(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// Search documents (kinds "gi_product" and "agri_cert" of the shared
// index: the catalogues' Chinese search).
func productDoc(id int64, x Product) search.Doc {
	return search.Doc{Kind: KindProductDoc, RefID: id, Rank: dayRank(x.ApprovedOn), Title: x.Name, Keywords: x.Area + " " + org.RegionName(x.Region), Body: x.Notice}
}

func certDoc(id int64, x Cert) search.Doc {
	return search.Doc{Kind: KindCertDoc, RefID: id, Rank: dayRank(x.ValidFrom), Title: x.Product, Keywords: x.Holder + " " + x.CertNo + " " + CertLabels[x.Kind],
		Body: x.Body + " " + org.RegionName(x.Region)}
}

// Search kinds of the two registers; their codes are stored (see
// search.Kind) and must never change.
var (
	KindProductDoc = search.Kind{Name: "gi_product", Code: 20}
	KindCertDoc    = search.Kind{Name: "agri_cert", Code: 21}
)

// prepareCert links a certificate's holder to the enterprise directory
// inside the batch's transaction and gives the row's values.
func (s *Service) prepareCert(ctx context.Context, p auth.Principal) func(tx *sql.Tx, x *Cert) ([]any, error) {
	return func(tx *sql.Tx, x *Cert) ([]any, error) {
		id, err := s.ensure(ctx, tx, p, x.HolderCode, x.Holder, x.Demo)
		x.EnterpriseID = id
		return certValues(*x), err
	}
}

// exportRows writes a header and one row per record that query reads.
func exportRows[T any](ctx context.Context, s *Service, w kit.TableWriter, cols []kit.Column, query string, scan func(interface{ Scan(...any) error }) (T, error), row func(T) []string) error {
	return kit.ExportRows(ctx, s.db.Reader(), w, cols, query, scan, row)
}

// ExportProducts writes the GI products as an import file.
func (s *Service) ExportProducts(ctx context.Context, _ auth.Principal, w kit.TableWriter) error {
	return exportRows(ctx, s, w, ProductColumns, `SELECT `+productColumns+` FROM gi_products ORDER BY id`, scanProduct, func(x Product) []string {
		return []string{x.Name, x.Area, x.Region, x.Notice, x.ApprovedOn, x.RevokedOn}
	})
}

// ExportCerts writes the certificates as an import file.
func (s *Service) ExportCerts(ctx context.Context, _ auth.Principal, w kit.TableWriter) error {
	return exportRows(ctx, s, w, CertColumns, `SELECT `+certColumns+` FROM agri_certs ORDER BY id`, scanCert, func(x Cert) []string {
		return []string{CertLabels[x.Kind], x.CertNo, x.Body, x.Product, x.Holder, x.HolderCode, x.Region, x.ValidFrom, x.ValidTo}
	})
}
