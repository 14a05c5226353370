package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestQualityAHPCLI(t *testing.T) {
	dir := t.TempDir()
	write := fileWriter(t, dir)
	// The 方根法 worked example of internal/quality/evalmodel/testdata.
	good := write("good.json", `[[1,"1/3","1/5"],[3,1,"1/4"],[5,4,1]]`)
	code, out, errs := runCLI(t, "quality", "ahp", good)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := `{"weights":[0.100654,0.225535,0.673811],"lambda_max":3.085767,"ci":0.042883,"cr":0.073937,"consistent":true}` + "\n"
	if out != want {
		t.Errorf("output\n%s want\n%s", out, want)
	}
	cycle := write("cycle.json", `[[1,9,"1/9"],["1/9",1,9],[9,"1/9",1]]`)
	code, out, _ = runCLI(t, "quality", "ahp", cycle)
	var r struct{ Consistent bool }
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Consistent {
		t.Errorf("cycle: %d %s", code, out)
	}
	for name, c := range map[string]struct{ body, want string }{
		"zero":       {`[[1,0],[0,1]]`, "第 1 行第 2 列"},
		"reciprocal": {`[[1,3],[3,1]]`, "第 2 行第 1 列"},
		"not json":   {`1,2;3,4`, "不是 JSON 数组"},
	} {
		code, out, errs := runCLI(t, "quality", "ahp", write(name+".json", c.body))
		if code == 0 || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, out, errs)
		}
	}
	if code, _, _ := runCLI(t, "quality", "ahp"); code == 0 {
		t.Error("no file accepted")
	}
	if code, _, _ := runCLI(t, "quality", "ahp", good, good); code == 0 {
		t.Error("two files accepted")
	}
	if code, _, errs := runCLI(t, "quality", "ahp", filepath.Join(dir, "none.json")); code == 0 || !strings.Contains(errs, "无法打开") {
		t.Errorf("missing file: %d %s", code, errs)
	}
}
