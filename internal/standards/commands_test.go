package standards_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"sidi/internal/cli"
	"sidi/internal/standards"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// runCommand runs the register's command called name with args, over svc
// (nil: a command that must not open storage), and returns what it wrote.
func runCommand(t *testing.T, svc *standards.Service, name string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	open := func(context.Context, store.Config) (*standards.Service, func() error, error) {
		if svc == nil {
			t.Fatalf("%s opened storage", name)
		}
		return svc, func() error { return nil }, nil
	}
	for _, c := range standards.Commands(open) {
		if c.Name != name {
			continue
		}
		if c.Run == nil {
			t.Fatalf("%s is an alias of %q, not run here", name, c.Alias)
		}
		var out, errs bytes.Buffer
		e := &cli.Env{Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" }}
		err := c.Run(context.Background(), e, args)
		return out.String(), errs.String(), err
	}
	t.Fatalf("no command %q", name)
	return "", "", nil
}

// parsedCode is the JSON line `sidi standards code` prints for one code.
type parsedCode struct {
	Input, Normalized, Display, Family, Prefix, Region, Number, Amendment, Adopted, Error, Suggestion string
	Year                                                                                              int
	Valid                                                                                             bool
}

// TestCodeCommand: one JSON line per code, as written; an invalid code
// makes the command fail (exit 1) after printing every line, with a
// suggestion when the error is a correctable one.
func TestCodeCommand(t *testing.T) {
	for _, c := range []struct {
		name  string
		args  []string
		fails bool
		want  []func(parsedCode) bool
	}{
		{"local and adopted", []string{"DB63/T 2290—2024", "ＧＢ／Ｔ１９００１－２０１６/ISO 9001:2015"}, false, []func(parsedCode) bool{
			func(c parsedCode) bool {
				return c.Normalized == "DB63/T2290-2024" && c.Display == "DB63/T 2290—2024" && c.Family == "local" && c.Region == "63" && c.Year == 2024 && c.Valid
			},
			func(c parsedCode) bool { return c.Adopted == "ISO 9001:2015" && c.Prefix == "GB/T" },
		}},
		{"one invalid", []string{"GBZ 2.1-2019", "nonsense"}, true, []func(parsedCode) bool{
			func(c parsedCode) bool { return c.Valid && c.Prefix == "GBZ" },
			func(c parsedCode) bool { return !c.Valid },
		}},
		{"suggestion", []string{"JGJ/T 98-2010", "DB63/T 9242019"}, true, []func(parsedCode) bool{
			func(c parsedCode) bool { return c.Valid && c.Normalized == "JGJ/T98-2010" },
			func(c parsedCode) bool {
				return !c.Valid && c.Suggestion == "DB63/T 924—2019" && strings.Contains(c.Error, "是否为 DB63/T 924—2019")
			},
		}},
		{"flags anywhere, -- ends them", []string{"--", "-GB 1"}, true, []func(parsedCode) bool{
			func(c parsedCode) bool { return c.Input == "-GB 1" && !c.Valid },
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := runCommand(t, nil, "standards code", c.args...)
			if (err != nil) != c.fails {
				t.Fatalf("error %v, want failure %v", err, c.fails)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != len(c.want) {
				t.Fatalf("%d lines, want %d: %q", len(lines), len(c.want), out)
			}
			for i, ok := range c.want {
				var p parsedCode
				if err := json.Unmarshal([]byte(lines[i]), &p); err != nil || !ok(p) {
					t.Errorf("line %d: %+v %v", i+1, p, err)
				}
			}
		})
	}
	if _, _, err := runCommand(t, nil, "standards code"); !errors.As(err, new(cli.UsageError)) {
		t.Errorf("no code: %v, want a usage error", err)
	}
}

// TestSearchCommand: flags after the query are flags, not words of it; a
// limit outside 1–100 is refused, not clamped.
func TestSearchCommand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := seeded(t, db)
		for _, c := range []struct {
			name  string
			args  []string
			usage bool
			hits  int
		}{
			{"flags after the query", []string{"牦牛", "--limit", "2"}, false, 2},
			{"flags before it", []string{"--limit=1", "牦牛"}, false, 1},
			{"limit too large", []string{"牦牛", "--limit", "500"}, true, 0},
			{"limit zero", []string{"--limit", "0", "牦牛"}, true, 0},
			{"no query", []string{"--limit", "5"}, true, 0},
		} {
			t.Run(c.name, func(t *testing.T) {
				out, _, err := runCommand(t, svc, "standards search", c.args...)
				if c.usage {
					if !errors.As(err, new(cli.UsageError)) {
						t.Fatalf("error %v, want a usage error", err)
					}
					return
				}
				var res struct {
					Query string
					Total int
					Hits  []struct{ Code, Title string }
				}
				if err != nil || json.Unmarshal([]byte(out), &res) != nil {
					t.Fatalf("%v: %s", err, out)
				}
				if res.Query != "牦牛" || res.Total != 3 || len(res.Hits) != c.hits {
					t.Errorf("query %q: %d hits of %d, want %d of 3", res.Query, len(res.Hits), res.Total, c.hits)
				}
			})
		}
	})
}

// TestImportAlias: `sidi standards import` is the binary's `sidi import
// standards` under its old name (the binary dispatches the alias).
func TestImportAlias(t *testing.T) {
	found := false
	for _, c := range standards.Commands(nil) {
		if c.Name == "standards import" {
			found = true
			if c.Alias != "import standards" || c.Run != nil {
				t.Errorf("standards import: alias %q, run set %v", c.Alias, c.Run != nil)
			}
		}
	}
	if !found {
		t.Error("no standards import command")
	}
}
