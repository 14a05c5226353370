package web

import (
	"mime"
	"net/http"

	"sidi/internal/ip/gi"
	"sidi/internal/org"
)

// BrandPages are the brand catalogue's routes (农畜产品品牌、区域公用品牌
// with their authorised users, 老字号) over svc.
func BrandPages(svc *gi.Service) func(*Server) []Route {
	return func(srv *Server) []Route {
		s := &giWeb{Server: srv, svc: svc}
		list := s.brandList()
		return []Route{
			{Method: "GET", Pattern: "/brands", Name: "品牌目录", Public: true, Handle: list.page(srv), Menu: Menu{Group: MenuPublic, Label: "品牌目录", Order: 81, Section: "brands"}},
			{Method: "GET", Pattern: "/brands/{id}", Name: "品牌详情", Public: true, Handle: s.brandDetail},
			{Method: "GET", Pattern: "/brands/{id}/documents/{sha}", Name: "品牌档案文件", Public: true, Handle: s.brandDocument},
			{Method: "GET", Pattern: "/api/v1/brands", Name: "品牌目录", Public: true, API: true, Handle: list.api(srv)},
			{Method: "GET", Pattern: "/api/v1/brands/{id}", Name: "品牌详情", Public: true, API: true, Handle: apiByID(anyCaller(svc.BrandByID))},
		}
	}
}

func (s *giWeb) brandList() registerList[gi.Filter, gi.BrandList, gi.Brand] {
	var kinds []stdLink
	for _, k := range gi.BrandKinds {
		kinds = append(kinds, stdLink{Label: gi.BrandLabels[k], Href: k})
	}
	return registerList[gi.Filter, gi.BrandList, gi.Brand]{
		Path: "/brands", API: "/api/v1/brands", Template: "brands", Title: "品牌目录", Section: "brands", ASCII: "brands",
		Filter: giFilter, Search: s.svc.Brands,
		Page:    func(f *gi.Filter, page, perPage int) { f.Page, f.PerPage = page, perPage },
		Rows:    func(l gi.BrandList) []gi.Brand { return l.Brands },
		Total:   func(l gi.BrandList) int { return l.Total },
		Pages:   func(l gi.BrandList) int { return l.Pages },
		Current: func(l gi.BrandList) int { return l.Filter.Page },
		Data: func(*http.Request, *reqCtx) map[string]any {
			return map[string]any{"Prefectures": org.Prefectures(), "Kinds": kinds}
		},
		Header: []string{"品牌类型", "品牌名称", "产品", "所有人", "统一社会信用代码", "行政区划代码", "列入日期", "移出日期", "演示数据"},
		Row: func(b gi.Brand) []any {
			return []any{b.KindLabel, b.Name, b.Product, b.Owner, b.OwnerCode, b.Region, b.ListedOn, b.RemovedOn, demoMark(b.Demo)}
		},
	}
}

func (s *giWeb) brandDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	b, err := s.svc.BrandByID(r.Context(), id)
	if err != nil {
		return err
	}
	docs, err := s.svc.Documents(r.Context(), id)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "brand_detail", b.Name, "brands", map[string]any{"X": b, "Docs": docs})
}

// brandDocument downloads an archived document, checked against its hash.
func (s *giWeb) brandDocument(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	d, body, err := s.svc.DocumentContent(r.Context(), id, r.PathValue("sha"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Title}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("ETag", `"`+d.SHA256+`"`)
	_, err = w.Write(body)
	return err
}
