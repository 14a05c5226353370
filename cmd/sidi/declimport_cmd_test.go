package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sidi/internal/standards"
)

func TestStandardsImportDeclarations(t *testing.T) {
	dir := t.TempDir()
	first17 := "91632800MA7XQ2B3C"
	code := first17 + string(standards.CreditCheck(first17))
	head := strings.Join(standards.DeclImportColumns, ",") + "\n"
	good := filepath.Join(dir, "声明.csv")
	os.WriteFile(good, []byte(head+
		code+",格尔木昆仑盐化有限公司,GB 2721—2015,食品安全国家标准 食用盐,精制湖盐,500 g,食用盐,2024-05-01\n"+
		code+",格尔木昆仑盐化有限公司,GB 2721—2015,食品安全国家标准 食用盐,低钠湖盐,400 g,食用盐,2024-05-01\n"), 0o644)
	exit, out, errs := runCLI(t, "standards", "import-declarations", "--data", dir, good)
	if exit != 0 || !strings.Contains(out, "已处理 2 行（1 项声明）：新增 1，更新 0，未变 0，跳过错误行 0；新登记企业 1；1 批") {
		t.Fatalf("import: exit %d, out %q, err %s", exit, out, errs)
	}
	exit, out, _ = runCLI(t, "standards", "import-declarations", "--data", dir, good)
	if exit != 0 || !strings.Contains(out, "新增 0，更新 0，未变 1，跳过错误行 0；新登记企业 0") {
		t.Fatalf("reimport: exit %d, %s", exit, out)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte(head+code+",格尔木昆仑盐化有限公司,XYZ,某标准,精制湖盐,500 g,食用盐,2024-05-01\n"+
		code+",格尔木昆仑盐化有限公司,GB 2760—2024,食品添加剂使用标准,精制湖盐,500 g,食用盐,2099-01-01\n"), 0o644)
	exit, _, errs = runCLI(t, "standards", "import-declarations", "--data", dir, bad)
	if exit != 1 || !strings.Contains(errs, "第 2 行 C 列（标准号）：标准号“XYZ”无法识别") || !strings.Contains(errs, "第 3 行 H 列（声明日期）") || !strings.Contains(errs, "导入失败：2 行有错误，未导入任何记录") {
		t.Errorf("bad file: exit %d, stderr %s", exit, errs)
	}
	// --skip-invalid leaves out the declaration with an error whole (the
	// rejects file lists both its rows) and imports the other one.
	rejects := filepath.Join(dir, "rejects.csv")
	exit, out, errs = runCLI(t, "import", "declarations", bad, "--skip-invalid", "--rejects", rejects, "--data", dir)
	if exit != 0 || !strings.Contains(out, "已处理 2 行（0 项声明）：新增 0，更新 0，未变 0，跳过错误行 2") {
		t.Errorf("all rows bad, skipped: exit %d %q %s", exit, out, errs)
	}
	mixed := filepath.Join(dir, "mixed.csv")
	os.WriteFile(mixed, []byte(head+
		code+",格尔木昆仑盐化有限公司,GB 2760—2024,食品添加剂使用标准,精制湖盐,500 g,食用盐,2024-05-01\n"+
		code+",格尔木昆仑盐化有限公司,GB 5461—2016,食用盐,精制湖盐,500 g,食用盐,2024-05-01\n"+
		code+",格尔木昆仑盐化有限公司,GB 2760—2024,食品添加剂使用标准,低钠湖盐,,食用盐,2024-05-01\n"), 0o644)
	exit, out, errs = runCLI(t, "import", "declarations", mixed, "--skip-invalid", "--rejects", rejects, "--data", dir)
	data, _ := os.ReadFile(rejects)
	if exit != 0 || !strings.Contains(out, "已处理 3 行（1 项声明）：新增 1，更新 0，未变 0，跳过错误行 2") ||
		!strings.Contains(string(data), "2,,与第 4 行属于同一项声明") || !strings.Contains(string(data), "4,规格型号,规格型号不能为空") {
		t.Errorf("mixed, skipped: exit %d %q %s\nrejects:\n%s", exit, out, errs, data)
	}
	if exit, _, _ := runCLI(t, "standards", "import-declarations", "--data", dir); exit != 2 {
		t.Errorf("no file: exit %d", exit)
	}
}
