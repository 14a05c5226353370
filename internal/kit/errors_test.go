package kit_test

import (
	"encoding/json"
	"testing"

	"sidi/internal/kit"
)

// TestFieldErrorString pins how a failure reads and its JSON: with the
// column's letter (the self-declaration import) it reads "第 2 行 C 列（标准号）：…"
// and carries "col"; without, as before.
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
