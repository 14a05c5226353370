package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// The API description is apidocs/openapi.json (the foundations' paths and
// the shared components) with every file of apidocs/paths/ added to it: one
// a register, {"paths": {…}} holding that register's operations, so adding a
// register adds a file and edits none. A path documented twice is an
// error, as is a fragment that is not a paths object.

// openAPIDoc merges apidocs/openapi.json and the fragments of
// apidocs/paths into one document.
func openAPIDoc(files fs.FS) ([]byte, error) {
	base, err := fs.ReadFile(files, "apidocs/openapi.json")
	if err != nil {
		return nil, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	paths := map[string]json.RawMessage{}
	if err := json.Unmarshal(doc["paths"], &paths); err != nil {
		return nil, fmt.Errorf("openapi.json paths: %w", err)
	}
	from := map[string]string{}
	for p := range paths {
		from[p] = "openapi.json"
	}
	names, err := fs.Glob(files, "apidocs/paths/*.json")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	for _, name := range names {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, err
		}
		var frag map[string]json.RawMessage
		if err := json.Unmarshal(b, &frag); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for k := range frag {
			if k != "paths" {
				return nil, fmt.Errorf("%s: only \"paths\" may be given, not %q", name, k)
			}
		}
		var fp map[string]json.RawMessage
		if err := json.Unmarshal(frag["paths"], &fp); err != nil || len(fp) == 0 {
			return nil, fmt.Errorf("%s: no paths object (%v)", name, err)
		}
		for p, item := range fp {
			if !strings.HasPrefix(p, "/api/") {
				return nil, fmt.Errorf("%s: path %q is not under /api/", name, p)
			}
			if prev, dup := from[p]; dup {
				return nil, fmt.Errorf("%s: path %s is already documented in %s", name, p, prev)
			}
			from[p], paths[p] = path.Base(name), item
		}
	}
	if doc["paths"], err = marshalNoEscape(paths); err != nil {
		return nil, err
	}
	return marshalNoEscape(doc)
}

// marshalNoEscape is json.Marshal without escaping <, > and & (the
// descriptions are Chinese prose read by people).
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// OpenAPI is the API description the server publishes at
// /api/v1/openapi.json (for the test that keeps it in step with the routes).
func (s *Server) OpenAPI() ([]byte, error) { return s.openapi, s.openapiErr }
