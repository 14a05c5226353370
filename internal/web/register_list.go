package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
)

// registerList declares a register's public list once: its filters read
// from the query, its search, the page template and what else the page
// shows, and the columns of its Excel/CSV export. From it come the list
// page (with paging links and the export bar), the export of every
// matching row and the JSON list of the API. F is the register's filter,
// L the list its search returns, T one row.
type registerList[F, L, T any] struct {
	Path     string // "/bases"
	API      string // "/api/v1/bases"
	Template string // "bases"
	Title    string // page title and export name: "标准化生产基地"
	Section  string // menu section
	ASCII    string // export file name without extension: "bases"

	// Filter reads the filters and the requested page from the query.
	Filter func(r *http.Request) F
	// Search answers one page; Page sets the page and its size on a filter
	// (a size of 0 is the register's default).
	Search func(ctx context.Context, f F) (L, error)
	Page   func(f *F, page, perPage int)
	// Rows, Total, Pages and Current read a list: its rows, how many match,
	// how many pages there are and which one it is.
	Rows    func(L) []T
	Total   func(L) int
	Pages   func(L) int
	Current func(L) int
	// Data is what the page shows besides the list ("L"), the paging
	// links ("Pages"), the API address ("API") and the export ("Export").
	Data func(r *http.Request, rc *reqCtx) map[string]any
	// Header and Row are the export's columns.
	Header []string
	Row    func(T) []any
}

// exportPageSize is the most rows a register's search returns at once.
const exportPageSize = 200

// page answers the list page, or the export when ?format= asks for one.
func (d registerList[F, L, T]) page(s *Server) func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		format, err := exportFormat(r)
		if err != nil {
			return err
		}
		if format != "" {
			return d.export(s, w, r, format)
		}
		l, err := d.Search(r.Context(), d.Filter(r))
		if err != nil {
			return err
		}
		var pages []stdLink
		for i := 1; i <= d.Pages(l) && d.Pages(l) > 1; i++ {
			pages = append(pages, stdLink{Label: strconv.Itoa(i), Href: listURL(r, d.Path, "page", strconv.Itoa(i)), Current: i == d.Current(l)})
		}
		data := map[string]any{
			"L": l, "Pages": pages, "Export": exportURLs(r),
			"API": d.API + strings.TrimPrefix(listURL(r, "/", "page", r.URL.Query().Get("page")), "/"),
		}
		if d.Data != nil {
			for k, v := range d.Data(r, rc) {
				data[k] = v
			}
		}
		return s.render(w, r, rc, http.StatusOK, d.Template, d.Title, d.Section, data)
	}
}

// export downloads every row matching the page's filters, a page of the
// register at a time, up to exportMaxRows.
func (d registerList[F, L, T]) export(s *Server, w http.ResponseWriter, r *http.Request, format string) error {
	f := d.Filter(r)
	t := exportTable{Name: d.Title, ASCII: d.ASCII, Header: d.Header}
	n := 0
	for page := 1; ; page++ {
		d.Page(&f, page, exportPageSize)
		l, err := d.Search(r.Context(), f)
		if err != nil {
			return err
		}
		rows := d.Rows(l)
		t.Total = d.Total(l)
		for _, x := range rows {
			t.Rows = append(t.Rows, d.Row(x))
		}
		n += len(rows)
		if page >= d.Pages(l) || len(rows) == 0 || n >= exportMaxRows {
			break
		}
	}
	return s.writeExport(w, format, t)
}

// api answers the JSON list (?per_page= sets the page size).
func (d registerList[F, L, T]) api(_ *Server) func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		f := d.Filter(r)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		d.Page(&f, page, perPage)
		l, err := d.Search(r.Context(), f)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, l)
	}
}
