package awards_test

import (
	"testing"

	"sidi/internal/quality/awards"
)

func benchSheets() []awards.Sheet {
	var out []awards.Sheet
	for r := 0; r < 7; r++ {
		s := make([]int64, len(awards.Categories))
		for i, c := range awards.Categories {
			s[i] = int64(c.Max*60+r*37%c.Max) % int64(c.Max*100)
		}
		out = append(out, awards.Sheet{Reviewer: string(rune('甲' + r)), Scores: s})
	}
	return out
}

// BenchmarkCombine aggregates seven reviewers' sheets (totals, mean,
// trimmed mean, category means, outlier flags with reasons).
func BenchmarkCombine(b *testing.B) {
	sheets := benchSheets()
	for b.Loop() {
		awards.Combine(append([]awards.Sheet(nil), sheets...))
	}
}

// BenchmarkCombineBaseline is the plain mean of the same totals, the
// floor Combine is compared with in the same run.
func BenchmarkCombineBaseline(b *testing.B) {
	sheets := benchSheets()
	var sink float64
	for b.Loop() {
		var sum int64
		for _, s := range sheets {
			for _, v := range s.Scores {
				sum += v
			}
		}
		sink += float64(sum) / float64(len(sheets)) / 100
	}
	_ = sink
}
