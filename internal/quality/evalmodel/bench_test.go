package evalmodel_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"

	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/quality/evalmodel"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// benchFrame is m enterprises × k indicators of random values, weights
// equal, every third indicator a cost.
func benchFrame(m, k int) *evalmodel.Frame {
	r := rand.New(rand.NewPCG(1, 2))
	f := &evalmodel.Frame{Weights: make([]float64, k), Cost: make([]bool, k), Values: make([][]float64, m)}
	for j := range k {
		f.Weights[j], f.Cost[j] = 1/float64(k), j%3 == 0
	}
	for i := range m {
		f.Values[i] = make([]float64, k)
		for j := range k {
			f.Values[i][j] = r.Float64() * 100
		}
	}
	return f
}

// BenchmarkScore10kBy30 scores 10,000 enterprises on 30 indicators in
// memory (normalisation and weighted sum), the baseline of the stored path.
func BenchmarkScore10kBy30(b *testing.B) {
	f := benchFrame(10000, 30)
	b.ResetTimer()
	for range b.N {
		if s := f.Scores(); len(s) != 10000 {
			b.Fatal(len(s))
		}
	}
}

// BenchmarkSensitivity10kBy30 is the sensitivity view's computation: 60
// weight moves over 10,000 enterprises.
func BenchmarkSensitivity10kBy30(b *testing.B) {
	f := benchFrame(10000, 30)
	scores := f.Scores()
	classes := make([]int, len(scores))
	for i, s := range scores {
		classes[i] = evalmodel.Classify(evalmodel.DefaultClasses, s)
	}
	b.ResetTimer()
	for range b.N {
		f.Sensitivity(evalmodel.DefaultClasses, scores, classes, 10)
	}
}

// BenchmarkScoresStored10kBy30 is the service's Scores over SQLite: a
// 30-indicator model (5 criteria × 6) and 300,000 stored values of 10,000
// enterprises, read, normalised, scored, classified and ranked per call.
func BenchmarkScoresStored10kBy30(b *testing.B) {
	db := storetest.Open(b, store.SQLite)
	s, d := setup(b, db)
	var tree strings.Builder
	for c := range 5 {
		fmt.Fprintf(&tree, "C%d,准则%d,,,\n", c, c)
		for j := range 6 {
			dir := "正向"
			if j%3 == 0 {
				dir = "负向"
			}
			fmt.Fprintf(&tree, "C%d.%d,指标%d.%d,C%d,%s,%%\n", c, j, c, j, c, dir)
		}
	}
	m, err := s.CreateModel(ctx, admin, evalmodel.NewModel{Code: "BENCH", Name: "基准", Period: "2025", DeptID: d["qh-samr"], Tree: tree.String()})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	var file strings.Builder
	file.WriteString("统一社会信用代码,企业名称,年度,指标代码,指标值\n")
	for i := range 10000 {
		code := benchCode(i)
		for c := range 5 {
			for j := range 6 {
				fmt.Fprintf(&file, "%s,企业%d,2025,C%d.%d,%.2f\n", code, i, c, j, r.Float64()*100)
			}
		}
	}
	if _, err := s.ImportValues(ctx, admin, kit.BytesSource("bench.csv", []byte(file.String())), kit.ImportOptions{Batch: 20000}); err != nil {
		b.Fatal(err)
	}
	if _, _, err := s.SetEntropy(ctx, admin, m.ID); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		sc, err := s.Scores(ctx, admin, m.ID)
		if err != nil || len(sc.Rows) != 10000 {
			b.Fatal(err)
		}
	}
	// The process's CPU time per call beside the wall time: on a shared
	// machine the wall time includes waiting for a core.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// cpuTime is the process's user+system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func benchCode(i int) string {
	first := fmt.Sprintf("91632801MA%07d", i)
	return first + string(creditcode.Check(first))
}
