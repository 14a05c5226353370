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
	if exit != 0 || !strings.Contains(out, "共 1 项声明：新增 1，更新 0，未变 0；新登记企业 1") {
		t.Fatalf("import: exit %d, out %q, err %s", exit, out, errs)
	}
	exit, out, _ = runCLI(t, "standards", "import-declarations", "--data", dir, good)
	if exit != 0 || !strings.Contains(out, "新增 0，更新 0，未变 1；新登记企业 0") {
		t.Fatalf("reimport: exit %d, %s", exit, out)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte(head+code+",格尔木昆仑盐化有限公司,XYZ,某标准,精制湖盐,500 g,食用盐,2024-05-01\n"+
		code+",格尔木昆仑盐化有限公司,GB 2760—2024,食品添加剂使用标准,精制湖盐,500 g,食用盐,2099-01-01\n"), 0o644)
	exit, _, errs = runCLI(t, "standards", "import-declarations", "--data", dir, bad)
	if exit != 1 || !strings.Contains(errs, "第 2 行 C 列（标准号）：标准号“XYZ”无法识别") || !strings.Contains(errs, "第 3 行 H 列（声明日期）") || !strings.Contains(errs, "2 处错误") {
		t.Errorf("bad file: exit %d, stderr %s", exit, errs)
	}
	if exit, _, _ := runCLI(t, "standards", "import-declarations", "--data", dir); exit != 2 {
		t.Errorf("no file: exit %d", exit)
	}
}
