package kit

import (
	"strconv"
	"strings"
)

// Args numbers the placeholders of a query assembled from filters: $1, $2 …
// as every query of Sidi is written (PostgreSQL takes them as they are,
// SQLite binds $N by position too). Values always travel as arguments,
// never inside the SQL text.
type Args struct{ vals []any }

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	a.vals = append(a.vals, v)
	return "$" + strconv.Itoa(len(a.vals))
}

// IDs appends each id and returns the placeholders separated by commas,
// for "col IN (…)".
func (a *Args) IDs(ids []int64) string {
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = a.Add(id)
	}
	return strings.Join(ph, ", ")
}

// Values are the arguments, in placeholder order.
func (a *Args) Values() []any { return a.vals }

// Where collects the conditions of a list query and their arguments.
type Where struct {
	Args
	conds []string
}

// Add appends a condition written with ? for its values, in order
// ("t.category = ?", cat); each ? becomes the next numbered placeholder.
// The condition is code, never user input, and has no literal "?".
func (w *Where) Add(cond string, vals ...any) {
	var b strings.Builder
	i := 0
	for _, r := range cond {
		if r == '?' && i < len(vals) {
			b.WriteString(w.Args.Add(vals[i]))
			i++
			continue
		}
		b.WriteRune(r)
	}
	if i != len(vals) {
		panic("kit: Where.Add: " + strconv.Itoa(len(vals)) + " values for " + strconv.Itoa(i) + " placeholders in " + cond)
	}
	w.conds = append(w.conds, b.String())
}

// Raw appends a condition without values ("t.sidi = 1", or one built with
// the embedded Args, like Scope.Cond); an empty one is skipped.
func (w *Where) Raw(cond string) {
	if cond != "" {
		w.conds = append(w.conds, cond)
	}
}

// Scope limits col to the departments of s.
func (w *Where) Scope(s Scope, col string) { w.Raw(s.Cond(col, &w.Args)) }

// Contains matches text anywhere in any of cols, case-insensitively for
// Latin letters, with LIKE's wildcards in text taken literally.
func (w *Where) Contains(text string, cols ...string) {
	text = strings.TrimSpace(text)
	if text == "" || len(cols) == 0 {
		return
	}
	ph := w.Args.Add(LikePattern(text))
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = "LOWER(" + c + ") LIKE " + ph + ` ESCAPE '\'`
	}
	w.conds = append(w.conds, "("+strings.Join(parts, " OR ")+")")
}

// LikePattern escapes s for LIKE … ESCAPE '\', lower-cases it and wraps
// it in wildcards.
func LikePattern(s string) string {
	return "%" + strings.ToLower(EscapeLike(s)) + "%"
}

// EscapeLike escapes the wildcards of s for LIKE … ESCAPE '\'.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// SQL is " WHERE a AND b", or "" without conditions.
func (w *Where) SQL() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Conds is the conditions joined by AND, "1 = 1" without any, for a query
// that goes on after them.
func (w *Where) Conds() string {
	if len(w.conds) == 0 {
		return "1 = 1"
	}
	return strings.Join(w.conds, " AND ")
}
