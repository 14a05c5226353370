package evalmodel

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

type example struct {
	Name, Source string
	Matrix       json.RawMessage
	Weights      []float64
	LambdaMax    *float64 `json:"lambda_max"`
	CI           *float64 `json:"ci"`
	CR           *float64 `json:"cr"`
	Tolerance    float64
}

// TestPublishedAHPExamples recomputes the published worked examples of
// testdata (sources in testdata/README.md).
func TestPublishedAHPExamples(t *testing.T) {
	b, err := os.ReadFile("testdata/ahp_examples.json")
	if err != nil {
		t.Fatal(err)
	}
	var exs []example
	if err := json.Unmarshal(b, &exs); err != nil {
		t.Fatal(err)
	}
	if len(exs) < 3 {
		t.Fatalf("%d examples", len(exs))
	}
	for _, ex := range exs {
		t.Run(ex.Name, func(t *testing.T) {
			m, err := ParseMatrix(ex.Matrix)
			if err != nil {
				t.Fatal(err)
			}
			r, err := AHP(m)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range ex.Weights {
				if math.Abs(r.Weights[i]-w) > ex.Tolerance {
					t.Errorf("w%d = %.4f, published %.4f (%s)", i+1, r.Weights[i], w, ex.Source)
				}
			}
			check := func(name string, got float64, want *float64, tol float64) {
				if want != nil && math.Abs(got-*want) > tol {
					t.Errorf("%s = %.4f, published %.4f", name, got, *want)
				}
			}
			check("λmax", r.LambdaMax, ex.LambdaMax, 0.0006)
			check("CI", r.CI, ex.CI, 0.0006)
			check("CR", r.CR, ex.CR, 0.001)
			if ex.CR != nil && !r.Consistent {
				t.Errorf("published as consistent, CR %.4f", r.CR)
			}
			t.Logf("%s: weights %.4f λmax %.4f CI %.4f CR %.4f", ex.Source, r.Weights, r.LambdaMax, r.CI, r.CR)
		})
	}
}

func TestAHPConsistentAndInconsistent(t *testing.T) {
	// A perfectly consistent matrix from weights 4:2:1: λmax = n, CR 0.
	r, err := AHP([][]float64{{1, 2, 4}, {0.5, 1, 2}, {0.25, 0.5, 1}})
	if err != nil || math.Abs(r.Weights[0]-4.0/7) > 1e-12 || math.Abs(r.LambdaMax-3) > 1e-12 || r.CR > 1e-12 || !r.Consistent {
		t.Fatalf("%+v %v", r, err)
	}
	// A preference cycle: a > b > c > a.
	r, err = AHP([][]float64{{1, 9, 1.0 / 9}, {1.0 / 9, 1, 9}, {9, 1.0 / 9, 1}})
	if err != nil || r.Consistent || r.CR < ConsistencyLimit {
		t.Fatalf("cycle: %+v %v", r, err)
	}
	// Order 1 and 2 are consistent by construction.
	for _, m := range [][][]float64{{{1}}, {{1, 5}, {0.2, 1}}} {
		if r, err := AHP(m); err != nil || !r.Consistent || r.CR != 0 || r.LambdaMax != float64(len(m)) {
			t.Errorf("%v: %+v %v", m, r, err)
		}
	}
}

func TestBadMatricesNameTheCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`[[1,0],[0,1]]`, "第 1 行第 2 列"},
		{`[[1,3],[0.5,1]]`, "第 2 行第 1 列：与第 1 行第 2 列不互为倒数"},
		{`[[1,3],[-0.333,1]]`, "第 2 行第 1 列"},
		{`[[2,1],[1,1]]`, "对角线"},
		{`[[1,3],[0.333,1,2]]`, "第 2 行：有 3 列"},
		{`[[1,"abc"],[1,1]]`, "第 1 行第 2 列：“abc”不是数或分数"},
		{`[[1,"1/0"],[1,1]]`, "不是有效分数"},
		{`[[1,20],[0.05,1]]`, "Saaty 1–9"},
		{`[]`, "矩阵为空"},
		{`{"a":1}`, "不是 JSON 数组"},
		{`[[1,1e400],[1,1]]`, "第 1 行第 2 列"},
		{`[1,2]`, "第 1 行：不是数组"},
	} {
		_, err := ParseMatrix([]byte(c.in))
		var me *MatrixError
		if !errors.As(err, &me) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.in, err, c.want)
		}
	}
	big := "[" + strings.Repeat("[1],", 15) + "[1]]"
	if _, err := ParseMatrix([]byte(big)); err == nil || !strings.Contains(err.Error(), "15 阶") {
		t.Errorf("16 rows: %v", err)
	}
	// Rounded reciprocals are accepted: 0.33 for 1/3, 0.14 for 1/7.
	if _, err := ParseMatrix([]byte(`[[1,3,7],[0.33,1,2],[0.14,0.5,1]]`)); err != nil {
		t.Error(err)
	}
}

func FuzzParseMatrix(f *testing.F) {
	f.Add([]byte(`[[1,3],["1/3",1]]`))
	f.Add([]byte(`[[1,3,5],[0.333,1,2],[0.2,0.5,1]]`))
	f.Add([]byte(`[[1,"9/1"],["1/9",1]]`))
	f.Add([]byte(`[[1,0],[0,1]]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMatrix(data)
		if err != nil {
			var me *MatrixError
			if !errors.As(err, &me) {
				t.Fatalf("error of another type: %T %v", err, err)
			}
			return
		}
		r, err := AHP(m)
		if err != nil {
			t.Fatalf("accepted matrix refused by AHP: %v", err)
		}
		s := 0.0
		for _, w := range r.Weights {
			if !(w > 0) || math.IsInf(w, 0) {
				t.Fatalf("weight %v of %s", w, data)
			}
			s += w
		}
		if math.Abs(s-1) > 1e-9 || math.IsNaN(r.CR) || r.CR < 0 || r.LambdaMax < float64(len(m))-1e-6 {
			t.Fatalf("result %+v of %s", r, data)
		}
	})
}
