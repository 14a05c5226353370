package web

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

func TestOpenAPIDocMerge(t *testing.T) {
	base := `{"openapi": "3.1.0", "info": {"title": "t <x>"}, "paths": {"/api/v1/plan": {"get": {"summary": "方案"}}}}`
	cases := []struct {
		name  string
		files map[string]string
		paths int
		err   string
	}{
		{"base only", nil, 1, ""},
		{"two fragments", map[string]string{"a.json": `{"paths": {"/api/v1/a": {"get": {}}}}`, "b.json": `{"paths": {"/api/v1/b": {"post": {}}, "/api/v1/b/{id}": {"get": {}}}}`}, 4, ""},
		{"path twice", map[string]string{"a.json": `{"paths": {"/api/v1/a": {"get": {}}}}`, "b.json": `{"paths": {"/api/v1/a": {"post": {}}}}`}, 0, "already documented in a.json"},
		{"path of the base", map[string]string{"a.json": `{"paths": {"/api/v1/plan": {"post": {}}}}`}, 0, "already documented in openapi.json"},
		{"components in a fragment", map[string]string{"a.json": `{"paths": {"/api/v1/a": {"get": {}}}, "components": {}}`}, 0, `not "components"`},
		{"not under /api", map[string]string{"a.json": `{"paths": {"/a": {"get": {}}}}`}, 0, "not under /api/"},
		{"empty", map[string]string{"a.json": `{"paths": {}}`}, 0, "no paths object"},
		{"not JSON", map[string]string{"a.json": `{"paths": `}, 0, "a.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{"apidocs/openapi.json": {Data: []byte(base)}}
			for n, b := range c.files {
				fsys["apidocs/paths/"+n] = &fstest.MapFile{Data: []byte(b)}
			}
			doc, err := openAPIDoc(fsys)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err = %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Info  struct{ Title string }
				Paths map[string]any
			}
			if err := json.Unmarshal(doc, &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Paths) != c.paths || got.Info.Title != "t <x>" || strings.Contains(string(doc), `\u003c`) {
				t.Errorf("merged %d paths (want %d), title %q: %s", len(got.Paths), c.paths, got.Info.Title, doc)
			}
		})
	}
}
