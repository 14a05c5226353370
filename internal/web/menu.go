package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"

	"sidi/internal/auth"
)

// The groups of the left menu, in the order they are shown.
const (
	MenuPublic = "公开信息"
	MenuWork   = "督查督办"
	MenuAdmin  = "系统管理"
)

var menuGroups = []string{MenuPublic, MenuWork, MenuAdmin}

// Menu is a route's entry in the left menu: the group it is listed in, its
// label, its place in the group, and the view section (render's section
// argument) that marks it as the current page. A route without a label is
// not in the menu.
type Menu struct {
	Group   string
	Label   string
	Order   int
	Section string
}

// menuGroup is one group of the menu as a page shows it.
type menuGroup struct {
	Label string
	Items []menuItem
}

type menuItem struct {
	Href, Label string
	Current     bool
}

// menuFor is the menu of p: every GET route with a menu entry that p may
// open, grouped and ordered, with the entry of section marked current.
// Nobody sees a link to a page that refuses them.
func menuFor(routes []Route, p auth.Principal, section string) []menuGroup {
	var entries []Route
	for _, rt := range routes {
		if rt.Menu.Label == "" || rt.Method != "GET" || rt.allows(p) != nil {
			continue
		}
		entries = append(entries, rt)
	}
	slices.SortStableFunc(entries, func(a, b Route) int {
		return cmp.Or(cmp.Compare(slices.Index(menuGroups, a.Menu.Group), slices.Index(menuGroups, b.Menu.Group)), cmp.Compare(a.Menu.Order, b.Menu.Order))
	})
	var out []menuGroup
	for _, rt := range entries {
		if len(out) == 0 || out[len(out)-1].Label != rt.Menu.Group {
			out = append(out, menuGroup{Label: rt.Menu.Group})
		}
		g := &out[len(out)-1]
		g.Items = append(g.Items, menuItem{Href: rt.Pattern, Label: rt.Menu.Label, Current: rt.Menu.Section != "" && rt.Menu.Section == section})
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
