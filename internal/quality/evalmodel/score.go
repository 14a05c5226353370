package evalmodel

import (
	"math"
	"sort"
)

// Frame is the data a model scores: global weights and directions of its
// k indicators, and one row of values per enterprise (NaN: no value).
// Normalisation is min-max over the frame's enterprises by direction;
// an indicator with no spread gives every enterprise full marks on it, a
// missing value none.
type Frame struct {
	Weights []float64 // global, summing to 1
	Cost    []bool
	Values  [][]float64
	lo, hi  []float64
}

// prepare computes each indicator's range over the enterprises.
func (f *Frame) prepare() {
	k := len(f.Weights)
	f.lo, f.hi = make([]float64, k), make([]float64, k)
	for j := range k {
		f.lo[j], f.hi[j] = math.Inf(1), math.Inf(-1)
	}
	for _, r := range f.Values {
		for j, v := range r {
			if !math.IsNaN(v) {
				f.lo[j], f.hi[j] = math.Min(f.lo[j], v), math.Max(f.hi[j], v)
			}
		}
	}
}

// Norm is the normalised value (0–1) of enterprise i's indicator j.
func (f *Frame) Norm(i, j int) float64 {
	v := f.Values[i][j]
	if math.IsNaN(v) {
		return 0
	}
	if f.hi[j] <= f.lo[j] {
		return 1
	}
	x := (v - f.lo[j]) / (f.hi[j] - f.lo[j])
	if f.Cost[j] {
		x = 1 - x
	}
	return x
}

// Scores scores every enterprise: 100 × Σ w_j · x'_ij.
func (f *Frame) Scores() []float64 {
	f.prepare()
	out := make([]float64, len(f.Values))
	for i := range f.Values {
		s := 0.0
		for j, w := range f.Weights {
			s += w * f.Norm(i, j)
		}
		out[i] = 100 * s
	}
	return out
}

// Move is the result of moving one indicator's weight by a factor and
// renormalising: the enterprises whose class changes.
type Move struct {
	Indicator int     `json:"indicator"`
	Percent   float64 `json:"percent"` // +10 or −10
	Up        int     `json:"up"`      // enterprises moving to a better class
	Down      int     `json:"down"`    // … to a worse one
	Changed   []int   `json:"-"`       // their indexes
	NewClass  []int   `json:"-"`       // their new classes, parallel to Changed
}

// Sensitivity moves every indicator's weight by ±pct % (weights
// renormalised to sum 1) and reports the class changes. scores and
// classes are the frame's current scores and class indexes. With w'_j =
// w_j(1+δ) and the others unchanged, renormalising gives
// S' = (S + 100 w_j δ x'_ij) / (1 + w_j δ), so each move costs one pass.
func (f *Frame) Sensitivity(cs []Class, scores []float64, classes []int, pct float64) []Move {
	var out []Move
	for j, w := range f.Weights {
		for _, sign := range []float64{1, -1} {
			d := sign * pct / 100
			m := Move{Indicator: j, Percent: sign * pct}
			for i, s := range scores {
				s2 := (s + 100*w*d*f.Norm(i, j)) / (1 + w*d)
				if c := Classify(cs, s2); c != classes[i] {
					if c < classes[i] {
						m.Up++
					} else {
						m.Down++
					}
					m.Changed = append(m.Changed, i)
					m.NewClass = append(m.NewClass, c)
				}
			}
			out = append(out, m)
		}
	}
	return out
}

// Contribution is one indicator's part in an enterprise's score.
type Contribution struct {
	Code       string  `json:"code"`
	Name       string  `json:"name"`
	Criterion  string  `json:"criterion"`
	Unit       string  `json:"unit"`
	Direction  string  `json:"direction"`
	Value      float64 `json:"value"`
	Missing    bool    `json:"missing"`
	Min        float64 `json:"min"` // the range over the enterprises
	Max        float64 `json:"max"`
	Normalised float64 `json:"normalised"` // 0–1
	Weight     float64 `json:"weight"`     // global
	Points     float64 `json:"points"`     // 100·w·x'
	Lost       float64 `json:"lost"`       // 100·w·(1−x')
}

// Contributions explains enterprise i's score, largest loss first.
func (f *Frame) Contributions(i int, inds []Node) []Contribution {
	out := make([]Contribution, len(inds))
	for j, n := range inds {
		x := f.Norm(i, j)
		v := f.Values[i][j]
		c := Contribution{Code: n.Code, Name: n.Name, Criterion: n.Parent, Unit: n.Unit, Direction: n.Direction,
			Missing: math.IsNaN(v), Min: f.lo[j], Max: f.hi[j], Normalised: x, Weight: f.Weights[j],
			Points: 100 * f.Weights[j] * x, Lost: 100 * f.Weights[j] * (1 - x)}
		if !c.Missing {
			c.Value = v
		}
		if math.IsInf(c.Min, 0) {
			c.Min, c.Max = 0, 0
		}
		out[j] = c
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Lost > out[b].Lost })
	return out
}
