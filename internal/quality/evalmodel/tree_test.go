package evalmodel

import (
	"math"
	"strings"
	"testing"
)

func TestParseTree(t *testing.T) {
	nodes, err := ParseTree(DemoTree)
	if err != nil || len(nodes) != 19 {
		t.Fatalf("%d %v", len(nodes), err)
	}
	for _, c := range []struct{ in, want string }{
		{"R,资源\nR1,回收率,X,正向,%", "第 2 行“上级代码”"},
		{"R,资源\nR1,回收率,R,上升,%", "第 2 行“方向”"},
		{"R,资源\nR,又一个", "第 2 行“代码”：R 与第 1 行重复"},
		{"R,资源", "准则 R 下没有指标"},
		{"R,资源\nR1,a,R,正向\nR2,b,R1,正向", "是指标而不是准则"},
		{"R 1,资源", "第 1 行“代码”"},
		{"", "至少需要 1 个准则"},
		{"R,资源,,正向", "准则（无上级代码）不填方向"},
	} {
		if _, err := ParseTree(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.in, err, c.want)
		}
	}
}

func TestParseClassesAndClassify(t *testing.T) {
	cs, err := ParseClasses("A,85,优\nB，70，良\nC 60\nD,0")
	if err != nil || len(cs) != 4 || Classify(cs, 85) != 0 || Classify(cs, 84.99) != 1 || Classify(cs, 0) != 3 {
		t.Fatalf("%+v %v", cs, err)
	}
	for _, bad := range []string{"A,85\nB,90\nC,0", "A,85\nB,10", "A,85\nA,0", "A,abc\nB,0", "A,101\nB,0", "A,0"} {
		if _, err := ParseClasses(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestEntropyWeights: an indicator with no spread weighs nothing; of two
// columns, the one spread over more levels (0, 1/3, 2/3, 1: lower entropy
// than three equal shares) weighs more: d = 0.2704 against 0.2075 by hand.
func TestEntropyWeights(t *testing.T) {
	w, n, err := EntropyWeights([][]float64{{1, 5, 10}, {2, 5, 10}, {3, 5, 10}, {4, 5, 100}, {math.NaN(), 1, 1}}, []bool{false, false, true})
	if err != nil || n != 4 || w[1] != 0 || math.Abs(w[0]-0.5658) > 0.0001 || math.Abs(w[0]+w[2]-1) > 1e-12 {
		t.Fatalf("%v %d %v", w, n, err)
	}
	if _, _, err := EntropyWeights([][]float64{{1, 1}}, []bool{false, false}); err == nil {
		t.Error("one row accepted")
	}
	if _, _, err := EntropyWeights([][]float64{{1, 1}, {1, 1}}, []bool{false, false}); err == nil {
		t.Error("no spread accepted")
	}
}

// TestSensitivityMatchesRescoring checks the closed form of a weight move
// against renormalising the weights and scoring again.
func TestSensitivityMatchesRescoring(t *testing.T) {
	f := &Frame{Weights: []float64{0.5, 0.3, 0.2}, Cost: []bool{false, true, false},
		Values: [][]float64{{1, 10, 3}, {2, 20, 1}, {3, 15, math.NaN()}, {2.5, 11, 2}}}
	cs := DefaultClasses
	scores := f.Scores()
	classes := make([]int, len(scores))
	for i, s := range scores {
		classes[i] = Classify(cs, s)
	}
	moves := f.Sensitivity(cs, scores, classes, 30)
	for _, mv := range moves {
		w := append([]float64(nil), f.Weights...)
		w[mv.Indicator] *= 1 + mv.Percent/100
		normalise(w)
		g := &Frame{Weights: w, Cost: f.Cost, Values: f.Values}
		changed := 0
		for i, s := range g.Scores() {
			if Classify(cs, s) != classes[i] {
				changed++
			}
		}
		if changed != mv.Up+mv.Down {
			t.Errorf("indicator %d %+v%%: %d changed by rescoring, %d by the closed form", mv.Indicator, mv.Percent, changed, mv.Up+mv.Down)
		}
	}
}

func FuzzParseTree(f *testing.F) {
	f.Add(DemoTree)
	f.Add("R,资源\nR1,a,R,负向,%\n")
	f.Add("\"R\n,x")
	f.Fuzz(func(t *testing.T, s string) {
		nodes, err := ParseTree(s)
		if err != nil {
			return
		}
		again, err := ParseTree(TreeText(nodes))
		if err != nil || len(again) != len(nodes) {
			t.Fatalf("round trip of %q: %v", s, err)
		}
	})
}

func FuzzParseClasses(f *testing.F) {
	f.Add("A,85,优\nB,70\nC,0")
	f.Fuzz(func(t *testing.T, s string) {
		cs, err := ParseClasses(s)
		if err != nil {
			return
		}
		if cs[len(cs)-1].Min != 0 {
			t.Fatal("last class not 0")
		}
		if _, err := ParseClasses(ClassesText(cs)); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	})
}
