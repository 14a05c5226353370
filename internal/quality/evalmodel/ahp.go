package evalmodel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"sidi/internal/kit"
)

// RandomIndex is Saaty's random consistency index RI by matrix order
// (index 0 unused): the mean CI of random reciprocal matrices on the 1–9
// scale, as printed in Saaty, The Analytic Hierarchy Process (1980) and
// repeated by the Chinese textbooks (n = 3: 0.58, 4: 0.90, 5: 1.12 …).
var RandomIndex = [...]float64{0, 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59}

// MaxOrder is the largest matrix the random index covers.
const MaxOrder = len(RandomIndex) - 1

// ConsistencyLimit is the CR from which a judgement matrix is
// inconsistent (Saaty: CR < 0.10 is acceptable).
const ConsistencyLimit = 0.1

// ReciprocalTolerance is how far a_ij·a_ji may stray from 1: judgements are
// often written rounded (0.33 for 1/3, 0.14 for 1/7, 0.13 for 1/8).
const ReciprocalTolerance = 0.05

// Scale bounds: Saaty's 1–9 scale and its reciprocals (0.11 for 1/9 passes).
const (
	minJudgement = 1.0/9 - 0.006
	maxJudgement = 9.0
)

// maxMatrixBytes bounds a matrix file.
const maxMatrixBytes = 64 << 10

// MatrixError is a refusal of a judgement matrix: the cell (1-based; 0 for
// the whole matrix or a row) and the reason, in Chinese.
type MatrixError struct {
	Row, Col int
	Reason   string
}

func (e *MatrixError) Error() string {
	switch {
	case e.Row > 0 && e.Col > 0:
		return fmt.Sprintf("判断矩阵第 %d 行第 %d 列：%s", e.Row, e.Col, e.Reason)
	case e.Row > 0:
		return fmt.Sprintf("判断矩阵第 %d 行：%s", e.Row, e.Reason)
	}
	return "判断矩阵：" + e.Reason
}

func refuse(row, col int, format string, args ...any) error {
	return &MatrixError{Row: row, Col: col, Reason: fmt.Sprintf(format, args...)}
}

// ParseMatrix reads a judgement matrix written as a JSON array of rows.
// A cell is a number or a string holding a number or a fraction ("1/3").
// The matrix is then checked (CheckMatrix).
func ParseMatrix(data []byte) ([][]float64, error) {
	if len(data) > maxMatrixBytes {
		return nil, refuse(0, 0, "文件过大（超过 %d KB）", maxMatrixBytes>>10)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, refuse(0, 0, "不是 JSON 数组（应为按行排列的数组，如 [[1,3],[\"1/3\",1]]）：%v", err)
	}
	if len(raw) == 0 {
		return nil, refuse(0, 0, "矩阵为空")
	}
	if len(raw) > MaxOrder {
		return nil, refuse(0, 0, "矩阵有 %d 行，Saaty 随机一致性指标只到 %d 阶，请拆分指标", len(raw), MaxOrder)
	}
	m := make([][]float64, len(raw))
	for i, r := range raw {
		var cells []json.RawMessage
		if err := json.Unmarshal(r, &cells); err != nil {
			return nil, refuse(i+1, 0, "不是数组")
		}
		if len(cells) != len(raw) {
			return nil, refuse(i+1, 0, "有 %d 列，矩阵须为 %d×%d 方阵", len(cells), len(raw), len(raw))
		}
		m[i] = make([]float64, len(cells))
		for j, c := range cells {
			v, err := parseCell(c)
			if err != nil {
				return nil, refuse(i+1, j+1, "%v", err)
			}
			m[i][j] = v
		}
	}
	return m, CheckMatrix(m)
}

// parseCell reads one cell: a JSON number or a string "3", "0.5", "1/3".
func parseCell(c json.RawMessage) (float64, error) {
	var s string
	if err := json.Unmarshal(c, &s); err != nil {
		var f float64
		if err := json.Unmarshal(c, &f); err != nil {
			return 0, fmt.Errorf("“%s”不是数", kit.ClipRunes(string(c), 20))
		}
		return f, nil
	}
	return ParseJudgement(s)
}

// ParseJudgement reads a judgement as written in a form or a file: "3",
// "0.333", "1/3".
func ParseJudgement(s string) (float64, error) {
	s = strings.TrimSpace(s)
	num, den, frac := strings.Cut(s, "/")
	a, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || strings.ContainsAny(num, "xXpP_") {
		return 0, fmt.Errorf("“%s”不是数或分数", kit.ClipRunes(s, 20))
	}
	if !frac {
		return a, nil
	}
	b, err := strconv.ParseFloat(strings.TrimSpace(den), 64)
	if err != nil || strings.ContainsAny(den, "xXpP_") || b == 0 {
		return 0, fmt.Errorf("“%s”不是有效分数", kit.ClipRunes(s, 20))
	}
	return a / b, nil
}

// CheckMatrix checks m is a square positive reciprocal matrix on Saaty's
// scale and names the first cell that is not.
func CheckMatrix(m [][]float64) error {
	n := len(m)
	if n == 0 {
		return refuse(0, 0, "矩阵为空")
	}
	if n > MaxOrder {
		return refuse(0, 0, "矩阵有 %d 行，Saaty 随机一致性指标只到 %d 阶，请拆分指标", n, MaxOrder)
	}
	for i, r := range m {
		if len(r) != n {
			return refuse(i+1, 0, "有 %d 列，矩阵须为 %d×%d 方阵", len(r), n, n)
		}
		for j, v := range r {
			switch {
			case math.IsNaN(v) || math.IsInf(v, 0):
				return refuse(i+1, j+1, "不是有限数")
			case v <= 0:
				return refuse(i+1, j+1, "%s 不是正数：判断矩阵的元素须大于 0", fmtNum(v))
			case i == j && math.Abs(v-1) > 1e-9:
				return refuse(i+1, j+1, "对角线元素须为 1，而不是 %s", fmtNum(v))
			case v < minJudgement || v > maxJudgement:
				return refuse(i+1, j+1, "%s 超出 Saaty 1–9 标度（1/9 至 9）", fmtNum(v))
			}
		}
	}
	for i := range n {
		for j := i + 1; j < n; j++ {
			if p := m[i][j] * m[j][i]; math.Abs(p-1) > ReciprocalTolerance {
				return refuse(j+1, i+1, "与第 %d 行第 %d 列不互为倒数（%s × %s = %s，应为 1）", i+1, j+1, fmtNum(m[j][i]), fmtNum(m[i][j]), fmtNum(p))
			}
		}
	}
	return nil
}

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// AHPResult is the priority vector of a judgement matrix and its
// consistency.
type AHPResult struct {
	Weights    []float64 `json:"weights"`
	LambdaMax  float64   `json:"lambda_max"`
	CI         float64   `json:"ci"`
	CR         float64   `json:"cr"`
	Consistent bool      `json:"consistent"`
}

// AHP computes the principal eigenvector of m (normalised to sum 1), λmax,
// CI = (λmax − n)/(n − 1) and CR = CI/RI(n) with Saaty's random index;
// matrices of order 1 and 2 are always consistent (CR 0). m is checked
// first.
func AHP(m [][]float64) (AHPResult, error) {
	if err := CheckMatrix(m); err != nil {
		return AHPResult{}, err
	}
	n := len(m)
	// Power iteration from the rows' geometric means (the eigenvector of
	// a consistent matrix, and close to it otherwise).
	w := make([]float64, n)
	for i, r := range m {
		p := 0.0
		for _, v := range r {
			p += math.Log(v)
		}
		w[i] = math.Exp(p / float64(n))
	}
	normalise(w)
	next := make([]float64, n)
	for range 10000 {
		for i, r := range m {
			s := 0.0
			for j, v := range r {
				s += v * w[j]
			}
			next[i] = s
		}
		normalise(next)
		diff := 0.0
		for i := range w {
			diff = math.Max(diff, math.Abs(next[i]-w[i]))
		}
		w, next = next, w
		if diff < 1e-15 {
			break
		}
	}
	lambda := 0.0
	for i, r := range m {
		s := 0.0
		for j, v := range r {
			s += v * w[j]
		}
		lambda += s / w[i]
	}
	lambda /= float64(n)
	res := AHPResult{Weights: w, LambdaMax: lambda, Consistent: true}
	if n > 2 {
		res.CI = math.Max(0, (lambda-float64(n))/float64(n-1))
		res.CR = res.CI / RandomIndex[n]
		res.Consistent = res.CR < ConsistencyLimit
	}
	if n <= 2 {
		res.LambdaMax = float64(n) // exact for a reciprocal matrix of order ≤ 2
	}
	return res, nil
}

func normalise(w []float64) {
	s := 0.0
	for _, v := range w {
		s += v
	}
	for i := range w {
		w[i] /= s
	}
}

// Rounded is r with every figure rounded to 6 decimals (the CLI's output).
func (r AHPResult) Rounded() AHPResult {
	out := r
	out.Weights = make([]float64, len(r.Weights))
	for i, v := range r.Weights {
		out.Weights[i] = round6(v)
	}
	out.LambdaMax, out.CI, out.CR = round6(r.LambdaMax), round6(r.CI), round6(r.CR)
	return out
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

// InconsistentError refuses to save the weights of an inconsistent matrix.
type InconsistentError struct{ CR float64 }

func (e *InconsistentError) Error() string {
	return fmt.Sprintf("判断矩阵一致性比例 CR = %.4f ≥ %.2f，未通过一致性检验，不能作为模型权重；请调整两两比较判断后重新提交", e.CR, ConsistencyLimit)
}
