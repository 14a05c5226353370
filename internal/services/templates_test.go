package services_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sidi/internal/services"
	"sidi/internal/web"
)

// TestSharedTemplatesNameNoRegister: a template of the web package that no
// register's web file renders (the layout, the desk, the enterprise
// directory …) links to no register's page, so that adding, moving or
// removing a register edits no shared template. The menu comes from the
// route table, the desk from the modules' Desk sections, a foundation
// page's links to a register from the route's LinkFrom.
func TestSharedTemplatesNameNoRegister(t *testing.T) {
	const dir = "../web"
	// The registers' web files are those that import a register; the
	// templates they render are theirs.
	registers := map[string]bool{}
	for _, p := range registerPackages {
		registers[p] = true
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var registerSrc strings.Builder
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(f.Imports, func(im *ast.ImportSpec) bool { p, _ := strconv.Unquote(im.Path.Value); return registers[p] }) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			registerSrc.Write(src)
		}
	}
	// A register's pages are the first path segments of its routes that
	// no foundation route uses.
	srv := web.New(web.Deps{})
	foundation := map[string]bool{}
	for _, rt := range srv.Routes() {
		foundation[segment(rt.Pattern)] = true
	}
	owner := map[string]string{}
	for _, m := range services.Modules() {
		for _, rt := range m.Pages(nil)(srv) {
			if seg := segment(rt.Pattern); !foundation[seg] {
				owner[seg] = m.Name
			}
		}
	}
	if owner["standards"] == "" || owner["declarations"] != "declarations" {
		t.Fatalf("register pages: %v", owner)
	}
	link := regexp.MustCompile(`(?:href|action|Opens)=?\s*"/([a-z0-9-]+)[/"?{]`)
	templates, err := filepath.Glob(filepath.Join(dir, "templates", "*"))
	if err != nil {
		t.Fatal(err)
	}
	// The templates a register's file renders: by name (s.render(w, r, rc,
	// status, "name", …) or a list's Template: "name") or by file.
	named := regexp.MustCompile(`render\([^,]+,[^,]+,[^,]+,[^,]+,\s*"([a-z_]+)"|Template:\s*"([a-z_]+)"|"templates/([a-z_.]+)"`)
	own := map[string]bool{}
	for _, m := range named.FindAllStringSubmatch(registerSrc.String(), -1) {
		own[m[1]+m[2]+m[3]] = true
	}
	if !own["standards_search"] || !own["alarm_parts.tmpl"] {
		t.Fatalf("templates of the registers' files: %v", own)
	}
	// The layout and the shared pieces go with every page (and parts.tmpl
	// with every register's partials file): a register naming them does
	// not make them its own.
	for _, name := range []string{"layout", "parts.tmpl"} {
		delete(own, name)
	}
	shared := 0
	for _, file := range templates {
		base := filepath.Base(file)
		name := strings.TrimSuffix(base, filepath.Ext(base))
		if own[name] || own[base] {
			continue
		}
		shared++
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range link.FindAllStringSubmatch(string(src), -1) {
			if mod, ok := owner[m[1]]; ok {
				t.Errorf("shared template %s names a page of %s: %s", filepath.Base(file), mod, m[0])
			}
		}
	}
	if shared < 5 {
		t.Errorf("only %d shared templates found: the scan no longer reads the web package", shared)
	}
}

// segment is the first path segment of a route pattern ("/standards/{id}"
// → "standards").
func segment(pattern string) string {
	seg, _, _ := strings.Cut(strings.TrimPrefix(pattern, "/"), "/")
	return seg
}
