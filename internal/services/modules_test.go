package services_test

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/search"
	"sidi/internal/services"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/web"
)

// TestModuleList checks the module list's own rules: unique names, every
// search kind known to the index and every indexed kind owned by a module,
// a seed always with its message, and no two modules serving one route.
func TestModuleList(t *testing.T) {
	mods := services.Modules()
	names := map[string]bool{}
	kinds := map[string]string{}
	for _, m := range mods {
		if m.Name == "" || m.Title == "" || names[m.Name] {
			t.Errorf("module %q (%q): a name and a title, unique", m.Name, m.Title)
		}
		names[m.Name] = true
		if (m.Seed == nil) != (m.SeedDone == "") || (m.SeedDone != "" && strings.Count(m.SeedDone, "%d") != 1) {
			t.Errorf("%s: Seed and SeedDone (one %%d) go together", m.Name)
		}
		for _, k := range m.SearchKinds {
			if _, ok := search.Kinds[k]; !ok {
				t.Errorf("%s: search kind %q is not in search.Kinds", m.Name, k)
			}
			if other, dup := kinds[k]; dup {
				t.Errorf("search kind %q in %s and %s", k, other, m.Name)
			}
			kinds[k] = m.Name
		}
		if m.Pages == nil {
			t.Errorf("%s: no pages", m.Name)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(search.Kinds)) {
		if _, ok := kinds[k]; !ok && k != "test" {
			t.Errorf("search kind %q belongs to no module", k)
		}
	}
	// Modules returns a fresh list: changing one does not change the next.
	mods[0].Name = "changed"
	if services.Modules()[0].Name == "changed" {
		t.Error("Modules shares its slice")
	}
	seen := map[string]string{}
	srv := web.New(web.Deps{})
	for _, m := range services.Modules() {
		for _, rt := range m.Pages(nil)(srv) {
			key := rt.Method + " " + rt.Pattern
			if other, dup := seen[key]; dup {
				t.Errorf("%s served by %s and %s", key, other, m.Name)
			}
			seen[key] = m.Name
			if rt.Menu.Label != "" && !slices.Contains(web.MenuPillars(), cmp.Or(rt.Menu.Pillar, m.Pillar)) {
				t.Errorf("%s: menu entry %s names no pillar of the menu (Module.Pillar or Menu.Pillar): %q", m.Name, rt.Pattern, cmp.Or(rt.Menu.Pillar, m.Pillar))
			}
		}
	}
}

// TestNewAndSeed builds the set on both engines: every module's service is
// there, its metrics are registered, and the demo seed runs once (a second
// run adds nothing).
func TestNewAndSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, err := services.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if s.Standards == nil || s.Pilots == nil || s.Bases == nil || s.Training == nil {
			t.Fatalf("a module's service is missing: %+v", s)
		}
		if len(s.Metrics.All()) == 0 {
			t.Error("no metrics registered")
		}
		added := map[string]int{}
		if err := s.SeedDemo(ctx, auth.CLI("test"), func(m services.Module, n int) { added[m.Name] = n }); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"standards", "leaders", "pilots", "bases", "training"} {
			if added[name] == 0 {
				t.Errorf("demo %s added nothing", name)
			}
		}
		if err := s.SeedDemo(ctx, auth.CLI("test"), func(m services.Module, n int) {
			if n != 0 {
				t.Errorf("second demo run added %d to %s", n, m.Name)
			}
		}); err != nil {
			t.Fatal(err)
		}
		// The demo enterprise account is linked once, to a demo enterprise
		// of the declarations.
		if _, err := s.Auth.EnsureDemoAccounts(ctx); err != nil {
			t.Fatal(err)
		}
		for i, want := range []bool{true, false} {
			if linked, err := s.LinkDemoEnterprise(ctx, auth.CLI("test"), "demo-enterprise"); err != nil || linked != want {
				t.Errorf("link %d: linked %v (want %v), %v", i+1, linked, want, err)
			}
		}
	})
}
