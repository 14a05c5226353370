package patent

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/search"
	"sidi/internal/store"
)

// Filter selects patents for the public list.
type Filter struct {
	Prefecture string // six-digit prefecture code or ""
	Category   string // a category key or "" (as of Day)
	HighValue  bool   // only valid high-value patents on Day
	Q          string // words in the number, title or holder
	Day        string // "" for today
	Page       int    // from 1
	PerPage    int    // 0: DefaultPerPage
}

// DefaultPerPage is the list's page size.
const DefaultPerPage = 50

// PatentList is one page of patents.
type PatentList struct {
	Filter  Filter   `json:"filter"`
	Patents []Patent `json:"patents"`
	Total   int      `json:"total"`
	Pages   int      `json:"pages"`
}

// CertList is one page of GB/T 29490 certificates.
type CertList struct {
	Filter Filter `json:"filter"`
	Certs  []Cert `json:"certs"`
	Total  int    `json:"total"`
	Pages  int    `json:"pages"`
}

// paginate cuts the page f asks for out of xs.
func paginate[T any](f *Filter, xs []T) ([]T, int) {
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = DefaultPerPage
	}
	pages := (len(xs) + f.PerPage - 1) / f.PerPage
	f.Page = max(1, min(f.Page, pages))
	from := min((f.Page-1)*f.PerPage, len(xs))
	return xs[from:min(from+f.PerPage, len(xs))], pages
}

// SearchCerts answers one page of the certificates.
func (s *Service) SearchCerts(ctx context.Context, f Filter) (CertList, error) {
	all, err := s.Certs(ctx)
	if err != nil {
		return CertList{}, err
	}
	if f.Day == "" {
		f.Day = s.Today()
	}
	page, pages := paginate(&f, all)
	return CertList{Filter: f, Certs: page, Total: len(all), Pages: pages}, nil
}

// MaxList is the most records a list returns.
const MaxList = 500

// categorySQL is each category's condition; $1 is the day, $2 the
// filing date before which a patent has been maintained over ten years,
// $3 the pledge threshold (highValueArgs).
var categorySQL = map[string]string{
	CatStrategic: "strategic = 1", CatOverseas: "overseas > 0", CatMaintained: "applied_on < $2",
	CatPledge: "pledge_fen >= $3", CatAward: "award_ok = 1",
}

const validSQL = "granted_on <= $1 AND (lapsed_on = '' OR lapsed_on > $1)"

// where is the filter's condition and arguments ($1–$5, and those of the
// text query after them): a text query matches with the shared Chinese
// index (title, holder, number, award), the patents still waiting for it
// by their text.
func (f Filter) where(d store.Dialect) (string, []any) {
	like := ""
	if q := strings.TrimSpace(f.Q); q != "" {
		like = "%" + strings.NewReplacer("%", "", "_", "").Replace(q) + "%"
	}
	args := append(highValueArgs(f.Day, f.Prefecture)[:4:4], like)
	text := "(number LIKE $5 OR title LIKE $5 OR holder LIKE $5)"
	if sq := search.ParseQuery(f.Q); like != "" && !sq.Empty() {
		text = search.WaitingMatchSQL(d, SearchKind, sq, "id", text, &args)
	}
	cond := ` WHERE ($4 = '' OR prefecture = $4) AND ($5 = '' OR ` + text + `)`
	switch {
	case categorySQL[f.Category] != "":
		cond += " AND " + validSQL + " AND " + categorySQL[f.Category]
	case f.HighValue:
		cond += " AND " + validSQL + " AND (strategic = 1 OR overseas > 0 OR applied_on < $2 OR pledge_fen >= $3 OR award_ok = 1)"
	}
	// Every placeholder appears in the text so both engines type it.
	cond += " AND $1 <> '' AND $2 <> '-' AND $3 >= 0"
	return cond, args
}

// Patents lists (at most MaxList) patents newest grant first, with their
// categories on the filter's day.
func (s *Service) Patents(ctx context.Context, f Filter) ([]Patent, error) {
	f.PerPage, f.Page = MaxList, 1
	l, err := s.Search(ctx, f)
	return l.Patents, err
}

// Search answers one page of the patents f selects: the filters in SQL
// (the categories as of f.Day), the categories of the page's rows in Go.
func (s *Service) Search(ctx context.Context, f Filter) (PatentList, error) {
	if f.Day == "" {
		f.Day = s.Today()
	}
	if f.PerPage <= 0 || f.PerPage > MaxList {
		f.PerPage = DefaultPerPage
	}
	cond, args := f.where(s.db.Dialect())
	var total int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM patents`+cond, args...).Scan(&total); err != nil {
		return PatentList{}, fmt.Errorf("patent: count: %w", err)
	}
	pages := (total + f.PerPage - 1) / f.PerPage
	f.Page = max(1, min(f.Page, pages))
	l := PatentList{Filter: f, Total: total, Pages: pages}
	q := `SELECT ` + patentCols + ` FROM patents` + cond + fmt.Sprintf(` ORDER BY granted_on DESC, id DESC LIMIT %d OFFSET %d`, f.PerPage, (f.Page-1)*f.PerPage)
	err := store.EachRow(ctx, s.db.Reader(), q, args, func(r *sql.Rows) error {
		x, err := scanPatent(r)
		x.Categories = x.CategoriesAt(f.Day)
		l.Patents = append(l.Patents, x)
		return err
	})
	if err != nil {
		return PatentList{}, fmt.Errorf("patent: list: %w", err)
	}
	return l, nil
}

// Certs lists the GB/T 29490 certificates, latest first.
func (s *Service) Certs(ctx context.Context) ([]Cert, error) {
	return listAll(ctx, s, `SELECT `+certCols+` FROM ipm_certs ORDER BY valid_from DESC, id DESC`, scanCert)
}

// NavigationProjects lists the navigation projects, latest year first.
func (s *Service) NavigationProjects(ctx context.Context) ([]Navigation, error) {
	return listAll(ctx, s, `SELECT `+navCols+` FROM patent_navigation ORDER BY year DESC, id DESC`, scanNavigation)
}

// PopulationTable lists the population figures.
func (s *Service) PopulationTable(ctx context.Context) ([]Population, error) {
	return listAll(ctx, s, `SELECT `+populationCols+` FROM population ORDER BY year DESC, region`, scanPopulation)
}

func listAll[T any](ctx context.Context, s *Service, q string, scan func(scanner) (T, error)) ([]T, error) {
	var out []T
	err := store.EachRow(ctx, s.db.Reader(), q+fmt.Sprintf(" LIMIT %d", MaxList), nil, func(r *sql.Rows) error {
		x, err := scan(r)
		out = append(out, x)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("patent: list: %w", err)
	}
	return out, nil
}

// EnterpriseSection lists an enterprise's invention patents and its
// GB/T 29490 certificates on its directory page.
func (s *Service) EnterpriseSection(ctx context.Context, _ auth.Principal, enterpriseID int64) (enterprise.Section, error) {
	sec := enterprise.Section{Title: "发明专利和知识产权管理体系认证", Public: true, Empty: "没有以该统一社会信用代码登记的发明专利或 GB/T 29490 认证", More: "/patents"}
	day := s.Today()
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+patentCols+` FROM patents WHERE enterprise_id = $1 ORDER BY granted_on DESC, id DESC LIMIT 50`, []any{enterpriseID}, func(r *sql.Rows) error {
		x, err := scanPatent(r)
		if err != nil {
			return err
		}
		state := "有效"
		if !x.ValidAt(day) {
			state = "失效"
		}
		var cats []string
		for _, c := range x.CategoriesAt(day) {
			cats = append(cats, CategoryLabels[c])
		}
		sec.Items = append(sec.Items, enterprise.SectionItem{Label: x.Title, Href: fmt.Sprintf("/patents/%d", x.ID), Detail: "发明专利 · " + state,
			Fields: []enterprise.Field{{Label: "专利号", Value: "ZL" + x.Number}, {Label: "高价值情形", Value: orNone(strings.Join(cats, "、"))}}})
		return nil
	})
	if err == nil {
		err = store.EachRow(ctx, s.db.Reader(), `SELECT `+certCols+` FROM ipm_certs WHERE enterprise_id = $1 ORDER BY valid_from DESC, id DESC LIMIT 20`, []any{enterpriseID}, func(r *sql.Rows) error {
			x, err := scanCert(r)
			if err != nil {
				return err
			}
			sec.Items = append(sec.Items, enterprise.SectionItem{Label: "GB/T 29490 认证 " + x.CertNo, Href: "/ipm-certs", Detail: x.Body,
				Fields: []enterprise.Field{{Label: "有效期", Value: x.ValidFrom + " 至 " + x.ValidTo}}})
			return nil
		})
	}
	if err != nil {
		return sec, fmt.Errorf("patent: enterprise section: %w", err)
	}
	return sec, nil
}

func orNone(s string) string {
	if s == "" {
		return "无"
	}
	return s
}
