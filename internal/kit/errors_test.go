package kit_test

import (
	"encoding/json"
	"testing"

	"sidi/internal/kit"
)

// TestFieldErrorString pins how a failure reads and its JSON: with the
// column's letter (the self-declaration import) it reads "第 2 行 C 列（标准号）：…"
// and carries "col"; without, as before; in a named worksheet (the
// reporting template) the sheet comes first,
// "工作表“指标数值”第 5 行 E 列（本期数值）：…", and carries "sheet".
func TestFieldErrorString(t *testing.T) {
	cases := []struct {
		name    string
		e       kit.FieldError
		str, js string
	}{
		{"form field", kit.FieldError{Field: "标准号", Msg: "不能为空"}, "不能为空", `{"field":"标准号","message":"不能为空"}`},
		{"cell", kit.FieldError{Row: 3, Column: "标准号", Msg: "标准号不能为空"}, "第 3 行“标准号”：标准号不能为空", `{"row":3,"column":"标准号","message":"标准号不能为空"}`},
		{"row only", kit.FieldError{Row: 3, Msg: "x"}, "第 3 行：x", `{"row":3,"message":"x"}`},
		{"file", kit.FieldError{Msg: "文件为空"}, "文件为空", `{"message":"文件为空"}`},
		{"cell with letter", kit.FieldError{Row: 2, Col: "C", Column: "标准号", Msg: "标准号“XYZ”无法识别"}, "第 2 行 C 列（标准号）：标准号“XYZ”无法识别",
			`{"row":2,"col":"C","column":"标准号","message":"标准号“XYZ”无法识别"}`},
		{"column without a header", kit.FieldError{Row: 4, Col: "K", Msg: "有内容，但表头中该列没有列名"}, "第 4 行 K 列：有内容，但表头中该列没有列名",
			`{"row":4,"col":"K","message":"有内容，但表头中该列没有列名"}`},
		// A worksheet's cell names its sheet first.
		{"sheet cell", kit.FieldError{Sheet: "指标数值", Row: 5, Col: "E", Column: "本期数值", Msg: "“一千三”须为数字"}, "工作表“指标数值”第 5 行 E 列（本期数值）：“一千三”须为数字",
			`{"sheet":"指标数值","row":5,"col":"E","column":"本期数值","message":"“一千三”须为数字"}`},
		{"sheet column, no row", kit.FieldError{Sheet: "报送表", Col: "E", Column: "工作进展说明", Msg: "任务 4 填写了数值但没有工作进展说明"}, "工作表“报送表”E 列（工作进展说明）：任务 4 填写了数值但没有工作进展说明",
			`{"sheet":"报送表","col":"E","column":"工作进展说明","message":"任务 4 填写了数值但没有工作进展说明"}`},
		{"sheet letter only", kit.FieldError{Sheet: "说明", Row: 1, Col: "B", Msg: "x"}, "工作表“说明”第 1 行 B 列：x", `{"sheet":"说明","row":1,"col":"B","message":"x"}`},
		{"sheet header only", kit.FieldError{Sheet: "说明", Row: 1, Column: "报送周期", Msg: "x"}, "工作表“说明”第 1 行“报送周期”：x", `{"sheet":"说明","row":1,"column":"报送周期","message":"x"}`},
		{"sheet row only", kit.FieldError{Sheet: "说明", Row: 1, Msg: "x"}, "工作表“说明”第 1 行：x", `{"sheet":"说明","row":1,"message":"x"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.e.String(); got != tc.str {
				t.Errorf("String() = %q, want %q", got, tc.str)
			}
			b, err := json.Marshal(tc.e)
			if err != nil || string(b) != tc.js {
				t.Errorf("JSON %s %v, want %s", b, err, tc.js)
			}
		})
	}
}

// TestErrorDetailsCapped: an API answer lists at most MaxReportErrors
// failures, the first ones; the error itself keeps them all.
func TestErrorDetailsCapped(t *testing.T) {
	for _, n := range []int{0, 3, kit.MaxReportErrors, kit.MaxReportErrors + 1, 3 * kit.MaxReportErrors} {
		var es kit.Errors
		for i := range n {
			es = append(es, kit.FieldError{Row: i + 2, Msg: "x"})
		}
		got := es.ErrorDetails().([]kit.FieldError)
		if want := min(n, kit.MaxReportErrors); len(got) != want || (want > 0 && got[0].Row != 2) {
			t.Errorf("%d failures: %d details, want %d from row 2", n, len(got), want)
		}
		if len(es) != n {
			t.Errorf("%d failures: the list now holds %d", n, len(es))
		}
	}
}
