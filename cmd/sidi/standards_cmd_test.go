package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The register's commands are tested in its package (internal/standards);
// these run them through the binary: its module, the storage flags and the
// alias of sidi import standards.

func TestStandardsImportAndSearch(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "std.csv")
	os.WriteFile(file, []byte("标准号,标准名称,标准状态,发布日期,实施日期\nDB63/T 2290—2024,牦牛奶粉加工技术规范,现行,2024-03-01,2024-04-01\nDB63/T 2291—2024,黄牛与白牦分群管理规范,现行,2024-03-01,2024-04-01\n"), 0o644)
	code, out, errs := runCLI(t, "standards", "import", "--data", dir, file)
	if code != 0 || !strings.Contains(out, "新增 2") || strings.Contains(out, "\r") {
		t.Fatalf("import: exit %d, out %q, err %s", code, out, errs)
	}
	code, out, _ = runCLI(t, "standards", "import", "--data", dir, file)
	if code != 0 || !strings.Contains(out, "未变 2") {
		t.Fatalf("reimport: exit %d, %s", code, out)
	}
	// The alias takes the options of sidi import; a missing file is a usage error.
	code, out, _ = runCLI(t, "standards", "import", file, "--dry-run", "--data", dir)
	if code != 0 || !strings.Contains(out, "仅校验，未写入") {
		t.Errorf("alias with --dry-run: exit %d, %s", code, out)
	}
	if code, _, errs := runCLI(t, "standards", "import", "--data", dir); code != 2 || !strings.Contains(errs, "用法 usage") {
		t.Errorf("alias without a file: exit %d, %s", code, errs)
	}
	// Flags after the query are flags, not words of the query; a limit
	// outside 1–100 is refused, not clamped.
	code, out, _ = runCLI(t, "standards", "search", "牦牛", "--limit", "5", "--data", dir)
	var res struct {
		Total int
		Hits  []struct {
			Code, Title string
			Score       int
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 {
		t.Fatalf("search: %v %s", err, out)
	}
	if res.Total != 1 || res.Hits[0].Code != "DB63/T 2290—2024" || res.Hits[0].Score != 100 {
		t.Errorf("search 牦牛: %+v", res)
	}
	if code, _, errs := runCLI(t, "standards", "search", "牦牛", "--limit", "500", "--data", dir); code != 2 || !strings.Contains(errs, "--limit") {
		t.Errorf("--limit 500: exit %d, %s", code, errs)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("标准号,标准名称,标准状态,发布日期,实施日期\nDB63/T 1—2024,甲,现行,2024-03-01,2024-04-01\nDB63/T 2—2024,乙,现行,2024-03-01,2024-04-01\nDB63/T 3—2024,丙,现行,2024-03-01,2024-04-01\nDB63/T 4—2024,丁,现行,2024-02-30,2024-04-01\n"), 0o644)
	code, _, errs = runCLI(t, "standards", "import", "--data", dir, bad)
	if code != 1 || !strings.Contains(errs, "第 5 行 D 列（发布日期）：") {
		t.Errorf("bad import: exit %d, %s", code, errs)
	}
}

func TestStandardsBench(t *testing.T) {
	// A fresh temporary directory by default, removed afterwards.
	code, out, errs := runCLI(t, "standards", "bench", "--records", "500", "--rounds", "1", "--like-rounds", "1")
	if code != 0 {
		t.Fatalf("bench: exit %d: %s", code, errs)
	}
	for _, want := range []string{"engine sqlite, 500 records (400 standards, 100 declarations of 20 enterprises)", "records/s", "index size: full-text",
		"| 1字 | 盐 |", "| 标准号 |", "| 声明 |", "speed-up over LIKE", "已清除基准测试数据"} {
		if !strings.Contains(out, want) {
			t.Errorf("bench output lacks %q:\n%s", want, out)
		}
	}
	// A directory it created itself may be benchmarked again (--keep leaves the data).
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		if code, _, errs := runCLI(t, "standards", "bench", "--records", "200", "--rounds", "1", "--like-rounds", "1", "--keep", "--data", dir); code != 0 {
			t.Fatalf("bench run %d on its own directory: exit %d: %s", i+1, code, errs)
		}
	}
	// --reuse measures the kept records without loading; a different size is refused.
	code, out, errs = runCLI(t, "standards", "bench", "--records", "200", "--rounds", "1", "--like-rounds", "1", "--reuse", "--keep", "--data", dir)
	if code != 0 || !strings.Contains(out, "not measured") || !strings.Contains(out, "| 2字 | 牦牛 |") {
		t.Errorf("--reuse: exit %d: %s\n%s", code, errs, out)
	}
	if code, _, errs := runCLI(t, "standards", "bench", "--records", "300", "--rounds", "1", "--like-rounds", "1", "--reuse", "--data", dir); code == 0 || !strings.Contains(errs, "--reuse") {
		t.Errorf("--reuse with another size: exit %d: %s", code, errs)
	}
	// A directory with real data is refused and left as it was.
	real := t.TempDir()
	file := filepath.Join(real, "std.csv")
	os.WriteFile(file, []byte("标准号,标准名称,标准状态,发布日期,实施日期\nDB63/T 2290—2024,牦牛奶粉加工技术规范,现行,2024-03-01,2024-04-01\n"), 0o644)
	if code, _, errs := runCLI(t, "standards", "import", "--data", real, file); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	code, _, errs = runCLI(t, "standards", "bench", "--records", "100", "--data", real)
	if code != 1 || !strings.Contains(errs, "请使用空的数据目录或数据库") {
		t.Errorf("bench over real data: exit %d, %s", code, errs)
	}
	code, out, _ = runCLI(t, "standards", "search", "--data", real, "牦牛")
	if code != 0 || !strings.Contains(out, "DB63/T 2290—2024") {
		t.Errorf("real data after the refusal: %s", out)
	}
}
