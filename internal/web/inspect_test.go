package web_test

import (
	"slices"
)

// Who may call the 双随机 routes (inspect_pages.go): the bureau's staff
// see the libraries, the editors draw; the records are public.
var drawViewers = []string{admin, supervisor, inspector}

func init() {
	for k, v := range map[string][]string{
		"GET /inspect":                drawViewers,
		"POST /inspect/draws":         editorsOnly,
		"POST /draws/{id}/redraw":     editorsOnly,
		"GET /draws":                  everyone,
		"GET /draws/{id}":             everyone,
		"GET /draws/{id}/record.json": everyone,
		"GET /api/v1/draws":           everyone,
		"POST /api/v1/draws":          editorsOnly,
	} {
		expectedAccess[k] = v
	}
	// The menu: the public list last of the public pages; the staff page
	// after the hazards (the IP work pages, inserted later, come between).
	for who, m := range wantMenu {
		m = slices.Clone(m)
		i := slices.Index(m, "/equipment/regions") + 1
		m = slices.Insert(m, i, "/draws")
		if slices.Contains(drawViewers, who) {
			j := slices.Index(m, "/hazards") + 1
			m = slices.Insert(m, j, "/inspect")
		}
		wantMenu[who] = m
	}
}
