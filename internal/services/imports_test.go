package services_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// registerPackages are the registers' packages (the module list imports
// them besides the foundations).
var registerPackages = []string{"sidi/internal/standards", "sidi/internal/bases", "sidi/internal/training", "sidi/internal/standards/pilots",
	"sidi/internal/ip/trademark", "sidi/internal/ip/gi", "sidi/internal/ip/patent", "sidi/internal/ip/protect",
	"sidi/internal/quality/nqi", "sidi/internal/quality/evalmodel", "sidi/internal/quality/sampling", "sidi/internal/quality/awards",
	"sidi/internal/environment/bizenv", "sidi/internal/inspect", "sidi/internal/equipment", "sidi/internal/alarms"}

// TestRegistersStayLocal: outside its own tree a register package is
// imported only by the module list (internal/services) and at most one web
// file, so adding or changing a register stays a local change. Every
// register is listed, standards (with declarations and 领跑者) too. A
// register's own commands live in its package and reach the binary through
// its module (Module.Commands); the benchmark commands of cmd/sidi
// (*_bench_cmd.go) and the measuring tools of scripts/bench still import
// the registers they measure.
func TestRegistersStayLocal(t *testing.T) {
	registers := registerPackages
	importers := map[string][]string{}
	root := "../.."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if slices.Contains(registers, p) {
				importers[p] = append(importers[p], filepath.ToSlash(strings.TrimPrefix(path, root+"/")))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, reg := range registers {
		own := strings.TrimPrefix(reg, "sidi/") + "/"
		web := 0
		for _, file := range importers[reg] {
			switch {
			case strings.HasPrefix(file, own), strings.HasPrefix(file, "internal/services/"),
				strings.HasPrefix(file, "cmd/sidi/") && strings.HasSuffix(file, "_bench_cmd.go"), strings.HasPrefix(file, "scripts/bench/"):
			case strings.HasPrefix(file, "internal/web/"):
				web++
			default:
				t.Errorf("%s imports %s: only the module list and one web file may", file, reg)
			}
		}
		if web > 1 {
			t.Errorf("%d web files import %s (at most one): %v", web, reg, importers[reg])
		}
		if len(importers[reg]) == 0 {
			t.Errorf("nobody imports %s: the walk is broken", reg)
		}
	}
}
