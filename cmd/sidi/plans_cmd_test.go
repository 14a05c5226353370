package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestPlanCommandsSeveralPlans: `sidi plan import` makes a new plan with
// --new-plan and a new version of a named plan with --plan, flags before
// or after the file; an unknown code is refused by import, list and
// bulletin, and nothing is written; `plan list --plan` lists one plan.
func TestPlanCommandsSeveralPlans(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			st := storageArgs(storetest.Config(t, d))
			second := "../../internal/plan/testdata/corpus/036.txt"
			seed, err := os.ReadFile(seedPath)
			if err != nil {
				t.Fatal(err)
			}
			amended := filepath.Join(t.TempDir(), "amended.txt")
			text := strings.Replace(string(seed), "成功注册马德里国际商标 20件以上", "成功注册马德里国际商标30件以上", 1)
			if err := os.WriteFile(amended, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			steps := []struct {
				args []string
				exit int
				want string
			}{
				// flags after the file
				{append([]string{"plan", "import", seedPath, "--new-plan", "--plan", "qh", "--approve"}, st...), 0, "已导入方案 qh 第 1 版"},
				// flags before the file
				{append(append([]string{"plan", "import"}, st...), "--new-plan", "--plan", "cn-preschool", second), 0, "已导入方案 cn-preschool 第 1 版"},
				{append(append([]string{"plan", "import"}, st...), "--new-plan", "--plan", "qh", second), 1, "已有代码为“qh”的方案"},
				{append(append([]string{"plan", "import"}, st...), "--plan", "nope", amended), 1, "没有代码为“nope”的工作方案"},
				{append(append([]string{"plan", "import"}, st...), "--plan", "../../etc", amended), 1, "方案代码“../../etc”不合规"},
				{append([]string{"plan", "import", amended, "--plan", "qh", "--approve"}, st...), 0, "已导入方案 qh 第 2 版"},
				{append([]string{"plan", "list", "--plan", "qh"}, st...), 0, "qh\tv1\t已被替代"},
				{append([]string{"plan", "list", "--plan", "nope"}, st...), 1, "没有代码为“nope”的工作方案"},
				{append([]string{"bulletin", "--period", "2022Q1", "--out", "-", "--plan", "nope"}, st...), 1, "没有代码为“nope”的工作方案"},
			}
			for _, s := range steps {
				code, out, errs := runCLI(t, s.args...)
				if code != s.exit || !strings.Contains(out+errs, s.want) {
					t.Errorf("sidi %s: exit %d, want %d with %q\nstdout: %s\nstderr: %s", strings.Join(s.args[:2], " "), code, s.exit, s.want, out, errs)
				}
			}
			code, out, errs := runCLI(t, append([]string{"plan", "list", "--plan", "qh"}, st...)...)
			if code != 0 || strings.Count(out, "\n") != 2 || strings.Contains(out, "cn-preschool") || !strings.Contains(out, "qh\tv2\t现行版本") {
				t.Errorf("plan list --plan qh: %d\n%s%s", code, out, errs)
			}
			code, out, _ = runCLI(t, append([]string{"plan", "list"}, st...)...)
			if code != 0 || strings.Count(out, "\n") != 3 || !strings.Contains(out, "cn-preschool\tv1\t待审核草稿") {
				t.Errorf("plan list: %d\n%s", code, out)
			}
		})
	}
}
