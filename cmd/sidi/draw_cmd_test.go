package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sidi/internal/creditcode"
)

// TestDrawCLI runs a draw from the command line (the inspect register's
// command, through its module), verifies its record without a database,
// refuses a tampered record, redraws after an avoidance claim and
// archives a brand document (the GI register's command).
func TestDrawCLI(t *testing.T) {
	dir := t.TempDir()
	write := fileWriter(t, dir)
	mustRun := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("sidi %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
		}
		return out
	}
	var ents strings.Builder
	ents.WriteString("统一社会信用代码,名称,行政区划代码,类型,风险等级\n")
	var codes []string
	for i := range 12 {
		first := fmt.Sprintf("91630100MA75%05d", i)
		code := first + string(creditcode.Check(first))
		codes = append(codes, code)
		fmt.Fprintf(&ents, "%s,测试主体%d,630102,有限责任公司,%c\n", code, i, "ABCD"[i%4])
	}
	mustRun("import", "inspection_items", write("items.csv", "事项编码,事项名称,检查对象,法律依据,检查方式,类别\nQH-T-001,食品经营者检查,食品经营者,《中华人民共和国食品安全法》,现场检查,一般\n"), "--data", dir)
	mustRun("import", "entities", write("e.csv", ents.String()), "--data", dir)
	mustRun("import", "inspectors", write("i.csv", "执法证号,姓名,单位,专业领域,回避企业\n63010001,张一,西宁市市场监督管理局,食品,\n63010002,李二,西宁市市场监督管理局,食品,\n63010003,王三,西宁市市场监督管理局,食品,\n63010004,赵四,西宁市市场监督管理局,食品,\n"), "--data", dir)

	task := write("task.json", `{"name":"命令行抽查","items":["QH-T-001"],"scope":{"region_prefix":"63"},"ratios":{"A":0.5,"B":0.5,"C":0.5,"D":1},"team_size":2}`)
	rec := filepath.Join(dir, "record.json")
	out := mustRun("draw", "run", task, "--out", rec, "--seed", strings.Repeat("ab", 32), "--data", dir)
	if !strings.Contains(out, "已承诺") || !strings.Contains(out, "记录已写入") {
		t.Fatalf("draw run: %s", out)
	}
	if out := mustRun("draw", "verify", rec); !strings.Contains(out, "验证通过") {
		t.Fatalf("verify: %s", out)
	}
	body, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	tampered := write("tampered.json", strings.Replace(string(body), strings.Repeat("ab", 32), strings.Repeat("cd", 32), 1))
	if code, _, errs := runCLI(t, "draw", "verify", tampered); code == 0 || !strings.Contains(errs, "验证未通过") {
		t.Fatalf("a tampered record verified: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "draw", "run", task, "--data", dir); code != 2 || !strings.Contains(errs, "--out") {
		t.Fatalf("draw run without --out: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "draw", "redraw", "x", "--entity", codes[0], "--inspector", "63010001", "--reason", "亲属", "--out", rec, "--data", dir); code != 2 || !strings.Contains(errs, "抽取编号") {
		t.Fatalf("redraw with a bad id: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "brand-archive", "0", rec, "--data", dir); code != 2 || !strings.Contains(errs, "品牌编号") {
		t.Fatalf("brand-archive with a bad id: %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "brand-archive", "99", rec, "--data", dir); code != 1 || errs == "" {
		t.Fatalf("brand-archive of a missing brand: %d %s", code, errs)
	}
}
