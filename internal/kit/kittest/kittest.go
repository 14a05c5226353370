// Package kittest helps the tests of registers written on the kit: a
// refused write (out of scope, a duplicate, a missing record) must fail
// with the register's own message and leave no row and no audit entry.
package kittest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/store"
)

// Refusal is a write that must fail: its error is a Kind (errors.Is)
// whose user-facing message is exactly Msg.
type Refusal struct {
	Name  string
	Write func() error
	Kind  error
	Msg   string
}

// Counts runs each query (a SELECT COUNT(*) …) and returns the counts.
func Counts(t testing.TB, db *store.DB, queries ...string) []int {
	t.Helper()
	out := make([]int, len(queries))
	for i, q := range queries {
		if err := db.Reader().QueryRowContext(context.Background(), q).Scan(&out[i]); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return out
}

// Refused runs each write and checks its error and that the counts of
// queries (the rows it would have written) and the audit log are as they
// were before it.
func Refused(t testing.TB, db *store.DB, queries []string, writes []Refusal) {
	t.Helper()
	queries = append([]string{`SELECT COUNT(*) FROM audit_log`}, queries...)
	start := Counts(t, db, queries...)
	for _, w := range writes {
		err := w.Write()
		if !errors.Is(err, w.Kind) || apperr.Message(err) != w.Msg {
			t.Errorf("%s: %v, want %q", w.Name, err, w.Msg)
		}
		if got := Counts(t, db, queries...); !slices.Equal(got, start) {
			t.Errorf("%s: audit entries and %v went from %v to %v", w.Name, queries[1:], start, got)
		}
	}
}
