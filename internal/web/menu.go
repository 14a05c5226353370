package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"

	"sidi/internal/auth"
)

// Who a page of the left menu is for. Within a pillar, public pages come
// before the work pages and those before system management.
const (
	MenuPublic = "公开信息"
	MenuWork   = "督查督办"
	MenuAdmin  = "系统管理"
)

var menuGroups = []string{MenuPublic, MenuWork, MenuAdmin}

// The pillars of the plan, the collapsible groups of the left menu: a
// civil servant works in one of them and finds its public and work pages
// together. The plan itself (tasks, departments, progress, bulletins) and
// system management are groups of their own.
const (
	PillarPlan        = "方案与进度"
	PillarStandards   = "标准"
	PillarBrands      = "品牌与知识产权"
	PillarEnvironment = "营商环境与监管"
	PillarQuality     = "质量与特种设备"
	PillarAdmin       = "系统管理"
	// pillarOther holds the entries of routes that name no pillar (or an
	// unknown one), so
	// that a register which forgot one is still reachable (the menu and
	// module tests fail on it).
	pillarOther = "其他"
)

// MenuPillars are the menu's groups in the order they are shown (其他,
// when a route names none, comes before 系统管理).
func MenuPillars() []string {
	return []string{PillarPlan, PillarStandards, PillarBrands, PillarEnvironment, PillarQuality, PillarAdmin}
}

// Menu is a route's entry in the left menu: who it is for (Group), the
// pillar it is listed under, its label, its place among the pillar's
// entries of its Group, and the view section (render's section argument)
// that marks it as the current page. A route without a label is not in the
// menu. A route that names no pillar takes the one of the module that
// contributes it (InPillar).
type Menu struct {
	Group   string
	Pillar  string
	Label   string
	Order   int
	Section string
}

// InPillar lists the menu entries of pages that name no pillar under
// pillar: a module declares its pillar once for all its pages.
func InPillar(pillar string, pages func(*Server) []Route) func(*Server) []Route {
	return func(s *Server) []Route {
		return inPillar(pillar, pages(s))
	}
}

func inPillar(pillar string, routes []Route) []Route {
	for i := range routes {
		if routes[i].Menu.Label != "" && routes[i].Menu.Pillar == "" {
			routes[i].Menu.Pillar = pillar
		}
	}
	return routes
}

// menuGroup is one group of the menu as a page shows it; Open groups show
// their links without a click.
type menuGroup struct {
	Label string
	Open  bool
	Items []menuItem
}

type menuItem struct {
	Href, Label string
	Current     bool
}

// menuKey orders menu entries: pillar, then group, then Order.
func menuKey(m Menu) [3]int {
	pillars := MenuPillars()
	i := 2 * slices.Index(pillars, m.Pillar)
	if i < 0 {
		i = 2*len(pillars) - 3 // 其他: just before 系统管理
	}
	return [3]int{i, slices.Index(menuGroups, m.Group), m.Order}
}

// menuFor is the menu of p: every GET route with a menu entry that p may
// open, by pillar and ordered, with the entry of section marked current.
// Nobody sees a link to a page that refuses them. The pillar holding the
// current page is open; a visitor's short menu is open throughout.
func menuFor(routes []Route, p auth.Principal, section string) []menuGroup {
	var entries []Route
	for _, rt := range routes {
		if rt.Menu.Label == "" || rt.Method != "GET" || rt.allows(p) != nil {
			continue
		}
		entries = append(entries, rt)
	}
	slices.SortStableFunc(entries, func(a, b Route) int {
		ka, kb := menuKey(a.Menu), menuKey(b.Menu)
		return cmp.Or(cmp.Compare(ka[0], kb[0]), cmp.Compare(ka[1], kb[1]), cmp.Compare(ka[2], kb[2]))
	})
	var out []menuGroup
	for _, rt := range entries {
		pillar := rt.Menu.Pillar
		if !slices.Contains(MenuPillars(), pillar) {
			pillar = pillarOther
		}
		if len(out) == 0 || out[len(out)-1].Label != pillar {
			out = append(out, menuGroup{Label: pillar, Open: p.Anonymous()})
		}
		g := &out[len(out)-1]
		current := rt.Menu.Section != "" && rt.Menu.Section == section
		g.Open = g.Open || current
		g.Items = append(g.Items, menuItem{Href: rt.Pattern, Label: rt.Menu.Label, Current: current})
	}
	return out
}

// opener reports whether p may open a GET of a path, by the route the
// server's mux would choose for it.
func (s *Server) opener(p auth.Principal) func(path string) bool {
	return func(path string) bool {
		u, err := url.Parse(path)
		if err != nil {
			return false
		}
		_, pattern := s.mux.Handler(&http.Request{Method: http.MethodGet, URL: u})
		rt, ok := s.byPattern[pattern]
		return ok && rt.allows(p) == nil
	}
}

// linksFrom are the links a foundation's page at path offers p: the GET
// routes naming it in LinkFrom that p may open, in route order.
func linksFrom(routes []Route, path string, p auth.Principal) []menuItem {
	var out []menuItem
	for _, rt := range routes {
		if rt.LinkFrom == path && rt.Method == "GET" && rt.allows(p) == nil {
			out = append(out, menuItem{Href: rt.Pattern, Label: rt.Name})
		}
	}
	return out
}
