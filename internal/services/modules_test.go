package services_test

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/services"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/web"
)

// TestModuleList checks the module list's own rules: unique names, a seed
// always with its message, and no two modules serving one route.
func TestModuleList(t *testing.T) {
	mods := services.Modules()
	names := map[string]bool{}
	for _, m := range mods {
		if m.Name == "" || m.Title == "" || names[m.Name] {
			t.Errorf("module %q (%q): a name and a title, unique", m.Name, m.Title)
		}
		names[m.Name] = true
		if (m.Seed == nil) != (m.SeedDone == "") || (m.SeedDone != "" && strings.Count(m.SeedDone, "%d") != 1) {
			t.Errorf("%s: Seed and SeedDone (one %%d) go together", m.Name)
		}
		if m.Pages == nil {
			t.Errorf("%s: no pages", m.Name)
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

// storedKindCodes pins the code of every search kind a database may hold.
// The code is stored (the top byte of SQLite's rowid, PostgreSQL's
// search_postings.kind), so changing it would corrupt every index built
// before: a kind keeps its line here for good, and a retired kind's code
// is never given to another.
var storedKindCodes = map[string]int64{
	"standard":    1,
	"declaration": 2,
	"gi_product":  20,
	"agri_cert":   21,
	"brand":       22,
	"trademark":   23,
	"patent":      24,
}

// TestSearchKinds checks the modules' search kinds: valid, no name or code
// twice (services.SearchKinds), each pinned kind declared with exactly its
// code, and no new kind taking a pinned kind's code.
func TestSearchKinds(t *testing.T) {
	kinds, err := services.SearchKinds()
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]int64{}
	for _, k := range kinds {
		declared[k.Name] = k.Code
		for name, code := range storedKindCodes {
			if code == k.Code && name != k.Name {
				t.Errorf("search kind %q takes code %d of %q", k.Name, code, name)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(storedKindCodes)) {
		if code, ok := declared[name]; !ok || code != storedKindCodes[name] {
			t.Errorf("search kind %q: declared %v with code %d, stored indexes hold code %d", name, ok, code, storedKindCodes[name])
		}
	}
	// Each module's kinds indexed after their writes are its own kinds.
	for _, m := range services.Modules() {
		if m.SearchSources == nil {
			continue
		}
		for _, src := range m.SearchSources(&services.Set{}) {
			if !slices.Contains(m.SearchKinds, src.Kind) {
				t.Errorf("%s: search source %v is not one of its SearchKinds %v", m.Name, src.Kind, m.SearchKinds)
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
