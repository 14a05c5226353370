package patent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/search"
	"sidi/internal/store"
)

// Service keeps the four registers.
type Service struct {
	db  *store.DB
	ent *enterprise.Service
	now func() time.Time
}

// NewService returns the registers over db; holders with a credit code
// join the enterprise directory ent (nil: not linked).
func NewService(db *store.DB, ent *enterprise.Service) *Service {
	return &Service{db: db, ent: ent, now: time.Now}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Today is the service's current day in China Standard Time.
func (s *Service) Today() string { return s.now().In(kit.CST).Format(dayLayout) }

// table is one register's storage: the key columns lead cols.
type table struct {
	name string
	nkey int
	cols []string
	// search is the kind its rows have in the search index (the zero Kind
	// for none), indexed after the write (search.Enqueue, SearchSource).
	search search.Kind
}

var (
	patentTable     = table{"patents", 1, []string{"number", "title", "holder", "holder_code", "enterprise_id", "region", "prefecture", "applied_on", "granted_on", "lapsed_on", "strategic", "overseas", "pledge_fen", "award", "award_ok", "demo"}, SearchKind}
	populationTable = table{"population", 2, []string{"year", "region", "persons", "source", "demo"}, search.Kind{}}
	certTable       = table{"ipm_certs", 1, []string{"cert_no", "body", "enterprise", "credit_code", "enterprise_id", "region", "prefecture", "scope", "valid_from", "valid_to", "demo"}, search.Kind{}}
	navTable        = table{"patent_navigation", 1, []string{"name", "lead", "year", "status", "region", "prefecture", "demo"}, search.Kind{}}
)

// write stores vals in tx: an insert, an update only when a column
// differs, or nothing. It tells which by the row found before and the row
// the statement returned.
func (t table) write(ctx context.Context, tx *sql.Tx, vals []any, now string) (int64, string, error) {
	keys := make([]string, t.nkey)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s = $%d", t.cols[i], i+1)
	}
	var before int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM `+t.name+` WHERE `+strings.Join(keys, " AND "), vals[:t.nkey]...).Scan(&before)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("patent: look up %s: %w", t.name, err)
	}
	ph := make([]string, len(t.cols))
	var set, diff []string
	for i, c := range t.cols {
		ph[i] = fmt.Sprintf("$%d", i+1)
		if i >= t.nkey {
			set = append(set, c+" = excluded."+c)
			diff = append(diff, t.name+"."+c+" IS DISTINCT FROM excluded."+c)
		}
	}
	n := len(t.cols)
	q := `INSERT INTO ` + t.name + `(` + strings.Join(t.cols, ", ") + `, created_at, updated_at) VALUES (` + strings.Join(ph, ", ") + fmt.Sprintf(`, $%d, $%d)`, n+1, n+1) +
		` ON CONFLICT (` + strings.Join(t.cols[:t.nkey], ", ") + `) DO UPDATE SET ` + strings.Join(set, ", ") + `, updated_at = excluded.updated_at WHERE ` + strings.Join(diff, " OR ") + ` RETURNING id`
	var id int64
	err = tx.QueryRowContext(ctx, q, append(append([]any(nil), vals...), now)...).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return before, "unchanged", nil
	case err != nil:
		return 0, "", fmt.Errorf("patent: write %s: %w", t.name, err)
	case before == 0:
		return id, "created", nil
	}
	return id, "updated", nil
}

// kind is one import kind of the package.
type kind[T any] struct {
	name, title string
	columns     []kit.Column
	parse       func(kit.Row) (T, kit.Errors)
	key         func(T) (key, shown, column string)
	t           table
	// values gives the row's values in t.cols order, linking the
	// enterprise directory inside tx where the record has a credit code.
	values func(s *Service, ctx context.Context, tx *sql.Tx, p auth.Principal, v *T) ([]any, error)
}

func (k kind[T]) run(ctx context.Context, s *Service, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	if err := p.Require(Editors...); err != nil {
		return kit.ImportReport{Kind: k.name, File: src.Name}, err
	}
	return kit.RunImport(ctx, src, opt, kit.Plan[T]{
		Kind: k.name, Spec: kit.TableSpec{Columns: k.columns, Formulas: true}, Parse: k.parse,
		Key: func(v T) string { key, _, _ := k.key(v); return key },
		Duplicate: func(row int, v T, prev int) kit.FieldError {
			_, shown, col := k.key(v)
			return kit.FieldError{Row: row, Column: col, Msg: fmt.Sprintf("%s 与第 %d 行重复", shown, prev)}
		},
		Write: func(ctx context.Context, batch []kit.Item[T], file kit.ImportReport) (kit.BatchResult, error) {
			return k.write(ctx, s, p, batch, file)
		},
	})
}

// write stores a batch in one transaction with one audit entry.
func (k kind[T]) write(ctx context.Context, s *Service, p auth.Principal, batch []kit.Item[T], file kit.ImportReport) (kit.BatchResult, error) {
	var res kit.BatchResult
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res = kit.BatchResult{}
		now := s.now().UTC().Format(time.RFC3339)
		b := kit.ImportBatch{Kind: k.name, File: file, FirstRow: batch[0].Row, LastRow: batch[len(batch)-1].Row}
		for _, it := range batch {
			v := it.Val
			vals, err := k.values(s, ctx, tx, p, &v)
			if err != nil {
				return fmt.Errorf("第 %d 行：%w", it.Row, err)
			}
			id, action, err := k.t.write(ctx, tx, vals, now)
			if err != nil {
				return fmt.Errorf("第 %d 行：%w", it.Row, err)
			}
			switch action {
			case "created":
				res.Created++
				b.Created = append(b.Created, id)
			case "updated":
				res.Updated++
				b.Updated = append(b.Updated, id)
			default:
				res.Unchanged++
				continue
			}
			b.After = append(b.After, map[string]any{"id": id, "row": it.Row, "rec": v})
		}
		b.Unchanged = res.Unchanged
		if len(b.After) == 0 {
			return nil
		}
		if k.t.search != (search.Kind{}) {
			if err := search.Enqueue(ctx, s.db.Dialect(), tx, k.t.search, append(slices.Clone(b.Created), b.Updated...)); err != nil {
				return err
			}
		}
		return kit.AuditImportBatch(ctx, s.db, tx, p.Actor(), b)
	})
	return res, err
}

func (s *Service) ensure(ctx context.Context, tx *sql.Tx, p auth.Principal, code, name string, demo bool) (int64, error) {
	if code == "" || s.ent == nil {
		return 0, nil
	}
	return s.ent.EnsureTx(ctx, tx, p, code, name, demo)
}

var patentKind = kind[Patent]{name: "patents", title: "发明专利 invention patents", columns: PatentColumns, parse: parsePatent, t: patentTable,
	key: func(x Patent) (string, string, string) { return x.Number, "专利号 " + x.Number, ColNumber },
	values: func(s *Service, ctx context.Context, tx *sql.Tx, p auth.Principal, x *Patent) ([]any, error) {
		id, err := s.ensure(ctx, tx, p, x.HolderCode, x.Holder, x.Demo)
		x.EnterpriseID = id
		return []any{x.Number, x.Title, x.Holder, x.HolderCode, store.NullID(id), x.Region, x.Prefecture, x.AppliedOn, x.GrantedOn, x.LapsedOn,
			store.BoolInt(x.Strategic), x.Overseas, x.PledgeFen, x.Award, store.BoolInt(AwardQualifies(x.Award)), store.BoolInt(x.Demo)}, err
	}}

var populationKind = kind[Population]{name: "population", title: "常住人口 resident population by year and prefecture", columns: PopulationColumns, parse: parsePopulation, t: populationTable,
	key: func(x Population) (string, string, string) {
		return fmt.Sprint(x.Year, "\x00", x.Region), fmt.Sprintf("%d 年 %s", x.Year, x.Region), ColRegion
	},
	values: func(_ *Service, _ context.Context, _ *sql.Tx, _ auth.Principal, x *Population) ([]any, error) {
		return []any{x.Year, x.Region, x.Persons, x.Source, store.BoolInt(x.Demo)}, nil
	}}

var certKind = kind[Cert]{name: "ipm_certs", title: "GB/T 29490 企业知识产权管理体系认证 certificates", columns: CertColumns, parse: parseCert, t: certTable,
	key: func(x Cert) (string, string, string) { return x.CertNo, "证书 " + x.CertNo, ColCertNo },
	values: func(s *Service, ctx context.Context, tx *sql.Tx, p auth.Principal, x *Cert) ([]any, error) {
		id, err := s.ensure(ctx, tx, p, x.CreditCode, x.Enterprise, x.Demo)
		x.EnterpriseID = id
		return []any{x.CertNo, x.Body, x.Enterprise, x.CreditCode, store.NullID(id), x.Region, x.Prefecture, x.Scope, x.ValidFrom, x.ValidTo, store.BoolInt(x.Demo)}, err
	}}

var navKind = kind[Navigation]{name: "patent_navigation", title: "专利导航项目 patent navigation projects", columns: NavigationColumns, parse: parseNavigation, t: navTable,
	key: func(x Navigation) (string, string, string) { return x.Name, "项目 " + x.Name, ColProject },
	values: func(_ *Service, _ context.Context, _ *sql.Tx, _ auth.Principal, x *Navigation) ([]any, error) {
		return []any{x.Name, x.Lead, x.Year, x.Status, x.Region, x.Prefecture, store.BoolInt(x.Demo)}, nil
	}}

// ImportPatents imports invention patents (matched on the number).
func (s *Service) ImportPatents(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return patentKind.run(ctx, s, p, src, opt)
}

// ImportPopulation imports the population table (matched on year and region).
func (s *Service) ImportPopulation(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return populationKind.run(ctx, s, p, src, opt)
}

// ImportCerts imports GB/T 29490 certificates (matched on the number).
func (s *Service) ImportCerts(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return certKind.run(ctx, s, p, src, opt)
}

// ImportNavigation imports patent navigation projects (matched on the name).
func (s *Service) ImportNavigation(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	return navKind.run(ctx, s, p, src, opt)
}

// ImportKinds are the four kinds for `sidi import` / `sidi export`.
func ImportKinds(s *Service) []kit.ImportKind[auth.Principal] {
	ks := []kit.ImportKind[auth.Principal]{
		{Name: patentKind.name, Title: patentKind.title, Columns: PatentColumns},
		{Name: populationKind.name, Title: populationKind.title, Columns: PopulationColumns},
		{Name: certKind.name, Title: certKind.title, Columns: CertColumns},
		{Name: navKind.name, Title: navKind.title, Columns: NavigationColumns},
	}
	for i := range ks {
		ks[i].Roles = auth.RoleStrings(Editors...)
	}
	if s != nil {
		ks[0].Import, ks[0].Export = s.ImportPatents, s.ExportPatents
		ks[1].Import, ks[1].Export = s.ImportPopulation, s.ExportPopulation
		ks[2].Import, ks[2].Export = s.ImportCerts, s.ExportCerts
		ks[3].Import, ks[3].Export = s.ImportNavigation, s.ExportNavigation
	}
	return ks
}

func export[T any](ctx context.Context, s *Service, w kit.TableWriter, cols []kit.Column, query string, scan func(scanner) (T, error), row func(T) []string) error {
	return kit.ExportRows(ctx, s.db.Reader(), w, cols, query, scan, row)
}

// ExportPatents writes the patents as an import file.
func (s *Service) ExportPatents(ctx context.Context, _ auth.Principal, w kit.TableWriter) error {
	return export(ctx, s, w, PatentColumns, `SELECT `+patentCols+` FROM patents ORDER BY id`, scanPatent, func(x Patent) []string {
		return []string{x.Number, x.Title, x.Holder, x.HolderCode, x.Region, x.AppliedOn, x.GrantedOn, x.LapsedOn, yesNo(x.Strategic),
			fmt.Sprint(x.Overseas), wan(x.PledgeFen, 1000000), x.Award}
	})
}

// ExportPopulation writes the population table.
func (s *Service) ExportPopulation(ctx context.Context, _ auth.Principal, w kit.TableWriter) error {
	return export(ctx, s, w, PopulationColumns, `SELECT `+populationCols+` FROM population ORDER BY year, region`, scanPopulation, func(x Population) []string {
		return []string{fmt.Sprint(x.Year), x.Region, wan(x.Persons, 10000), x.Source}
	})
}

// ExportCerts writes the certificates.
func (s *Service) ExportCerts(ctx context.Context, _ auth.Principal, w kit.TableWriter) error {
	return export(ctx, s, w, CertColumns, `SELECT `+certCols+` FROM ipm_certs ORDER BY id`, scanCert, func(x Cert) []string {
		return []string{x.CertNo, x.Body, x.Enterprise, x.CreditCode, x.Region, x.Scope, x.ValidFrom, x.ValidTo}
	})
}

// ExportNavigation writes the navigation projects.
func (s *Service) ExportNavigation(ctx context.Context, _ auth.Principal, w kit.TableWriter) error {
	return export(ctx, s, w, NavigationColumns, `SELECT `+navCols+` FROM patent_navigation ORDER BY id`, scanNavigation, func(x Navigation) []string {
		return []string{x.Name, x.Lead, fmt.Sprint(x.Year), StatusLabels[x.Status], x.Region}
	})
}

// wan writes n (in units of 1/per of 万) as a decimal of 万.
func wan(n, per int64) string {
	s := fmt.Sprintf("%d.%0*d", n/per, len(fmt.Sprint(per))-1, n%per)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

type scanner = interface{ Scan(...any) error }

const (
	patentCols     = `id, number, title, holder, holder_code, COALESCE(enterprise_id, 0), region, prefecture, applied_on, granted_on, lapsed_on, strategic, overseas, pledge_fen, award, demo`
	populationCols = `id, year, region, persons, source, demo`
	certCols       = `id, cert_no, body, enterprise, credit_code, COALESCE(enterprise_id, 0), region, prefecture, scope, valid_from, valid_to, demo`
	navCols        = `id, name, lead, year, status, region, prefecture, demo`
)

func scanPatent(sc scanner) (Patent, error) {
	var p Patent
	var strategic, demo int
	err := sc.Scan(&p.ID, &p.Number, &p.Title, &p.Holder, &p.HolderCode, &p.EnterpriseID, &p.Region, &p.Prefecture, &p.AppliedOn, &p.GrantedOn, &p.LapsedOn,
		&strategic, &p.Overseas, &p.PledgeFen, &p.Award, &demo)
	p.Strategic, p.Demo, p.RegionName = strategic != 0, demo != 0, org.RegionName(p.Region)
	return p, err
}

func scanPopulation(sc scanner) (Population, error) {
	var p Population
	var demo int
	err := sc.Scan(&p.ID, &p.Year, &p.Region, &p.Persons, &p.Source, &demo)
	p.Demo, p.Name = demo != 0, org.RegionName(p.Region)
	return p, err
}

func scanCert(sc scanner) (Cert, error) {
	var c Cert
	var demo int
	err := sc.Scan(&c.ID, &c.CertNo, &c.Body, &c.Enterprise, &c.CreditCode, &c.EnterpriseID, &c.Region, &c.Prefecture, &c.Scope, &c.ValidFrom, &c.ValidTo, &demo)
	c.Demo, c.RegionName = demo != 0, org.RegionName(c.Region)
	return c, err
}

func scanNavigation(sc scanner) (Navigation, error) {
	var n Navigation
	var demo int
	err := sc.Scan(&n.ID, &n.Name, &n.Lead, &n.Year, &n.Status, &n.Region, &n.Prefecture, &demo)
	n.Demo, n.RegionName = demo != 0, org.RegionName(n.Region)
	return n, err
}

// PatentByID returns a patent with its categories as of today.
func (s *Service) PatentByID(ctx context.Context, id int64) (Patent, error) {
	p, err := scanPatent(s.db.Reader().QueryRowContext(ctx, `SELECT `+patentCols+` FROM patents WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFound("没有编号为 %d 的专利", id)
	}
	if err != nil {
		return p, fmt.Errorf("patent: %d: %w", id, err)
	}
	p.Categories = p.CategoriesAt(s.Today())
	return p, nil
}
