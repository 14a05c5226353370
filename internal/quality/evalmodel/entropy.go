package evalmodel

import (
	"fmt"
	"math"
)

// EntropyWeights computes the entropy-weight method's weights of k
// indicators from data, one row per enterprise with a value for every
// indicator (rows with a missing value, NaN, are left out). Each column is
// normalised min-max by its direction (cost: smaller is better), p_ij =
// x'_ij / Σ_i x'_ij, e_j = −Σ_i p_ij ln p_ij / ln m (p ln p = 0 at p = 0),
// d_j = 1 − e_j and w_j = d_j / Σ d. A column with no spread (all equal)
// carries no information and gets weight 0. It needs at least two complete
// rows and one column with spread.
func EntropyWeights(data [][]float64, cost []bool) ([]float64, int, error) {
	k := len(cost)
	var rows [][]float64
	for _, r := range data {
		if len(r) != k {
			continue
		}
		ok := true
		for _, v := range r {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				ok = false
				break
			}
		}
		if ok {
			rows = append(rows, r)
		}
	}
	m := len(rows)
	if m < 2 {
		return nil, m, fmt.Errorf("熵权法至少需要 2 家指标数据齐全的企业，现有 %d 家", m)
	}
	d := make([]float64, k)
	total := 0.0
	for j := range k {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, r := range rows {
			lo, hi = math.Min(lo, r[j]), math.Max(hi, r[j])
		}
		if hi-lo <= 0 {
			continue
		}
		sum := 0.0
		x := make([]float64, m)
		for i, r := range rows {
			x[i] = (r[j] - lo) / (hi - lo)
			if cost[j] {
				x[i] = 1 - x[i]
			}
			sum += x[i]
		}
		e := 0.0
		for _, v := range x {
			if p := v / sum; p > 0 {
				e -= p * math.Log(p)
			}
		}
		e /= math.Log(float64(m))
		d[j] = math.Max(0, 1-e)
		total += d[j]
	}
	if total <= 0 {
		return nil, m, fmt.Errorf("各指标在 %d 家企业间没有差异，熵权法无法确定权重", m)
	}
	for j := range d {
		d[j] /= total
	}
	return d, m, nil
}
