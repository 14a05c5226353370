// Package kittest helps the tests of registers written on the kit: a
// refused write (out of scope, a duplicate, a missing record) must fail
// with the register's own message and leave no row and no audit entry.
package kittest

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/kit"
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

// AuditEntries are the audit log's entries of entity, oldest first, each
// as "entity_id action before → after" (before and after as stored, "null"
// for none): what a test compares to the entries a write must leave.
func AuditEntries(t testing.TB, db *store.DB, entity string) []string {
	t.Helper()
	var out []string
	err := store.EachRow(context.Background(), db.Reader(), `SELECT entity_id, action, before, after FROM audit_log WHERE entity = $1 ORDER BY seq`, []any{entity}, func(r *sql.Rows) error {
		var id, action, before, after string
		err := r.Scan(&id, &action, &before, &after)
		out = append(out, id+" "+action+" "+before+" → "+after)
		return err
	})
	if err != nil {
		t.Fatalf("audit entries of %s: %v", entity, err)
	}
	return out
}

// Entries checks that the audit log's entries of entity whose action is one
// of actions (every entry of entity when none is named) are want, oldest
// first (each as Entry builds it), and reports both lists if not.
func Entries(t testing.TB, db *store.DB, entity string, want []string, actions ...string) {
	t.Helper()
	var got []string
	for _, e := range AuditEntries(t, db, entity) {
		if f := strings.SplitN(e, " ", 3); len(actions) == 0 || len(f) > 1 && slices.Contains(actions, f[1]) {
			got = append(got, e)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit entries of %s %v:\n%s\nwant:\n%s", entity, actions, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Entry is an audit entry as AuditEntries shows it: "entity_id action
// before → after", before and after v's canonical JSON (as the audit log
// stores a state; nil is "null"), to compare with what a write left.
func Entry(t testing.TB, id, action string, before, after any) string {
	t.Helper()
	return id + " " + action + " " + canonical(t, before) + " → " + canonical(t, after)
}

func canonical(t testing.TB, v any) string {
	t.Helper()
	b, err := audit.Canonical(v)
	if err != nil {
		t.Fatalf("canonical JSON of %T: %v", v, err)
	}
	return string(b)
}

// SameDigestImports checks that databases a and b hold the same n import
// audit entries, each with a digest of its rows (kit.RowsDigest): what a
// first load and the same import in two passes must both leave.
func SameDigestImports(t testing.TB, n int, a, b *store.DB) {
	t.Helper()
	a1, a2 := AuditEntries(t, a, "import"), AuditEntries(t, b, "import")
	if len(a1) != n || !slices.Equal(a1, a2) || !strings.Contains(a1[0], kit.RowsDigestName) {
		t.Fatalf("import audit entries differ (want %d):\n%v\n%v", n, a1, a2)
	}
}
