package web_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sidi/internal/services"
	"sidi/internal/web"
)

// TestOpenAPIMatchesRoutes keeps the published API description and the
// route table in step: every API route is documented and every documented
// operation exists; a register's operations are documented in its own
// file, apidocs/paths/NAME.json, named after its module.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	srv := web.New(web.Deps{Pages: services.Pages(nil)})
	b, err := srv.OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if spec.OpenAPI == "" || len(spec.Paths) < 100 {
		t.Fatalf("the merged description has version %q and %d paths", spec.OpenAPI, len(spec.Paths))
	}
	documented := map[string]bool{}
	for path, ops := range spec.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	routed := map[string]bool{}
	for _, rt := range srv.Routes() {
		if !strings.HasPrefix(rt.Pattern, "/api/") || rt.Pattern == "/api/v1/openapi.json" {
			continue
		}
		if !rt.API {
			t.Errorf("%s %s is under /api/ but not marked API", rt.Method, rt.Pattern)
		}
		routed[rt.Method+" "+rt.Pattern] = true
	}
	var missing, stale []string
	for k := range routed {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !routed[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	for _, k := range missing {
		t.Errorf("route %s is not in openapi.json", k)
	}
	for _, k := range stale {
		t.Errorf("openapi.json documents %s, which no route serves", k)
	}

	// Each module's API paths are in the file named after it, and that
	// file documents only the module's paths.
	owner := map[string]string{}
	for _, m := range services.Modules() {
		if m.Pages == nil {
			continue
		}
		for _, rt := range m.Pages(nil)(srv) {
			if strings.HasPrefix(rt.Pattern, "/api/") {
				owner[rt.Pattern] = m.Name
			}
		}
	}
	files, err := filepath.Glob("apidocs/paths/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fragments in apidocs/paths (%v)", err)
	}
	inFile := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var frag struct {
			Paths map[string]json.RawMessage `json:"paths"`
		}
		if err := json.Unmarshal(b, &frag); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		for p := range frag.Paths {
			inFile[p] = name
			if owner[p] != name {
				t.Errorf("%s documents %s, served by module %q", f, p, owner[p])
			}
		}
	}
	for p, m := range owner {
		if inFile[p] != m {
			t.Errorf("module %s serves %s but apidocs/paths/%s.json does not document it", m, p, m)
		}
	}
}
