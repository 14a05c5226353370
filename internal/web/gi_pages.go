package web

import (
	"mime"
	"net/http"
	"strconv"

	"sidi/internal/ip/gi"
	"sidi/internal/org"
)

// giWeb serves the public catalogues of GI protected products and of
// agri-product certificates (internal/ip/gi).
type giWeb struct {
	*Server
	svc *gi.Service
}

// GIProductPages are the GI product catalogue's routes over svc.
func GIProductPages(svc *gi.Service) func(*Server) []Route {
	return func(srv *Server) []Route {
		s := &giWeb{Server: srv, svc: svc}
		list := s.productList()
		return []Route{
			{Method: "GET", Pattern: "/gi-products", Name: "地理标志保护产品", Public: true, Handle: list.page(srv), Menu: Menu{Group: MenuPublic, Label: "地理标志产品", Order: 83, Section: "gi"}},
			{Method: "GET", Pattern: "/gi-products/{id}", Name: "地理标志保护产品详情", Public: true, Handle: s.productDetail},
			{Method: "GET", Pattern: "/api/v1/gi-products", Name: "地理标志保护产品", Public: true, API: true, Handle: list.api(srv)},
			{Method: "GET", Pattern: "/api/v1/gi-products/{id}", Name: "地理标志保护产品详情", Public: true, API: true, Handle: apiByID(anyCaller(svc.ProductByID))},
		}
	}
}

// CertPages are the certificate catalogue's routes over svc.
func CertPages(svc *gi.Service) func(*Server) []Route {
	return func(srv *Server) []Route {
		s := &giWeb{Server: srv, svc: svc}
		list := s.certList()
		return []Route{
			{Method: "GET", Pattern: "/certifications", Name: "绿色有机与地理标志农产品", Public: true, Handle: list.page(srv), Menu: Menu{Group: MenuPublic, Label: "绿色有机地标农产品", Order: 84, Section: "certifications"}},
			{Method: "GET", Pattern: "/certifications/{id}", Name: "证书详情", Public: true, Handle: s.certDetail},
			{Method: "GET", Pattern: "/api/v1/certifications", Name: "绿色有机与地理标志农产品", Public: true, API: true, Handle: list.api(srv)},
			{Method: "GET", Pattern: "/api/v1/certifications/{id}", Name: "证书详情", Public: true, API: true, Handle: apiByID(anyCaller(svc.CertByID))},
		}
	}
}

func giFilter(r *http.Request) gi.Filter {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	return gi.Filter{Q: q.Get("q"), Prefecture: q.Get("prefecture"), Kind: q.Get("kind"), Valid: q.Get("valid") == "1", Page: page}
}

func (s *giWeb) productList() registerList[gi.Filter, gi.ProductList, gi.Product] {
	return registerList[gi.Filter, gi.ProductList, gi.Product]{
		Path: "/gi-products", API: "/api/v1/gi-products", Template: "gi_products", Title: "地理标志保护产品", Section: "gi", ASCII: "gi-products",
		Filter: always(giFilter), Search: s.svc.Products,
		Page:    func(f *gi.Filter, page, perPage int) { f.Page, f.PerPage = page, perPage },
		Rows:    func(l gi.ProductList) []gi.Product { return l.Products },
		Total:   func(l gi.ProductList) int { return l.Total },
		Pages:   func(l gi.ProductList) int { return l.Pages },
		Current: func(l gi.ProductList) int { return l.Filter.Page },
		Data: func(*http.Request, *reqCtx, gi.Filter, gi.ProductList) (map[string]any, error) {
			return map[string]any{"Prefectures": org.Prefectures()}, nil
		},
		Header: []string{"产品名称", "保护范围", "行政区划代码", "批准公告", "批准日期", "撤销日期", "演示数据"},
		Row: func(x gi.Product) []any {
			return []any{x.Name, x.Area, x.Region, x.Notice, x.ApprovedOn, x.RevokedOn, demoMark(x.Demo)}
		},
	}
}

func (s *giWeb) certList() registerList[gi.Filter, gi.CertList, gi.Cert] {
	var kinds []stdLink
	for _, k := range gi.CertKinds {
		kinds = append(kinds, stdLink{Label: gi.CertLabels[k], Href: k})
	}
	return registerList[gi.Filter, gi.CertList, gi.Cert]{
		Path: "/certifications", API: "/api/v1/certifications", Template: "certifications", Title: "绿色有机与地理标志农产品", Section: "certifications", ASCII: "certifications",
		Filter: always(giFilter), Search: s.svc.Certs,
		Page:    func(f *gi.Filter, page, perPage int) { f.Page, f.PerPage = page, perPage },
		Rows:    func(l gi.CertList) []gi.Cert { return l.Certs },
		Total:   func(l gi.CertList) int { return l.Total },
		Pages:   func(l gi.CertList) int { return l.Pages },
		Current: func(l gi.CertList) int { return l.Filter.Page },
		Data: func(*http.Request, *reqCtx, gi.Filter, gi.CertList) (map[string]any, error) {
			return map[string]any{"Prefectures": org.Prefectures(), "Kinds": kinds}, nil
		},
		Header: []string{"证书类型", "证书编号", "发证机构", "产品名称", "获证单位", "统一社会信用代码", "行政区划代码", "有效期起", "有效期至", "演示数据"},
		Row: func(x gi.Cert) []any {
			return []any{x.KindLabel, x.CertNo, x.Body, x.Product, x.Holder, x.HolderCode, x.Region, x.ValidFrom, x.ValidTo, demoMark(x.Demo)}
		},
	}
}

func (s *giWeb) productDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := s.svc.ProductByID(r.Context(), id)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "gi_product_detail", x.Name, "gi", map[string]any{"X": x})
}

func (s *giWeb) certDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathInt(r, "id")
	if err != nil {
		return err
	}
	x, err := s.svc.CertByID(r.Context(), id)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "certification_detail", x.Product+"（"+x.KindLabel+"）", "certifications", map[string]any{"X": x})
}

// The brand catalogue.

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
		Filter: always(giFilter), Search: s.svc.Brands,
		Page:    func(f *gi.Filter, page, perPage int) { f.Page, f.PerPage = page, perPage },
		Rows:    func(l gi.BrandList) []gi.Brand { return l.Brands },
		Total:   func(l gi.BrandList) int { return l.Total },
		Pages:   func(l gi.BrandList) int { return l.Pages },
		Current: func(l gi.BrandList) int { return l.Filter.Page },
		Data: func(*http.Request, *reqCtx, gi.Filter, gi.BrandList) (map[string]any, error) {
			return map[string]any{"Prefectures": org.Prefectures(), "Kinds": kinds}, nil
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
