package web

import (
	"net/http"
	"strconv"

	"sidi/internal/ip/trademark"
	"sidi/internal/org"
)

// trademarkWeb serves the public trademark catalogue (internal/ip/trademark).
type trademarkWeb struct {
	*Server
	svc *trademark.Service
}

// TrademarkPages are the trademark register's routes over svc.
func TrademarkPages(svc *trademark.Service) func(*Server) []Route {
	return func(srv *Server) []Route { return (&trademarkWeb{Server: srv, svc: svc}).routes() }
}

func (s *trademarkWeb) routes() []Route {
	list := s.list()
	return []Route{
		{Method: "GET", Pattern: "/trademarks", Name: "商标注册", Public: true, Handle: list.page(s.Server), Menu: Menu{Group: MenuPublic, Label: "商标注册", Order: 82, Section: "trademarks"}},
		{Method: "GET", Pattern: "/trademarks/{regno}", Name: "商标详情", Public: true, Handle: s.detail},
		{Method: "GET", Pattern: "/api/v1/trademarks", Name: "商标注册", Public: true, API: true, Handle: list.api(s.Server)},
		{Method: "GET", Pattern: "/api/v1/trademarks/{regno}", Name: "商标详情", Public: true, API: true, Handle: s.apiDetail},
	}
}

func trademarkFilter(r *http.Request) trademark.Filter {
	q := r.URL.Query()
	class, _ := strconv.Atoi(q.Get("class"))
	page, _ := strconv.Atoi(q.Get("page"))
	return trademark.Filter{Q: q.Get("q"), Prefecture: q.Get("prefecture"), Class: class, Status: q.Get("status"),
		GI: q.Get("gi") == "1", Madrid: q.Get("madrid") == "1", Page: page}
}

func (s *trademarkWeb) list() registerList[trademark.Filter, trademark.List, trademark.Mark] {
	classes := make([]int, 45)
	for i := range classes {
		classes[i] = i + 1
	}
	var statuses []stdLink
	for _, k := range []string{trademark.StatusValid, trademark.StatusCancelled, trademark.StatusInvalidated, trademark.StatusRevoked, trademark.StatusExpired} {
		statuses = append(statuses, stdLink{Label: trademark.StatusLabels[k], Href: k})
	}
	return registerList[trademark.Filter, trademark.List, trademark.Mark]{
		Path: "/trademarks", API: "/api/v1/trademarks", Template: "trademarks", Title: "商标注册", Section: "trademarks", ASCII: "trademarks",
		Filter: always(trademarkFilter), Search: s.svc.Search,
		Page:    func(f *trademark.Filter, page, perPage int) { f.Page, f.PerPage = page, perPage },
		Rows:    func(l trademark.List) []trademark.Mark { return l.Marks },
		Total:   func(l trademark.List) int { return l.Total },
		Pages:   func(l trademark.List) int { return l.Pages },
		Current: func(l trademark.List) int { return l.Filter.Page },
		Data: func(r *http.Request, rc *reqCtx, _ trademark.Filter, _ trademark.List) (map[string]any, error) {
			return map[string]any{"Prefectures": org.Prefectures(), "Classes": classes, "Statuses": statuses}, nil
		},
		Header: []string{"注册号", "商标名称", "国际分类", "注册人", "统一社会信用代码", "行政区划代码", "注册日期", "专用权期限至", "商标类型", "马德里国际注册号", "地理标志", "状态", "演示数据"},
		Row: func(m trademark.Mark) []any {
			return []any{m.RegNo, m.Name, trademark.ClassText(m.Classes), m.Owner, m.OwnerCode, m.Region, m.RegisteredOn, m.TermEnd, m.KindLabel, m.MadridNo, yesNo(m.GI), m.StatusLabel, demoMark(m.Demo)}
		},
	}
}

func (s *trademarkWeb) detail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d, err := s.svc.Detail(r.Context(), r.PathValue("regno"))
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "trademarks_detail", d.Name+"（注册号 "+d.RegNo+"）", "trademarks", map[string]any{"X": d, "ClassText": trademark.ClassText(d.Classes)})
}

func (s *trademarkWeb) apiDetail(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	d, err := s.svc.Detail(r.Context(), r.PathValue("regno"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}
