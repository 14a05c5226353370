package nqi

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/store"
)

// Certificate kinds.
const (
	KindOrganic       = "organic"        // 有机产品认证
	KindVoluntary     = "voluntary"      // other voluntary certification (systems, services, products)
	KindGreenBuilding = "green_building" // 绿色建材产品认证
)

// KindLabels name the certificate kinds; Kinds lists them in display order.
var (
	KindLabels = map[string]string{KindOrganic: "有机产品认证", KindVoluntary: "其他自愿性认证", KindGreenBuilding: "绿色建材产品认证"}
	Kinds      = []string{KindOrganic, KindVoluntary, KindGreenBuilding}
)

var kindByLabel = map[string]string{
	"有机产品认证": KindOrganic, "有机产品": KindOrganic, "有机": KindOrganic,
	"自愿性认证": KindVoluntary, "其他自愿性认证": KindVoluntary, "管理体系认证": KindVoluntary, "服务认证": KindVoluntary, "自愿性产品认证": KindVoluntary,
	"绿色建材产品认证": KindGreenBuilding, "绿色建材认证": KindGreenBuilding, "绿色建材": KindGreenBuilding,
}

// MaxValidMonths is the longest term a certificate of a kind may have
// [verify; data]: organic certificates one year (有机产品认证实施规则),
// green building materials five years (绿色建材产品分级认证实施通则), other
// voluntary certificates five years (product) — management systems three.
var MaxValidMonths = map[string]int{KindOrganic: 12, KindGreenBuilding: 60, KindVoluntary: 60}

// Grades of green building materials certificates.
var Grades = []string{"一星级", "二星级", "三星级"}

// Certificate statuses; any but valid needs the date it took effect.
const (
	CertValid     = "valid"
	CertSuspended = "suspended"
	CertRevoked   = "revoked"
	CertWithdrawn = "withdrawn"
)

// CertStatusLabels name the statuses.
var CertStatusLabels = map[string]string{CertValid: "有效", CertSuspended: "暂停", CertRevoked: "撤销", CertWithdrawn: "注销"}

var certStatusByLabel = map[string]string{"": CertValid, "有效": CertValid, "暂停": CertSuspended, "撤销": CertRevoked, "注销": CertWithdrawn}

// OrganicNumber is the certificate number of the organic rule
// (有机产品认证证书编号规则): the body's code (three digits, F and two
// digits before the 2022 rule; four digits since, 9xxx foreign, 8xxx
// equivalence bodies), "OP", the year's last two digits, a five-digit
// serial, and "-n" for a sub-certificate.
var OrganicNumber = regexp.MustCompile(`^(\d{3}|F\d{2}|\d{4})OP\d{2}\d{5}(-\d{1,3})?$`)

// Cert is a certificate.
type Cert struct {
	ID          int64  `json:"id"`
	CertNo      string `json:"cert_no"`
	Kind        string `json:"kind"`
	KindLabel   string `json:"kind_label"`
	Scheme      string `json:"scheme"`
	Body        string `json:"body"`
	Holder      string `json:"holder"`
	HolderCode  string `json:"holder_code"`
	Region      string `json:"region"`
	RegionName  string `json:"region_name"`
	Prefecture  string `json:"prefecture"`
	Scope       string `json:"scope"`
	Grade       string `json:"grade"`
	ValidFrom   string `json:"valid_from"`
	ValidTo     string `json:"valid_to"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
	StatusOn    string `json:"status_on"`
	Demo        bool   `json:"demo"`
	enterprise  any
}

// Column names of the certificate file.
const (
	ColCertNo     = "证书编号"
	ColCertKind   = "认证类型"
	ColScheme     = "认证项目"
	ColBody       = "认证机构"
	ColHolder     = "获证组织"
	ColScope      = "认证范围"
	ColGrade      = "等级"
	ColValidFrom  = "有效期起"
	ColValidTo    = "有效期至"
	ColCertStatus = "证书状态"
	ColStatusOn   = "状态变更日期"
)

// CertColumns are the certificate file's columns (the CNCA public query's
// fields: 证书编号, 认证机构, 获证组织, 认证项目, 颁证日期, 证书到期日期, 证书状态).
var CertColumns = []kit.Column{
	{Name: ColCertNo, Required: true}, {Name: ColCertKind, Aliases: []string{"证书类型"}, Required: true},
	{Name: ColScheme, Aliases: []string{"认证依据", "认证规则"}, Required: true}, {Name: ColBody, Aliases: []string{"认证机构名称", "发证机构"}, Required: true},
	{Name: ColHolder, Aliases: []string{"获证组织名称", "获证单位", "获证企业"}, Required: true}, {Name: ColCreditCode, Aliases: []string{"组织机构代码"}},
	{Name: ColRegion, Aliases: []string{"区划代码"}}, {Name: ColScope, Aliases: []string{"认证产品", "覆盖范围"}},
	{Name: ColGrade, Aliases: []string{"星级"}}, {Name: ColValidFrom, Aliases: []string{"颁证日期", "发证日期"}, Required: true},
	{Name: ColValidTo, Aliases: []string{"证书到期日期", "到期日期"}, Required: true}, {Name: ColCertStatus}, {Name: ColStatusOn},
}

func parseCert(r kit.Row) (Cert, kit.Errors) {
	errs := r.Errs
	x := Cert{CertNo: kit.Cell(r, &errs, ColCertNo, 64, true), Scheme: kit.Cell(r, &errs, ColScheme, 100, true), Body: kit.Cell(r, &errs, ColBody, 100, true),
		Holder: kit.Cell(r, &errs, ColHolder, 100, true), Scope: kit.Cell(r, &errs, ColScope, 500, false), Grade: kit.Cell(r, &errs, ColGrade, 10, false)}
	kind := strings.TrimSpace(r.Get(ColCertKind))
	if x.Kind = kindByLabel[kind]; x.Kind == "" {
		errs.AddCell(r.N, ColCertKind, "认证类型“%s”无效，应为有机产品认证、自愿性认证或绿色建材产品认证", kit.Clip(kind))
	}
	x.HolderCode, x.Region, x.Prefecture = holder(r, &errs, ColCreditCode, ColRegion, false)
	x.ValidFrom = dateCell(r, &errs, ColValidFrom, true)
	x.ValidTo = dateCell(r, &errs, ColValidTo, true)
	if x.ValidFrom != "" && x.ValidTo != "" {
		if x.ValidTo < x.ValidFrom {
			errs.AddCell(r.N, ColValidTo, "有效期至 %s 早于有效期起 %s", x.ValidTo, x.ValidFrom)
		} else if m := MaxValidMonths[x.Kind]; m > 0 && x.ValidTo > addMonths(x.ValidFrom, m) {
			errs.AddCell(r.N, ColValidTo, "%s证书有效期不超过 %d 个月（最迟 %s）", KindLabels[x.Kind], m, addMonths(x.ValidFrom, m))
		}
	}
	if x.Kind == KindOrganic && x.CertNo != "" && !OrganicNumber.MatchString(x.CertNo) {
		errs.AddCell(r.N, ColCertNo, "有机产品认证证书编号“%s”不符合编号规则（认证机构代码 + OP + 年份两位 + 五位流水号，如 1234OP2300001）", kit.Clip(x.CertNo))
	}
	switch {
	case x.Kind == KindGreenBuilding && !slices.Contains(Grades, x.Grade):
		errs.AddCell(r.N, ColGrade, "绿色建材产品认证须填写等级：一星级、二星级或三星级")
	case x.Kind != KindGreenBuilding && x.Kind != "" && x.Grade != "":
		errs.AddCell(r.N, ColGrade, "只有绿色建材产品认证填写等级")
	}
	st := strings.TrimSpace(r.Get(ColCertStatus))
	var ok bool
	if x.Status, ok = certStatusByLabel[st]; !ok {
		errs.AddCell(r.N, ColCertStatus, "证书状态须为有效、暂停、撤销或注销")
	}
	x.StatusOn = dateCell(r, &errs, ColStatusOn, false)
	switch {
	case x.Status == CertValid && x.StatusOn != "":
		errs.AddCell(r.N, ColStatusOn, "有效的证书不填写状态变更日期")
	case x.Status != CertValid && x.Status != "" && x.StatusOn == "" && strings.TrimSpace(r.Get(ColStatusOn)) == "":
		errs.AddCell(r.N, ColStatusOn, "证书%s须填写状态变更日期", CertStatusLabels[x.Status])
	case x.StatusOn != "" && x.ValidFrom != "" && x.StatusOn < x.ValidFrom:
		errs.AddCell(r.N, ColStatusOn, "状态变更日期 %s 早于有效期起 %s", x.StatusOn, x.ValidFrom)
	}
	x.Demo = strings.Contains(x.Holder, DemoLabel)
	return x, errs
}

var certTable = kit.KeyedTable[Cert]{Kind: "certificates", Table: "certificates", KeyCol: ColCertNo, KeyLabel: "证书编号",
	Cols: []string{"cert_no", "kind", "scheme", "body", "holder", "holder_code", "enterprise_id", "region", "prefecture", "scope", "grade",
		"valid_from", "valid_to", "status", "status_on", "demo"},
	Columns: CertColumns,
	Values: func(x Cert) []any {
		return []any{x.CertNo, x.Kind, x.Scheme, x.Body, x.Holder, x.HolderCode, x.enterprise, x.Region, x.Prefecture, x.Scope, x.Grade,
			x.ValidFrom, x.ValidTo, x.Status, x.StatusOn, store.BoolInt(x.Demo)}
	}}

// ImportCerts imports a certificate extract (matched on the number). A
// file with any invalid row — a valid-to before the valid-from, say — is
// refused whole with each row, column and reason.
func (s *Service) ImportCerts(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	t := certTable
	t.Link = func(ctx context.Context, tx *sql.Tx, x *Cert) (err error) {
		x.enterprise, err = s.ent.LinkTx(ctx, tx, p, x.HolderCode, x.Holder, x.Demo)
		return err
	}
	return t.Run(ctx, s.db, p.Actor(), p.Require(Editors...), s.stamp(), src, opt, parseCert)
}

const certCols = `id, cert_no, kind, scheme, body, holder, holder_code, region, prefecture, scope, grade, valid_from, valid_to, status, status_on, demo`

func scanCert(r interface{ Scan(...any) error }) (Cert, error) {
	var x Cert
	var demo int
	err := r.Scan(&x.ID, &x.CertNo, &x.Kind, &x.Scheme, &x.Body, &x.Holder, &x.HolderCode, &x.Region, &x.Prefecture, &x.Scope, &x.Grade,
		&x.ValidFrom, &x.ValidTo, &x.Status, &x.StatusOn, &demo)
	x.Demo, x.RegionName, x.KindLabel, x.StatusLabel = demo == 1, org.RegionName(x.Region), KindLabels[x.Kind], CertStatusLabels[x.Status]
	return x, err
}

// CertFilter selects certificates.
type CertFilter struct {
	Q          string `json:"q,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Prefecture string `json:"prefecture,omitempty"`
	Valid      bool   `json:"valid,omitempty"` // only those valid today
	Page       int    `json:"page"`
	PerPage    int    `json:"per_page"`
}

// CertList is one page of certificates.
type CertList struct {
	Filter CertFilter `json:"filter"`
	Certs  []Cert     `json:"certs"`
	Total  int        `json:"total"`
	Pages  int        `json:"pages"`
}

// validAt is the condition of a certificate valid on the day bound to ph.
func validAt(ph string) string {
	return "valid_from <= " + ph + " AND valid_to >= " + ph + " AND (status = 'valid' OR status_on > " + ph + ")"
}

// Certs answers one page of the public certificate list.
func (s *Service) Certs(ctx context.Context, f CertFilter) (CertList, error) {
	if err := checkPrefecture(f.Prefecture); err != nil {
		return CertList{}, err
	}
	var w kit.Where
	w.Contains(f.Q, "cert_no", "holder", "scheme", "body")
	if f.Kind != "" {
		if KindLabels[f.Kind] == "" {
			return CertList{}, kit.Errors{{Field: "kind", Msg: "认证类型无效"}}
		}
		w.Add("kind = ?", f.Kind)
	}
	if f.Prefecture != "" {
		w.Add("prefecture = ?", f.Prefecture)
	}
	if f.Valid {
		w.Raw(validAt(w.Args.Add(s.today())))
	}
	l := CertList{Certs: []Cert{}}
	var err error
	l.Total, l.Pages, err = s.page(ctx, &f.Page, &f.PerPage, "certificates", certCols, "valid_from DESC, id DESC", &w, func(r *sql.Rows) error {
		x, err := scanCert(r)
		l.Certs = append(l.Certs, x)
		return err
	})
	l.Filter = f
	return l, err
}

// ExportCerts writes every certificate as an import file.
func (s *Service) ExportCerts(ctx context.Context, _ auth.Principal, w kit.TableWriter) error {
	return kit.ExportRows(ctx, s.db.Reader(), w, CertColumns, `SELECT `+certCols+` FROM certificates ORDER BY cert_no`, scanCert, func(x Cert) []string {
		return []string{x.CertNo, KindLabels[x.Kind], x.Scheme, x.Body, x.Holder, x.HolderCode, x.Region, x.Scope, x.Grade, x.ValidFrom, x.ValidTo, CertStatusLabels[x.Status], x.StatusOn}
	})
}

// holderKey is one organisation: its credit code, else its name.
const holderKey = `CASE WHEN holder_code <> '' THEN holder_code ELSE 'n:' || holder END`

// Holders is the number of distinct Qinghai organisations holding a
// certificate of kind ("" for every kind) valid on day, in prefecture
// ("" for the whole province).
func Holders(ctx context.Context, q store.Querier, kind, day, prefecture string) (int, error) {
	var w kit.Where
	w.Raw(validAt(w.Args.Add(day)))
	w.Raw("prefecture <> ''")
	if kind != "" {
		w.Add("kind = ?", kind)
	}
	if prefecture != "" {
		w.Add("prefecture = ?", prefecture)
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT `+holderKey+`) FROM certificates`+w.SQL(), w.Values()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("nqi: holders of %s on %s: %w", kind, day, err)
	}
	return n, nil
}

// YearStat is one year's line of the public statistics: organisations
// holding a valid certificate at the end of the year (or today for the
// current year).
type YearStat struct {
	Year          int    `json:"year"`
	Day           string `json:"day"`
	Organic       int    `json:"organic"`        // organisations with a valid organic certificate
	Voluntary     int    `json:"voluntary"`      // organisations with any valid certificate
	GreenBuilding int    `json:"green_building"` // organisations with a valid green building materials certificate
}

// PrefectureStat is one prefecture's line at a day.
type PrefectureStat struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	Organic       int    `json:"organic"`
	Voluntary     int    `json:"voluntary"`
	GreenBuilding int    `json:"green_building"`
}

// CertStats are the public statistics: by year from the earliest
// certificate's year (at most the last ten) to this year, and by
// prefecture today.
type CertStats struct {
	Day         string           `json:"day"`
	Years       []YearStat       `json:"years"`
	Prefectures []PrefectureStat `json:"prefectures"`
}

// holderSets are the organisations counted on one day: organic, any
// certificate, green building materials.
type holderSets [3]map[string]bool

func (h *holderSets) add(kind, key string) {
	for i := range h {
		if h[i] == nil {
			h[i] = map[string]bool{}
		}
	}
	h[1][key] = true
	switch kind {
	case KindOrganic:
		h[0][key] = true
	case KindGreenBuilding:
		h[2][key] = true
	}
}

func (h holderSets) counts() [3]int { return [3]int{len(h[0]), len(h[1]), len(h[2])} }

// Stats computes the public statistics in one pass over the Qinghai
// certificates: each certificate is tested against every year's day (and
// today by prefecture), with the same rule as validAt.
func (s *Service) Stats(ctx context.Context) (CertStats, error) {
	today := s.today()
	st := CertStats{Day: today, Years: []YearStat{}}
	q := s.db.Reader()
	var first string
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MIN(valid_from), '') FROM certificates WHERE prefecture <> ''`).Scan(&first); err != nil {
		return st, fmt.Errorf("nqi: stats: %w", err)
	}
	thisYear, _ := strconv.Atoi(today[:4])
	var days []string
	if first != "" {
		from, _ := strconv.Atoi(first[:4])
		for y := max(from, thisYear-9); y <= thisYear; y++ {
			day := fmt.Sprintf("%d-12-31", y)
			if y == thisYear {
				day = today
			}
			days = append(days, day)
		}
	}
	years := make([]holderSets, len(days))
	prefs := map[string]*holderSets{}
	err := store.EachRow(ctx, q, `SELECT kind, `+holderKey+`, prefecture, valid_from, valid_to, status, status_on FROM certificates WHERE prefecture <> ''`, nil, func(r *sql.Rows) error {
		var kind, key, pref, from, to, status, on string
		if err := r.Scan(&kind, &key, &pref, &from, &to, &status, &on); err != nil {
			return err
		}
		valid := func(d string) bool { return from <= d && to >= d && (status == CertValid || on > d) }
		for i, d := range days {
			if valid(d) {
				years[i].add(kind, key)
			}
		}
		if valid(today) {
			if prefs[pref] == nil {
				prefs[pref] = &holderSets{}
			}
			prefs[pref].add(kind, key)
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("nqi: stats: %w", err)
	}
	for i, d := range days {
		c := years[i].counts()
		y, _ := strconv.Atoi(d[:4])
		st.Years = append(st.Years, YearStat{Year: y, Day: d, Organic: c[0], Voluntary: c[1], GreenBuilding: c[2]})
	}
	for _, p := range orgPrefectures() {
		var c [3]int
		if h := prefs[p[0]]; h != nil {
			c = h.counts()
		}
		st.Prefectures = append(st.Prefectures, PrefectureStat{Code: p[0], Name: p[1], Organic: c[0], Voluntary: c[1], GreenBuilding: c[2]})
	}
	return st, nil
}
