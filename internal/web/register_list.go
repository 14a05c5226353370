package web

import (
	"cmp"
	"context"
	"maps"
	"net/http"
	"strconv"
	"strings"
)

// registerList declares a register's list once: its filters read from the
// query, its search, the page template and what else the page shows, and
// the columns of its Excel/CSV export. From it come the list page (with
// paging links and the export bar), the export of every matching row and
// the JSON list of the API. F is the register's filter, L the list its
// search returns, T one row. A register whose search answers every
// matching row at once (a short list: award winners, pilots) leaves Page
// nil: the page has no paging links and the export reads the list once.
type registerList[F, L, T any] struct {
	Path     string // "/bases"
	API      string // "/api/v1/bases" (empty: the page names no API)
	Template string // "bases"
	Title    string // page title and export name: "标准化生产基地"
	Section  string // menu section
	ASCII    string // export file name without extension: "bases"
	// Export names the export (file and worksheet) when it is not Title.
	Export string

	// Filter reads the filters and the requested page from the query; an
	// error (apperr.Invalid) refuses the request.
	Filter func(r *http.Request) (F, error)
	// Search answers one page (or, without Page, the whole list).
	Search func(ctx context.Context, f F) (L, error)
	// Page sets the page and its size on a filter (a size of 0 is the
	// register's default); nil for a list without pages.
	Page func(f *F, page, perPage int)
	// Rows reads a list's rows; with Page, Total, Pages and Current read
	// how many match, how many pages there are and which one it is.
	Rows    func(L) []T
	Total   func(L) int
	Pages   func(L) int
	Current func(L) int
	// Data is what the page shows besides the list ("L"), the filter
	// ("F"), the paging links ("Pages"), the API address ("API") and the
	// export ("Export").
	Data func(r *http.Request, rc *reqCtx, f F, l L) (map[string]any, error)
	// Header and Row are the export's columns.
	Header []string
	Row    func(T) []any
}

// always is a filter that cannot be refused, as registerList.Filter.
func always[F any](read func(r *http.Request) F) func(r *http.Request) (F, error) {
	return func(r *http.Request) (F, error) { return read(r), nil }
}

// rowsOf is registerList.Rows of a list that is its rows.
func rowsOf[T any](l []T) []T { return l }

// exportPageSize is the most rows a register's search returns at once.
const exportPageSize = 200

// page answers the list page, or the export when ?format= asks for one.
func (d registerList[F, L, T]) page(s *Server) func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		return d.render(s, w, r, rc, http.StatusOK, nil)
	}
}

// render answers the list page with status and extra data (a form sent
// back with its error), or the export when ?format= asks for one.
func (d registerList[F, L, T]) render(s *Server, w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, extra map[string]any) error {
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	f, err := d.Filter(r)
	if err != nil {
		return err
	}
	if format != "" {
		return d.export(s, w, r, f, format)
	}
	l, err := d.Search(r.Context(), f)
	if err != nil {
		return err
	}
	data := map[string]any{"L": l, "F": f, "Export": exportURLs(r)}
	if d.Page != nil {
		var pages []stdLink
		for i := 1; i <= d.Pages(l) && d.Pages(l) > 1; i++ {
			pages = append(pages, stdLink{Label: strconv.Itoa(i), Href: listURL(r, d.Path, "page", strconv.Itoa(i)), Current: i == d.Current(l)})
		}
		data["Pages"] = pages
	}
	if d.API != "" {
		data["API"] = d.API + strings.TrimPrefix(listURL(r, "/", "page", r.URL.Query().Get("page")), "/")
	}
	if d.Data != nil {
		more, err := d.Data(r, rc, f, l)
		if err != nil {
			return err
		}
		maps.Copy(data, more)
	}
	maps.Copy(data, extra)
	return s.render(w, r, rc, status, d.Template, d.Title, d.Section, data)
}

// export downloads every row matching the page's filters, a page of the
// register at a time, up to exportMaxRows.
func (d registerList[F, L, T]) export(s *Server, w http.ResponseWriter, r *http.Request, f F, format string) error {
	t := exportTable{Name: cmp.Or(d.Export, d.Title), ASCII: d.ASCII, Header: d.Header}
	n := 0
	for page := 1; ; page++ {
		if d.Page != nil {
			d.Page(&f, page, exportPageSize)
		}
		l, err := d.Search(r.Context(), f)
		if err != nil {
			return err
		}
		rows := d.Rows(l)
		for _, x := range rows {
			t.Rows = append(t.Rows, d.Row(x))
		}
		n += len(rows)
		if d.Page == nil {
			break
		}
		t.Total = d.Total(l)
		if page >= d.Pages(l) || len(rows) == 0 || n >= exportMaxRows {
			break
		}
	}
	return s.writeExport(w, format, t)
}

// api answers the JSON list (?per_page= sets the page size).
func (d registerList[F, L, T]) api(_ *Server) func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		f, err := d.Filter(r)
		if err != nil {
			return err
		}
		if d.Page != nil {
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
			d.Page(&f, page, perPage)
		}
		l, err := d.Search(r.Context(), f)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, l)
	}
}
