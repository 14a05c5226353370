package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/enterprise"
)

// The enterprise directory's pages: a public list, and one page per
// enterprise where each module contributes a section (Deps.EnterpriseSections):
// the public sections for everyone, the others for staff in scope and the
// enterprise's own users.

func (s *Server) enterpriseRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/enterprises", Name: "企业名录", Public: true, Handle: s.enterprisesList, Menu: Menu{Group: MenuPublic, Label: "企业名录", Order: 37, Section: "enterprises"}},
		{Method: "GET", Pattern: "/enterprises/{code}", Name: "企业信息", Public: true, Handle: s.enterpriseDetail},
	}
}

// directory is the enterprise directory the pages read.
func (s *Server) directory() *enterprise.Service { return s.Enterprises }

const enterprisesPerPage = 20

func (s *Server) enterprisesList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = min(max(page, 1), 1_000_000) // far past the end shows an empty page, never an overflow
	f := enterprise.Filter{Q: strings.TrimSpace(q.Get("q")), Region: strings.TrimSpace(q.Get("region")), Limit: enterprisesPerPage, Offset: (page - 1) * enterprisesPerPage}
	l, err := s.directory().List(r.Context(), f)
	if err != nil {
		return err // an invalid filter: the error page says why (422)
	}
	pages := (l.Total + enterprisesPerPage - 1) / enterprisesPerPage
	var links []stdLink
	for i := 1; i <= pages && pages > 1; i++ {
		links = append(links, stdLink{Label: strconv.Itoa(i), Href: listURL(r, "/enterprises", "page", strconv.Itoa(i)), Current: i == page})
	}
	return s.render(w, r, rc, http.StatusOK, "enterprises", "企业名录", "enterprises", map[string]any{
		"L": l, "Q": f.Q, "Region": f.Region, "Page": page, "Pages": pages, "Links": links,
		"Offers": linksFrom(s.routes, "/enterprises", rc.P),
	})
}

func (s *Server) enterpriseDetail(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	e, err := s.directory().ByCreditCode(r.Context(), r.PathValue("code"))
	if errors.Is(err, apperr.ErrInvalid) {
		return apperr.NotFound("%s", apperr.Message(err))
	}
	if err != nil {
		return err
	}
	secs, err := s.directory().Sections(r.Context(), rc.P, e.ID, s.EnterpriseSections)
	if err != nil {
		return err
	}
	return s.render(w, r, rc, http.StatusOK, "enterprise", e.Name, "enterprises", map[string]any{
		"E": e, "Former": e.FormerNames(), "RegionName": s.regionName(r, e.Region), "Sections": secs,
		"CanManage": rc.P.Has(enterprise.Editors...),
	})
}

// regionName names a GB/T 2260 division from the department directory
// ("海西州 格尔木市"), or "" when it is not one of Qinghai's.
func (s *Server) regionName(r *http.Request, region string) string {
	if s.Org == nil || !enterprise.ValidRegion(region) {
		return ""
	}
	codes := []string{region[:4] + "00"}
	if region != codes[0] {
		codes = append(codes, region)
	}
	var names []string
	for _, c := range codes {
		if d, err := s.Org.Find(r.Context(), c); err == nil && d.Region == c {
			names = append(names, d.Label())
		}
	}
	return strings.Join(names, " ")
}
