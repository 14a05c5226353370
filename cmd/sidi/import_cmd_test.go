package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKinds(t *testing.T) {
	code, out, errs := runCLI(t, "kinds")
	if code != 0 || !strings.Contains(out, "standards\t") || !strings.Contains(out, "表头 header: 标准号,标准名称,标准状态,发布日期,实施日期,ICS,CCS,归口单位,起草单位,代替标准") ||
		!strings.Contains(out, "declarations\t") {
		t.Fatalf("kinds: exit %d, %s %s", code, out, errs)
	}
	code, out, _ = runCLI(t, "kinds", "--json")
	var kinds []struct {
		Name   string
		Header []string
		Export bool
	}
	if err := json.Unmarshal([]byte(out), &kinds); err != nil || code != 0 || len(kinds) < 2 || kinds[0].Name != "standards" || kinds[0].Header[0] != "标准号" || !kinds[0].Export {
		t.Errorf("kinds --json: %v %+v", err, kinds)
	}
}

func TestImportExport(t *testing.T) {
	dir := t.TempDir()
	head := "标准号,标准名称,标准状态,发布日期,实施日期,ICS,代替标准\n"
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte(head+
		"DB63/T 2290—2024,牦牛奶粉加工技术规范,现行,2024-03-01,2024-04-01,67.100.10,\n"+
		"DB63/T 1000-2011,枸杞干果,被代替,2011-01-01,2011-02-01,,\n"+
		"DB63/T 1000-2023,枸杞干果,现行,2023-05-01,2023-06-01,67.080.10,DB63/T 1000-2011\n"), 0o644)
	count := func() int {
		t.Helper()
		out := filepath.Join(dir, "count.csv")
		code, _, errs := runCLI(t, "export", "standards", "--out", out, "--data", dir)
		if code != 0 {
			t.Fatalf("export: exit %d %s", code, errs)
		}
		f, _ := os.Open(out)
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return len(rows) - 1
	}
	// Flags after the positional arguments.
	code, out, errs := runCLI(t, "import", "standards", good, "--data", dir)
	if code != 0 || !strings.Contains(out, "已处理 3 行：新增 3，更新 0，未变 0") {
		t.Fatalf("import: exit %d, %q %s", code, out, errs)
	}
	if n := count(); n != 3 {
		t.Fatalf("%d records after import", n)
	}
	// All or nothing: one bad row among new ones writes nothing.
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte(head+
		"DB63/T 3001—2024,藏羊肉分割规范,现行,2024-03-01,2024-04-01,,\n"+
		"DB63/T 3002—2024,青稞酒,现行,2024-02-30,2024-04-01,,\n"+
		"DB63/T 3003—2024,=SUM(A1:A9),现行,2024-03-01,2024-04-01,,\n"+
		"DB63/T 3004—2024,枸杞汁,作废,2024-03-01,2024-04-01,,\n"), 0o644)
	code, _, errs = runCLI(t, "import", "standards", "--data", dir, bad)
	for _, want := range []string{"第 3 行 D 列（发布日期）：日期“2024-02-30”无效", "第 4 行 B 列（标准名称）：", "疑似公式", "第 5 行 C 列（标准状态）", "3 行有错误，未导入任何记录"} {
		if code != 1 || !strings.Contains(errs, want) {
			t.Errorf("bad import: exit %d, stderr lacks %q:\n%s", code, want, errs)
		}
	}
	if n := count(); n != 3 {
		t.Errorf("%d records after a refused import, want 3", n)
	}
	// --dry-run checks and writes nothing, with or without --skip-invalid.
	code, out, errs = runCLI(t, "import", "standards", bad, "--dry-run", "--skip-invalid", "--data", dir)
	if code != 0 || !strings.Contains(out, "仅校验，未写入：共 4 行，正确 1 行，错误 3 行") {
		t.Errorf("--dry-run --skip-invalid: exit %d, %q %s", code, out, errs)
	}
	if code, _, errs = runCLI(t, "import", "standards", bad, "--dry-run", "--data", dir); code != 1 || !strings.Contains(errs, "3 行有错误，未导入任何记录") {
		t.Errorf("--dry-run: exit %d %s", code, errs)
	}
	if n := count(); n != 3 {
		t.Errorf("%d records after a dry run, want 3", n)
	}
	// --skip-invalid: the good row goes in, the bad ones to the rejects file.
	rejects := filepath.Join(dir, "rejects.csv")
	code, out, errs = runCLI(t, "import", "standards", bad, "--skip-invalid", "--rejects", rejects, "--data", dir)
	if code != 0 || !strings.Contains(out, "新增 1") || !strings.Contains(out, "跳过错误行 3") || !strings.Contains(errs, "有 3 行错误未导入") {
		t.Fatalf("--skip-invalid: exit %d, %q %s", code, out, errs)
	}
	f, err := os.Open(rejects)
	if err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	f.Close()
	if err != nil || len(rows) != 4 {
		t.Fatalf("rejects: %v %q", err, rows)
	}
	if got := strings.Join(rows[1], "|"); !strings.HasPrefix(got, "3|发布日期|日期“2024-02-30”无效") || !strings.HasSuffix(got, "|DB63/T 3002—2024|青稞酒|现行|2024-02-30|2024-04-01||") {
		t.Errorf("rejects row: %q", got)
	}
	if rows[2][0] != "4" || rows[2][1] != "标准名称" || rows[3][0] != "5" || rows[3][1] != "标准状态" {
		t.Errorf("rejects rows: %q", rows[2:])
	}
	if n := count(); n != 4 {
		t.Errorf("%d records after --skip-invalid, want 4", n)
	}
	// The audit chain holds the batch entries.
	if code, out, errs := runCLI(t, "audit", "verify", "--data", dir); code != 0 {
		t.Errorf("audit verify: exit %d %s %s", code, out, errs)
	}
	// An export imports back unchanged, as CSV and as a workbook.
	for _, format := range []string{"csv", "xlsx"} {
		file := filepath.Join(dir, "all."+format)
		if code, _, errs := runCLI(t, "export", "standards", "--format", format, "--out", file, "--data", dir); code != 0 {
			t.Fatalf("export %s: %s", format, errs)
		}
		code, out, errs = runCLI(t, "import", "standards", file, "--data", dir)
		if code != 0 || !strings.Contains(out, "新增 0，更新 0，未变 4") {
			t.Errorf("re-import of the %s export: exit %d %q %s", format, code, out, errs)
		}
	}
	if code, _, errs := runCLI(t, "export", "standards", "--format", "pdf", "--out", filepath.Join(dir, "x.pdf"), "--data", dir); code != 2 || !strings.Contains(errs, "--format") {
		t.Errorf("--format pdf: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "import", "no-such-kind", good, "--data", dir); code != 2 || !strings.Contains(errs, "未知的类型") {
		t.Errorf("unknown kind: exit %d %s", code, errs)
	}
}

// TestDemoRegistryRoundTrip: what `sidi export standards` writes from a
// real-looking registry (the demo's, with drug standards, a compilation
// without a code, projects and a standard not yet in force) imports back
// with nothing refused and nothing changed.
func TestDemoRegistryRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCLI(t, "demo", "--no-serve", "--data", dir); code != 0 {
		t.Fatal(errs)
	}
	for _, format := range []string{"csv", "xlsx"} {
		file := filepath.Join(dir, "registry."+format)
		code, out, errs := runCLI(t, "export", "standards", "--format", format, "--out", file, "--data", dir)
		if code != 0 || !strings.Contains(out, "已导出") {
			t.Fatalf("export %s: exit %d %s %s", format, code, out, errs)
		}
		code, out, errs = runCLI(t, "import", "standards", file, "--data", dir)
		if code != 0 || !strings.Contains(out, "新增 0，更新 0，未变") || !strings.Contains(out, "跳过错误行 0") {
			t.Errorf("re-import of the %s export: exit %d\n%s\n%s", format, code, out, errs)
		}
	}
}

// TestImportIndexesAfterwards: `sidi import trademarks` leaves the marks
// searchable when it ends (the catalogue is indexed after the import) and
// says so; the same file again indexes nothing.
func TestImportIndexesAfterwards(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "marks.csv")
	os.WriteFile(file, []byte("注册号,商标名称,国际分类,注册人,统一社会信用代码,行政区划代码,申请日期,注册日期,专用权期限至,商标类型,马德里国际注册号,状态\n"+
		"12345678,昆仑雪,29;30,青海昆仑食品有限公司,,630102,2014-01-02,2015-03-14,2025-03-13,普通,,有效\n"+
		"23456789,柴达木枸杞,29,海西州枸杞协会,,632800,2009-05-01,2010-06-07,2030-06-06,证明,,有效\n"), 0o644)
	code, out, errs := runCLI(t, "import", "trademarks", file, "--data", dir)
	if code != 0 || !strings.Contains(out, "新增 2") || !strings.Contains(out, "检索索引 search index: trademark 2 条") {
		t.Fatalf("import: exit %d, %q %s", code, out, errs)
	}
	code, out, errs = runCLI(t, "import", "trademarks", "--data", dir, file)
	if code != 0 || !strings.Contains(out, "未变 2") || strings.Contains(out, "检索索引") {
		t.Fatalf("again: exit %d, %q %s", code, out, errs)
	}
}
