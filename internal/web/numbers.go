package web

import "sidi/internal/numfmt"

// formatNum is the template's num: v rounded for reading by its unit
// ({{num .Current .Unit}}); without a unit, at most 2 decimals.
func formatNum(v float64, unit ...string) string {
	u := ""
	if len(unit) > 0 {
		u = unit[0]
	}
	return numfmt.Format(v, u)
}
