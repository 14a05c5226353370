package web_test

import (
	"context"
	"database/sql"
	"regexp"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestPublicPagesHideLoginsAndNotes fetches every public page a member of
// the public reads, with demo data recorded by a command-line operator, and
// fails on a login id ("cli:…", "demo-…") or an internal note ("[待核实]").
func TestPublicPagesHideLoginsAndNotes(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newFixture(t, db)
	bg, p := context.Background(), auth.CLI("demo")
	f.seedDemo(t, p)
	first := func(query string) string { return f.firstID(t, query) }
	// A stage of a standard, recorded the way the command line records one.
	if err := db.Tx(bg, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(bg, `INSERT INTO standard_stages(standard_id, stage, on_date, note, created_by, created_at)
			SELECT MIN(id), 'approved', '2025-01-02', '', 'cli:demo', '2025-01-02T00:00:00Z' FROM standards`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var (
		std     = first(`SELECT MIN(id) FROM standards`)
		ann     = first(`SELECT MIN(id) FROM standard_announcements`)
		decl    = first(`SELECT MIN(declaration_id) FROM leader_entries`)
		scheme  = first(`SELECT MIN(id) FROM leader_schemes`)
		pilot   = first(`SELECT MIN(id) FROM pilots`)
		project = first(`SELECT MIN(id) FROM sci_projects`)
		base    = first(`SELECT MIN(id) FROM bases`)
		session = first(`SELECT MIN(id) FROM training_sessions`)
		noted   = first(`SELECT MIN(id) FROM departments WHERE note LIKE '%待核实%'`)
	)
	paths := []string{"/", "/plan", "/plan/tasks/1", "/departments", "/departments/" + noted, "/public/progress",
		"/standards", "/standards/" + std, "/standards/announcements", "/standards/announcements/" + ann,
		"/declarations", "/declarations/" + decl, "/leaders", "/leaders/schemes/" + scheme, "/pilots", "/pilots/" + pilot,
		"/projects", "/projects/" + project, "/bases", "/bases/" + base, "/training", "/training/" + session,
		"/api/v1/plan", "/api/v1/departments", "/api/v1/departments/" + noted, "/api/v1/standards/" + std,
		"/api/v1/pilots/" + pilot, "/api/v1/projects/" + project, "/api/v1/bases/" + base, "/api/v1/training/" + session,
		"/api/v1/standards/announcements/" + ann, "/api/v1/declarations/" + decl, "/api/v1/leaders/schemes/" + scheme,
		"/equipment/regions", "/api/v1/equipment/regions"}
	leak := regexp.MustCompile(`cli:[a-z]|demo-[a-z]|\[待核实\]`)
	c := f.client(t)
	for _, path := range paths {
		resp, body := c.get(path)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: status %d", path, resp.StatusCode)
			continue
		}
		if m := leak.FindAllString(body, 3); m != nil {
			t.Errorf("GET %s shows %q to the public", path, m)
		}
	}
}
