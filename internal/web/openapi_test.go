package web_test

import (
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"sidi/internal/services"
	"sidi/internal/web"
)

// TestOpenAPIMatchesRoutes keeps the published API description and the
// route table in step: every API route is documented and every documented
// operation exists.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	b, err := os.ReadFile("static/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	documented := map[string]bool{}
	for path, ops := range spec.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	routed := map[string]bool{}
	for _, rt := range web.New(web.Deps{Pages: services.Pages(nil)}).Routes() {
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
}
