package services

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestLabelsCoverCode reads the source of every package under internal/ and
// fails on an entity or action the code records (a string literal given as
// Entity/Action, assigned to an action variable or constant, or passed as a
// report transition) that has no Chinese label.
func TestLabelsCoverCode(t *testing.T) {
	var (
		entityRe = regexp.MustCompile(`\bEntity:\s*"([a-z_]+)"|\b[A-Z]\w*Entity\s*=\s*"([a-z_]+)"`)
		actionRe = regexp.MustCompile(`\bAction:\s*"([a-z_]+)"|\b[A-Z]\w*Action\s*=\s*"([a-z_]+)"|\bAction[A-Z]\w*\s*=\s*"([a-z_]+)"|\baction\s*:?=\s*"([a-z_]+)"|\.transition\(ctx, p, id, "([a-z_]+)"`)
	)
	found := map[string]map[string]string{"entity": {}, "action": {}} // code → file
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for kind, re := range map[string]*regexp.Regexp{"entity": entityRe, "action": actionRe} {
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				for _, code := range m[1:] {
					if code != "" {
						found[kind][code] = path
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found["entity"]) < 20 || len(found["action"]) < 20 {
		t.Fatalf("the scan found %d entities and %d actions: it no longer reads the code", len(found["entity"]), len(found["action"]))
	}
	names, err := AuditLabels()
	if err != nil {
		t.Fatal(err)
	}
	for kind, codes := range found {
		labels := map[string]map[string]string{"entity": names.Entities, "action": names.Actions}[kind]
		for code, path := range codes {
			if _, ok := labels[code]; !ok {
				t.Errorf("%s %q (recorded in %s) has no Chinese label: name it in the register's AuditLabels (or audit.Foundations for a foundation)", kind, code, path)
			}
		}
	}
}

// TestAuditValuesOfStandards: the standards register names its recorded
// codes through its modules (the 操作日志 no longer knows them itself).
func TestAuditValuesOfStandards(t *testing.T) {
	values := AuditValues()
	for _, c := range []struct{ entity, field, code, want string }{
		{"standard", "status", "project", "制修订中"},
		{"leader_scheme", "status", "published", "已发布"},
	} {
		if got := values[c.entity][c.field][c.code]; got != c.want {
			t.Errorf("%s.%s %q: %q, want %q", c.entity, c.field, c.code, got, c.want)
		}
	}
}
