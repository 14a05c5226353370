package sampling

import (
	"context"
	"database/sql"
	"fmt"
	"math"

	"sidi/internal/store"
)

// Tally counts batches by outcome.
type Tally map[string]int

// Summary is what a bulletin says of a set of batches.
type Summary struct {
	Batches   int     `json:"batches"`    // every batch sampled (抽查批次)
	NotTested int     `json:"not_tested"` // referred, refused or without a sample
	Tested    int     `json:"tested"`     // 检验批次
	Failed    int     `json:"failed"`     // 不合格批次 (re-test upheld or pending included)
	Rate      float64 `json:"rate"`       // failure rate in percent, over the tested batches
	RateText  string  `json:"rate_text"`  // "9.7%", "—" without tested batches
}

// Summarize computes the summary of a tally: the failure rate counts the
// tested batches only, so a batch referred as 涉嫌无证无照 (or refused, or
// without a sample) is in the batch count but neither numerator nor
// denominator of the rate.
func Summarize(t Tally) Summary {
	var s Summary
	for o, n := range t {
		s.Batches += n
		if Tested(o) {
			s.Tested += n
		} else {
			s.NotTested += n
		}
		if FailedOutcome(o) {
			s.Failed += n
		}
	}
	s.RateText = "—"
	if s.Tested > 0 {
		s.Rate = 100 * float64(s.Failed) / float64(s.Tested)
		s.RateText = fmt.Sprintf("%.1f%%", math.Round(s.Rate*10)/10)
	}
	return s
}

// tally counts the batches b matching the condition (with its arguments).
func tally(ctx context.Context, q store.Querier, cond string, args []any) (Tally, error) {
	t := Tally{}
	err := store.EachRow(ctx, q, `SELECT b.outcome, COUNT(*) FROM sampling_batches b WHERE `+cond+` GROUP BY b.outcome`, args, func(r *sql.Rows) error {
		var o string
		var n int
		err := r.Scan(&o, &n)
		t[o] = n
		return err
	})
	return t, err
}

// YearStat is one year's summary at one level.
type YearStat struct {
	Year  int    `json:"year"`
	Level string `json:"level"`
	Summary
}

// Stats summarises the batches by year and level (all of them: the figures
// are public), newest year first.
func (s *Service) Stats(ctx context.Context) ([]YearStat, error) {
	type key struct {
		y int
		l string
	}
	by := map[key]Tally{}
	var order []key
	err := store.EachRow(ctx, s.db.Reader(), `SELECT year, level, outcome, COUNT(*) FROM sampling_batches GROUP BY year, level, outcome ORDER BY year DESC, level`, nil, func(r *sql.Rows) error {
		var k key
		var o string
		var n int
		if err := r.Scan(&k.y, &k.l, &o, &n); err != nil {
			return err
		}
		if by[k] == nil {
			by[k] = Tally{}
			order = append(order, k)
		}
		by[k][o] = n
		return nil
	})
	out := make([]YearStat, len(order))
	for i, k := range order {
		out[i] = YearStat{Year: k.y, Level: k.l, Summary: Summarize(by[k])}
	}
	return out, err
}
