package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"sidi/internal/ip/patent"
	"sidi/internal/org"
)

// patentWeb serves the public pages of invention patents, the per-10,000
// figure and the GB/T 29490 certificates (internal/ip/patent).
type patentWeb struct {
	*Server
	svc *patent.Service
}

// PatentPages are the patent register's routes over svc.
func PatentPages(svc *patent.Service) func(*Server) []Route {
	return func(srv *Server) []Route {
		s := &patentWeb{Server: srv, svc: svc}
		list, certs := s.patentList(), s.certList()
		return []Route{
			{Method: "GET", Pattern: "/patents", Name: "发明专利", Public: true, Handle: list.page(srv), Menu: Menu{Group: MenuPublic, Label: "发明专利", Order: 85, Section: "patents"}},
			{Method: "GET", Pattern: "/patents/{id}", Name: "发明专利详情", Public: true, Handle: s.detail},
			{Method: "GET", Pattern: "/ipm-certs", Name: "知识产权管理体系认证", Public: true, Handle: certs.page(srv), Menu: Menu{Group: MenuPublic, Label: "贯标认证企业", Order: 86, Section: "ipm-certs"}},
			{Method: "GET", Pattern: "/api/v1/patents", Name: "发明专利", Public: true, API: true, Handle: list.api(srv)},
			{Method: "GET", Pattern: "/api/v1/patents/per-10k", Name: "每万人口高价值发明专利拥有量", Public: true, API: true, Handle: s.figuresAPI},
			{Method: "GET", Pattern: "/api/v1/patents/{id}", Name: "发明专利详情", Public: true, API: true, Handle: apiByID(anyCaller(svc.PatentByID))},
			{Method: "GET", Pattern: "/api/v1/ipm-certs", Name: "知识产权管理体系认证", Public: true, API: true, Handle: certs.api(srv)},
		}
	}
}

// patentDay is the ?day= of a request when it is a date, else "".
func patentDay(r *http.Request) string {
	d := r.URL.Query().Get("day")
	if _, err := time.Parse("2006-01-02", d); err != nil {
		return ""
	}
	return d
}

func patentFilter(r *http.Request) patent.Filter {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	return patent.Filter{Q: q.Get("q"), Prefecture: q.Get("prefecture"), Category: q.Get("category"), HighValue: q.Get("high") == "1", Day: patentDay(r), Page: page}
}

func categoryNames(keys []string) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = patent.CategoryLabels[k]
	}
	return strings.Join(names, "、")
}

func (s *patentWeb) patentList() registerList[patent.Filter, patent.PatentList, patent.Patent] {
	return registerList[patent.Filter, patent.PatentList, patent.Patent]{
		Path: "/patents", API: "/api/v1/patents", Template: "patents", Title: "发明专利", Section: "patents", ASCII: "patents",
		Filter: always(patentFilter), Search: s.svc.Search,
		Page:    func(f *patent.Filter, page, perPage int) { f.Page, f.PerPage = page, perPage },
		Rows:    func(l patent.PatentList) []patent.Patent { return l.Patents },
		Total:   func(l patent.PatentList) int { return l.Total },
		Pages:   func(l patent.PatentList) int { return l.Pages },
		Current: func(l patent.PatentList) int { return l.Filter.Page },
		Data: func(r *http.Request, rc *reqCtx, _ patent.Filter, _ patent.PatentList) (map[string]any, error) {
			day := patentDay(r)
			if day == "" {
				day = s.svc.Today()
			}
			figs, err := s.svc.Figures(r.Context(), day)
			return map[string]any{"Prefectures": org.Prefectures(), "Categories": patent.Categories, "Figures": figs, "FigureErr": err, "Day": day,
				"Threshold": patent.PledgeThresholdFen / 1000000}, nil
		},
		Header: []string{"专利号", "发明名称", "专利权人", "统一社会信用代码", "行政区划代码", "申请日", "授权公告日", "失效日", "高价值情形", "演示数据"},
		Row: func(x patent.Patent) []any {
			return []any{"ZL" + x.Number, x.Title, x.Holder, x.HolderCode, x.Region, x.AppliedOn, x.GrantedOn, x.LapsedOn, categoryNames(x.Categories), demoMark(x.Demo)}
		},
	}
}

func (s *patentWeb) certList() registerList[patent.Filter, patent.CertList, patent.Cert] {
	return registerList[patent.Filter, patent.CertList, patent.Cert]{
		Path: "/ipm-certs", API: "/api/v1/ipm-certs", Template: "ipm_certs", Title: "知识产权管理体系认证", Section: "ipm-certs", ASCII: "ipm-certs",
		Filter: always(patentFilter), Search: s.svc.SearchCerts,
		Page:    func(f *patent.Filter, page, perPage int) { f.Page, f.PerPage = page, perPage },
		Rows:    func(l patent.CertList) []patent.Cert { return l.Certs },
		Total:   func(l patent.CertList) int { return l.Total },
		Pages:   func(l patent.CertList) int { return l.Pages },
		Current: func(l patent.CertList) int { return l.Filter.Page },
		Data: func(r *http.Request, rc *reqCtx, _ patent.Filter, _ patent.CertList) (map[string]any, error) {
			day := patentDay(r)
			if day == "" {
				day = s.svc.Today()
			}
			n, err := s.svc.CertifiedAt(r.Context(), day)
			nav, err2 := s.svc.NavigationProjects(r.Context())
			if err == nil {
				err = err2
			}
			return map[string]any{"Day": day, "Certified": n, "CountErr": err, "Navigation": nav, "StatusLabels": patent.StatusLabels}, nil
		},
		Header: []string{"证书编号", "认证机构", "企业名称", "统一社会信用代码", "行政区划代码", "认证范围", "有效期起", "有效期至", "演示数据"},
		Row: func(x patent.Cert) []any {
			return []any{x.CertNo, x.Body, x.Enterprise, x.CreditCode, x.Region, x.Scope, x.ValidFrom, x.ValidTo, demoMark(x.Demo)}
		},
	}
}

func (s *patentWeb) detail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := s.svc.PatentByID(r.Context(), id)
	if err != nil {
		return err
	}
	day := s.svc.Today()
	return s.render(w, r, rc, http.StatusOK, "patent_detail", x.Title, "patents", map[string]any{"X": x, "Valid": x.ValidAt(day), "Day": day,
		"Categories": patent.Categories, "Has": func(k string) bool { return strings.Contains(","+strings.Join(x.Categories, ",")+",", ","+k+",") }})
}

// figuresAPI answers the per-10,000 figure of the province and each
// prefecture with both numbers (?day=YYYY-MM-DD, default today).
func (s *patentWeb) figuresAPI(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	day := patentDay(r)
	if day == "" {
		day = s.svc.Today()
	}
	figs, err := s.svc.Figures(r.Context(), day)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"day": day, "figures": figs})
}
