package trademark

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

// Filter selects marks of the public catalogue.
type Filter struct {
	Q          string `json:"q,omitempty"`          // part of the name, the owner or the registration number
	Prefecture string `json:"prefecture,omitempty"` // a Qinghai prefecture code, "qh" for all of Qinghai
	Class      int    `json:"class,omitempty"`      // a Nice class 1–45
	Status     string `json:"status,omitempty"`
	GI         bool   `json:"gi,omitempty"`
	Madrid     bool   `json:"madrid,omitempty"`
	Page       int    `json:"page"`
	PerPage    int    `json:"per_page"`
}

// List is one page of the catalogue.
type List struct {
	Filter Filter `json:"filter"`
	Marks  []Mark `json:"marks"`
	Total  int    `json:"total"`
	Pages  int    `json:"pages"`
}

var listPaging = kit.Paging{Default: 50, Max: 200}

// Search answers one page of the public catalogue, newest registration
// first.
func (s *Service) Search(ctx context.Context, f Filter) (List, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		if validRegNo(strings.ToUpper(compact(q))) {
			where = append(where, "reg_no = "+arg(strings.ToUpper(compact(q))))
		} else {
			where = append(where, s.textMatch(q, &args))
		}
	}
	switch {
	case f.Prefecture == "qh":
		where = append(where, "prefecture <> ''")
	case f.Prefecture != "":
		if r, ok := org.LookupRegion(f.Prefecture); !ok || r.Prefecture != f.Prefecture {
			return List{}, kit.Errors{{Field: "prefecture", Msg: "市州代码无效"}}
		}
		where = append(where, "prefecture = "+arg(f.Prefecture))
	}
	if f.Class != 0 {
		if f.Class < 1 || f.Class > 45 {
			return List{}, kit.Errors{{Field: "class", Msg: "国际分类应为 1–45"}}
		}
		where = append(where, fmt.Sprintf("(class_mask & %d) <> 0", int64(1)<<f.Class))
	}
	if f.Status != "" {
		if StatusLabels[f.Status] == "" {
			return List{}, kit.Errors{{Field: "status", Msg: "状态无效"}}
		}
		where = append(where, "status = "+arg(f.Status))
	}
	if f.GI {
		where = append(where, "gi = 1")
	}
	if f.Madrid {
		where = append(where, "madrid_no <> ''")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	pg, err := listPaging.Page(f.Page, f.PerPage)
	if err != nil {
		return List{}, err
	}
	f.Page, f.PerPage = pg.Number, pg.Size
	l := List{Filter: f, Marks: []Mark{}}
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM trademarks`+cond, args...).Scan(&l.Total); err != nil {
		return List{}, fmt.Errorf("trademark: search: %w", err)
	}
	l.Pages = (l.Total + f.PerPage - 1) / f.PerPage
	err = store.EachRow(ctx, s.db.Reader(), `SELECT `+markColumns+` FROM trademarks`+cond+` ORDER BY registered_on DESC, id DESC LIMIT `+
		strconv.Itoa(f.PerPage)+` OFFSET `+strconv.Itoa(pg.Offset()), args, func(r *sql.Rows) error {
		m, err := scanMark(r)
		l.Marks = append(l.Marks, m)
		return err
	})
	if err != nil {
		return List{}, fmt.Errorf("trademark: search: %w", err)
	}
	return l, nil
}

// EnterpriseSection is the register's part of an enterprise's page
// (public): the marks it holds.
func (s *Service) EnterpriseSection(ctx context.Context, _ auth.Principal, enterpriseID int64) (enterprise.Section, error) {
	sec := enterprise.Section{Title: "注册商标", Public: true, Empty: "没有以该统一社会信用代码登记的注册商标", More: "/trademarks"}
	err := store.EachRow(ctx, s.db.Reader(), `SELECT `+markColumns+` FROM trademarks WHERE enterprise_id = $1 ORDER BY registered_on DESC, id DESC LIMIT 50`, []any{enterpriseID}, func(r *sql.Rows) error {
		m, err := scanMark(r)
		if err != nil {
			return err
		}
		sec.Items = append(sec.Items, enterprise.SectionItem{Label: m.Name, Href: "/trademarks/" + m.RegNo, Detail: "第 " + ClassText(m.Classes) + " 类",
			Fields: []enterprise.Field{{Label: "注册号", Value: m.RegNo}, {Label: "注册日期", Value: m.RegisteredOn}, {Label: "专用权期限至", Value: m.TermEnd}, {Label: "状态", Value: m.StatusLabel}}})
		return nil
	})
	if err != nil {
		return sec, fmt.Errorf("trademark: enterprise section: %w", err)
	}
	return sec, nil
}

// textMatch is the condition of a text query: the marks the shared Chinese
// index finds (every term in the name, the owner, the numbers or the
// classes), and among the marks still waiting for the index
// (search_pending) those whose name or owner contains the text. A query
// without terms (punctuation only) compares the text alone.
func (s *Service) textMatch(q string, args *[]any) string {
	arg := func(v any) string {
		*args = append(*args, v)
		return "$" + strconv.Itoa(len(*args))
	}
	p := arg("%" + kit.EscapeLike(q) + "%")
	like := "(name LIKE " + p + " ESCAPE '\\' OR owner LIKE " + p + " ESCAPE '\\')"
	sq := search.ParseQuery(q)
	if sq.Empty() {
		return like
	}
	return search.WaitingMatchSQL(s.db.Dialect(), SearchKind, sq, "id", like, args)
}
