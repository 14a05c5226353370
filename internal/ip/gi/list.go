package gi

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/org"
	"sidi/internal/search"
	"sidi/internal/store"
)

// Filter selects records of a public catalogue.
type Filter struct {
	Q          string `json:"q,omitempty"`
	Prefecture string `json:"prefecture,omitempty"`
	Kind       string `json:"kind,omitempty"`  // certificates: green | organic | agri_gi
	Valid      bool   `json:"valid,omitempty"` // only what is in force today
	Page       int    `json:"page"`
	PerPage    int    `json:"per_page"`
}

// ProductList is one page of GI products.
type ProductList struct {
	Filter   Filter    `json:"filter"`
	Products []Product `json:"products"`
	Total    int       `json:"total"`
	Pages    int       `json:"pages"`
}

// CertList is one page of certificates.
type CertList struct {
	Filter Filter `json:"filter"`
	Certs  []Cert `json:"certs"`
	Total  int    `json:"total"`
	Pages  int    `json:"pages"`
}

var listPaging = kit.Paging{Default: 50, Max: 200}

type query struct {
	where []string
	args  []any
}

func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// match keeps the records the shared Chinese index finds for text (every
// term in the name, keywords or body); a query without terms falls back to
// like.
func (q *query) match(d store.Dialect, kind search.Kind, text string, cols ...string) {
	sq := search.ParseQuery(text)
	if sq.Empty() {
		q.like(text, cols...)
		return
	}
	sub, args := search.MatchSQL(d, kind, sq, len(q.args)+1)
	q.args = append(q.args, args...)
	q.where = append(q.where, "id IN (SELECT ref_id FROM ("+sub+") m)")
}

func (q *query) like(text string, cols ...string) {
	if text = strings.TrimSpace(text); text == "" {
		return
	}
	p := q.arg("%" + kit.EscapeLike(text) + "%")
	var ors []string
	for _, c := range cols {
		ors = append(ors, c+" LIKE "+p+" ESCAPE '\\'")
	}
	q.where = append(q.where, "("+strings.Join(ors, " OR ")+")")
}

func (q *query) prefecture(code string) error {
	switch {
	case code == "":
	case code == "qh":
		q.where = append(q.where, "prefecture <> ''")
	default:
		if r, ok := org.LookupRegion(code); !ok || r.Prefecture != code {
			return kit.Errors{{Field: "prefecture", Msg: "市州代码无效"}}
		}
		q.where = append(q.where, "prefecture = "+q.arg(code))
	}
	return nil
}

func (q *query) cond() string {
	if len(q.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.where, " AND ")
}

// page counts the matches and reads one page of them.
func page(ctx context.Context, db *store.DB, f *Filter, table, cols, order string, q *query, scan func(*sql.Rows) error) (total, pages int, err error) {
	pg, err := listPaging.Page(f.Page, f.PerPage)
	if err != nil {
		return 0, 0, err
	}
	f.Page, f.PerPage = pg.Number, pg.Size
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+q.cond(), q.args...).Scan(&total); err != nil {
		return 0, 0, fmt.Errorf("gi: %s: %w", table, err)
	}
	err = store.EachRow(ctx, db.Reader(), `SELECT `+cols+` FROM `+table+q.cond()+` ORDER BY `+order+` LIMIT `+strconv.Itoa(pg.Size)+` OFFSET `+strconv.Itoa(pg.Offset()), q.args, scan)
	if err != nil {
		return 0, 0, fmt.Errorf("gi: %s: %w", table, err)
	}
	return total, (total + pg.Size - 1) / pg.Size, nil
}

func (s *Service) today() string { return s.now().In(kit.CST).Format(dayLayout) }

// Products answers one page of the GI product catalogue.
func (s *Service) Products(ctx context.Context, f Filter) (ProductList, error) {
	q := &query{}
	q.match(s.db.Dialect(), KindProductDoc, f.Q, "name", "area")
	if err := q.prefecture(f.Prefecture); err != nil {
		return ProductList{}, err
	}
	if f.Valid {
		d := q.arg(s.today())
		q.where = append(q.where, "approved_on <= "+d+" AND (revoked_on = '' OR revoked_on > "+d+")")
	}
	l := ProductList{Products: []Product{}}
	var err error
	l.Total, l.Pages, err = page(ctx, s.db, &f, "gi_products", productColumns, "approved_on DESC, id DESC", q, func(r *sql.Rows) error {
		x, err := scanProduct(r)
		l.Products = append(l.Products, x)
		return err
	})
	l.Filter = f
	return l, err
}

// Certs answers one page of the certificate catalogue.
func (s *Service) Certs(ctx context.Context, f Filter) (CertList, error) {
	q := &query{}
	q.match(s.db.Dialect(), KindCertDoc, f.Q, "product", "holder", "cert_no")
	if err := q.prefecture(f.Prefecture); err != nil {
		return CertList{}, err
	}
	if f.Kind != "" {
		if CertLabels[f.Kind] == "" {
			return CertList{}, kit.Errors{{Field: "kind", Msg: "证书类型无效"}}
		}
		q.where = append(q.where, "kind = "+q.arg(f.Kind))
	}
	if f.Valid {
		d := q.arg(s.today())
		q.where = append(q.where, "valid_from <= "+d+" AND (valid_to = '' OR valid_to >= "+d+")")
	}
	l := CertList{Certs: []Cert{}}
	var err error
	l.Total, l.Pages, err = page(ctx, s.db, &f, "agri_certs", certColumns, "valid_from DESC, id DESC", q, func(r *sql.Rows) error {
		x, err := scanCert(r)
		l.Certs = append(l.Certs, x)
		return err
	})
	l.Filter = f
	return l, err
}

// EnterpriseSection lists an enterprise's certificates (public).
func (s *Service) EnterpriseSection(ctx context.Context, _ auth.Principal, enterpriseID int64) (enterprise.Section, error) {
	sec := enterprise.Section{Title: "绿色食品、有机产品和农产品地理标志", Public: true, Empty: "没有以该统一社会信用代码登记的证书", More: "/certifications"}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+certColumns+` FROM agri_certs WHERE enterprise_id = $1 ORDER BY valid_from DESC, id DESC LIMIT 50`, []any{enterpriseID}, func(r *sql.Rows) error {
		x, err := scanCert(r)
		if err != nil {
			return err
		}
		to := x.ValidTo
		if to == "" {
			to = "长期"
		}
		sec.Items = append(sec.Items, enterprise.SectionItem{Label: x.Product, Href: fmt.Sprintf("/certifications/%d", x.ID), Detail: x.KindLabel,
			Fields: []enterprise.Field{{Label: "证书编号", Value: x.CertNo}, {Label: "有效期", Value: x.ValidFrom + " 至 " + to}}})
		return nil
	})
	if err != nil {
		return sec, fmt.Errorf("gi: enterprise section: %w", err)
	}
	return sec, nil
}
