package main

import (
	"strings"
	"testing"
)

func TestRiskCLI(t *testing.T) {
	dir := t.TempDir()
	write := fileWriter(t, dir)
	ents := write("e.csv", "统一社会信用代码,名称,行政区划代码,类型,风险等级\n91630100MA752XKP3N,测试主体甲,630102,有限责任公司,A\n")
	if code, _, errs := runCLI(t, "import", "entities", ents, "--data", dir); code != 0 {
		t.Fatalf("import entities: %s", errs)
	}
	vals := write("v.csv", "统一社会信用代码,指标编码,指标值\n91630100MA752XKP3N,ABNORMAL,1\n91630100MA752XKP3N,COMPLAINTS,5\n")
	if code, _, errs := runCLI(t, "import", "risk_indicators", vals, "--data", dir); code != 0 {
		t.Fatalf("import values: %s", errs)
	}
	code, out, errs := runCLI(t, "risk", "recompute", "--data", dir)
	if code != 0 || !strings.Contains(out, "1 户，等级变化 1 户") {
		t.Fatalf("recompute: %d %s %s", code, out, errs)
	}
	if code, out, _ := runCLI(t, "risk", "recompute", "--monthly", "--data", dir); code != 0 || !strings.Contains(out, "已重算过") {
		t.Fatalf("monthly: %d %s", code, out)
	}
	bad := write("bad.json", `{"indicators":[{"code":"X","name":"某指标","source":"imported","weight":60,"cap":1}],"thresholds":{"B":10,"C":30,"D":60}}`)
	if code, _, errs := runCLI(t, "risk", "scheme", "--set", bad, "--data", dir); code == 0 || !strings.Contains(errs, "权重之和须为 100，现为 60") {
		t.Fatalf("bad scheme: %d %s", code, errs)
	}
	good := write("good.json", `{"indicators":[{"code":"ABNORMAL","name":"列入经营异常名录","source":"imported","weight":100,"cap":1}],"thresholds":{"B":10,"C":30,"D":60},"note":"只看经营异常"}`)
	if code, out, errs := runCLI(t, "risk", "scheme", "--set", good, "--data", dir); code != 0 || !strings.Contains(out, `"version": 2`) {
		t.Fatalf("good scheme: %d %s %s", code, out, errs)
	}
	if code, out, _ := runCLI(t, "risk", "recompute", "--data", dir); code != 0 || !strings.Contains(out, "第 2 版") {
		t.Fatalf("recompute v2: %d %s", code, out)
	}
}
