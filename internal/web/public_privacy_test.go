package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/bases"
	"sidi/internal/standards"
	"sidi/internal/standards/pilots"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/training"
)

// TestPublicPagesHideLoginsAndNotes fetches every public page a member of
// the public reads, with demo data recorded by a command-line operator, and
// fails on a login id ("cli:…", "demo-…") or an internal note ("[待核实]").
func TestPublicPagesHideLoginsAndNotes(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	f := newFixture(t, db)
	bg, p := context.Background(), auth.CLI("demo")
	pv, err := f.plan.Current(bg, 0)
	if err != nil {
		t.Fatal(err)
	}
	seed := []struct {
		what string
		run  func() (int, error)
	}{
		{"standards", func() (int, error) { return standards.SeedDemo(bg, f.set.Standards, p) }},
		{"leaders", func() (int, error) { return standards.SeedLeadersDemo(bg, f.set.Standards, p) }},
		{"pilots", func() (int, error) { return pilots.SeedDemo(bg, f.set.Pilots, p) }},
		{"bases", func() (int, error) { return bases.SeedDemo(bg, f.set.Bases, p) }},
		{"training", func() (int, error) { return training.SeedDemo(bg, f.set.Training, p) }},
		{"reports", func() (int, error) { return f.prog.SeedDemo(bg, p, pv.ID) }},
	}
	for _, s := range seed {
		if _, err := s.run(); err != nil {
			t.Fatalf("demo %s: %v", s.what, err)
		}
	}
	first := func(query string) string {
		t.Helper()
		var id int64
		if err := db.Reader().QueryRowContext(bg, query).Scan(&id); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return fmt.Sprint(id)
	}
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
		"/api/v1/standards/announcements/" + ann, "/api/v1/declarations/" + decl, "/api/v1/leaders/schemes/" + scheme}
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
