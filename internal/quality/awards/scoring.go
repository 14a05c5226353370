package awards

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"sidi/internal/kit"
)

// Category is one of the seven categories of GB/T 19580 卓越绩效评价准则
// with its share of the 1000-point scheme.
type Category struct {
	Key  string `json:"key"`  // the column of quality_award_scores
	Name string `json:"name"` // as the standard names it
	Max  int    `json:"max"`  // points
}

// Categories are the scheme's categories in the standard's order (4.1–4.7);
// the maxima sum to TotalPoints. Source and check: testdata/README.md.
var Categories = []Category{
	{"leadership", "领导", 110},
	{"strategy", "战略", 90},
	{"customers", "顾客与市场", 90},
	{"resources", "资源", 130},
	{"processes", "过程管理", 100},
	{"measurement", "测量、分析与改进", 80},
	{"results", "结果", 400},
}

// TotalPoints is the scheme's total.
const TotalPoints = 1000

// SiteReviewThreshold is the trimmed-mean total an application needs to
// go on to the site review; provincial awards commonly require 600 (a
// practice, kept here as data: DOMAIN.md §10).
const SiteReviewThreshold = 600.0

// The outlier rule: a reviewer's total more than OutlierTotal points from
// the median of all reviewers' totals, or a category score more than
// OutlierCategoryShare of that category's maximum from the category's
// median, is flagged. The median is used because one wild score moves
// the mean but not the median.
const (
	OutlierTotal         = 100.0 // 10 % of the 1000 points
	OutlierCategoryShare = 0.25
)

// OutlierRule explains the flags to the people who read them.
var OutlierRule = fmt.Sprintf("评审员总分偏离全体评审员总分中位数超过 %.0f 分（总分的 10%%），或某一类目得分偏离该类目中位数超过该类目满分的 %.0f%%，标记为离群；截尾均值为去掉一个最高总分和一个最低总分后的平均（评审员不足 3 人时即为平均分）；截尾均值达到 %.0f 分的申报进入现场评审。",
	OutlierTotal, OutlierCategoryShare*100, SiteReviewThreshold)

// ParseScore reads a score of category c ("85", "85.5", "85.25分") as
// hundredths of a point; it refuses a negative score, more than two
// decimals and a score above the category's maximum, with the reason.
func ParseScore(c Category, v string) (int64, error) {
	v = strings.TrimSuffix(strings.TrimSpace(v), "分")
	if v == "" {
		return 0, fmt.Errorf("请填写得分（0—%d 分）", c.Max)
	}
	whole, frac, _ := strings.Cut(v, ".")
	if whole == "" || len(whole) > 4 || len(frac) > 2 || strings.HasPrefix(v, "+") {
		return 0, fmt.Errorf("得分“%s”无效：请填写 0—%d 之间的数，最多两位小数", kit.Clip(v), c.Max)
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			if strings.HasPrefix(v, "-") {
				return 0, fmt.Errorf("得分不能为负数")
			}
			return 0, fmt.Errorf("得分“%s”无效：请填写 0—%d 之间的数，最多两位小数", kit.Clip(v), c.Max)
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("得分“%s”无效", kit.Clip(v))
	}
	if n > int64(c.Max)*100 {
		return 0, fmt.Errorf("得分 %s 超过“%s”类目满分 %d 分", Points(n), c.Name, c.Max)
	}
	return n, nil
}

// Points shows hundredths of a point without trailing zeros ("85.5").
func Points(h int64) string {
	s := strconv.FormatFloat(float64(h)/100, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// Sheet is one reviewer's scores of an application, in Categories order.
type Sheet struct {
	Reviewer string   `json:"reviewer"`
	Scores   []int64  `json:"scores"` // hundredths
	Total    float64  `json:"total"`
	Outlier  bool     `json:"outlier"`
	Reasons  []string `json:"reasons,omitempty"`
}

// Aggregate is the combined result of an application's sheets.
type Aggregate struct {
	Reviewers   int       `json:"reviewers"`
	Mean        float64   `json:"mean"`
	Trimmed     float64   `json:"trimmed_mean"`
	Categories  []float64 `json:"category_means"` // mean per category, Categories order
	Outliers    int       `json:"outliers"`
	SiteReview  bool      `json:"site_review"` // trimmed mean ≥ SiteReviewThreshold
	Sheets      []Sheet   `json:"sheets"`
	Explanation string    `json:"rule"`
}

// Combine aggregates sheets (each with len(Categories) scores): totals,
// the mean and the trimmed mean of the totals, per-category means, and
// the outlier flags with their reasons (OutlierRule).
func Combine(sheets []Sheet) Aggregate {
	a := Aggregate{Reviewers: len(sheets), Categories: make([]float64, len(Categories)), Explanation: OutlierRule}
	if len(sheets) == 0 {
		return a
	}
	totals := make([]float64, len(sheets))
	for i := range sheets {
		var t int64
		for _, s := range sheets[i].Scores {
			t += s
		}
		sheets[i].Total = float64(t) / 100
		totals[i] = sheets[i].Total
	}
	a.Mean = round2(mean(totals))
	sorted := slices.Clone(totals)
	slices.Sort(sorted)
	if len(sorted) >= 3 {
		a.Trimmed = round2(mean(sorted[1 : len(sorted)-1]))
	} else {
		a.Trimmed = a.Mean
	}
	medTotal := median(sorted)
	for c, cat := range Categories {
		col := make([]float64, len(sheets))
		for i, sh := range sheets {
			col[i] = float64(sh.Scores[c]) / 100
		}
		a.Categories[c] = round2(mean(col))
		slices.Sort(col)
		med := median(col)
		for i := range sheets {
			v := float64(sheets[i].Scores[c]) / 100
			if len(sheets) >= 2 && math.Abs(v-med) > OutlierCategoryShare*float64(cat.Max) {
				sheets[i].Outlier = true
				sheets[i].Reasons = append(sheets[i].Reasons, fmt.Sprintf("“%s”%s 分，偏离中位数 %s 分超过 %.1f 分", cat.Name, fmtPts(v), fmtPts(med), OutlierCategoryShare*float64(cat.Max)))
			}
		}
	}
	for i := range sheets {
		if len(sheets) >= 2 && math.Abs(sheets[i].Total-medTotal) > OutlierTotal {
			sheets[i].Outlier = true
			sheets[i].Reasons = append([]string{fmt.Sprintf("总分 %s 分，偏离中位数 %s 分超过 %.0f 分", fmtPts(sheets[i].Total), fmtPts(medTotal), OutlierTotal)}, sheets[i].Reasons...)
		}
		if sheets[i].Outlier {
			a.Outliers++
		}
	}
	a.SiteReview = a.Trimmed >= SiteReviewThreshold
	a.Sheets = sheets
	return a
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// median of sorted values.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func fmtPts(v float64) string { return Points(int64(math.Round(v * 100))) }
