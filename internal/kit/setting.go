package kit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"sidi/internal/audit"
	"sidi/internal/store"
)

// Setting is what the kit knows of a record kept under a key of its own
// rather than a generated id: a setting (a stage's time limit, a measure's
// baseline) or a record named by its content (a brand's document, by
// brand and hash). K is the key, T the record. A Setting is written by
// Save, the keyed counterpart of Spec.Save.
type Setting[K, T any] struct {
	DB *store.DB
	// Entity names the records in the audit log ("biz_start_limit").
	Entity string
	// ID is the audit log's entity id of a key; nil: fmt.Sprint(key).
	ID func(K) string
	// Load reads the record stored under key (inside the write's
	// transaction); found is false when there is none, which is not an
	// error: a Put decides whether it may create one (Found reads a
	// one-row query so). Save wraps its error with the entity and key.
	Load func(ctx context.Context, q store.Querier, key K) (v T, found bool, err error)
}

// Put is one write of the record under Key. Save runs, in order:
//
//  1. Allowed (the caller's role check, p.Require(…)) and Validate,
//     outside any transaction;
//  2. in one transaction: Load the stored record, Check (the rules that
//     depend on it: a key that must exist, a scope), Same (an unchanged
//     record: nothing is written and there is no audit entry), Exec, and
//     the audit entry: its action is Action, or over a found record
//     UpdateFor's or Update; Before is the stored record (nil when there
//     was none), After the record Exec wrote, each as Audit and
//     AuditAfter view them;
//  3. the record as stored is returned.
//
// A Put with Remove removes the stored record instead: see Remove.
//
// Any error rolls everything back: a failing Exec leaves no audit entry.
// An Exec that finds nothing to change after all returns Unchanged.
type Put[K, T any] struct {
	// By is who writes, as the audit log records it (p.Actor()).
	By audit.Actor
	// Allowed is the verdict of the caller's role check; a refusal stops
	// the write here.
	Allowed error
	Key     K
	Action  string // as the audit log records it: "update", "archive"
	// Update is the action the audit log records of a write over a found
	// record, when it differs from the first write's ("result" first,
	// "correct_result" after); "": Action. Whether a record is found is
	// known only inside the transaction, so the choice is the kit's. A
	// Remove always records Action.
	Update string
	// UpdateFor is the action of a write over a found record when it
	// depends on the stored record (a milestone's correction is
	// "correct_done" when it changes the done date, else "update");
	// nil: Update.
	UpdateFor func(before T) string
	// Validate checks the input; it returns an Errors, an apperr (or nil).
	Validate func() error
	// Check runs the rules that depend on the stored record; before is the
	// zero T when found is false. Optional.
	Check func(tx *sql.Tx, before T, found bool) error
	// Same says a stored record already is what the write would store: it
	// is returned as it is. Called only for a found record; nil: a found
	// record is always written again.
	Same func(before T) bool
	// Exec writes (inserts or updates) and returns the record as stored;
	// with Remove, it deletes the stored record (its T is not used).
	Exec func(tx *sql.Tx, before T, found bool) (T, error)
	// Audit is what the audit log records of the record, before and
	// after the write; nil: the record itself.
	Audit func(T) any
	// AuditAfter is what it records after the write, when that differs
	// from the before (a correction's reason, a removal's reason where the
	// record is gone): it gets the record Exec returned, for a Remove too,
	// whose After is then AuditAfter's and not null; nil: Audit.
	AuditAfter func(T) any
	// Remove says the write removes the record under Key (an unlink):
	// Exec runs only for a found record (a record not found is left as it
	// is, with no audit entry, unless Check refuses it), Same is not
	// consulted, the audit entry's Before is the stored record and its
	// After null (AuditAfter's when set), and Save returns the zero T.
	Remove bool
}

// Unchanged is what an Exec returns when it finds, after all, nothing to
// change: an insert … ON CONFLICT DO NOTHING that met a record written
// since Load, a delete of a row already gone. Save then rolls the
// transaction back, writes no audit entry and returns Exec's record (the
// zero T for a Remove) with no error.
var Unchanged = errors.New("kit: unchanged")

// Save runs w (see Put) and returns the record as stored.
func (st Setting[K, T]) Save(ctx context.Context, w Put[K, T]) (T, error) {
	var zero T
	if err := admit(st.Entity, w.By, w.Action, w.Exec != nil, w.Allowed, w.Validate); err != nil {
		return zero, err
	}
	id := st.id(w.Key)
	var out T
	err := st.DB.Tx(ctx, func(tx *sql.Tx) error {
		before, found, err := st.Load(ctx, tx, w.Key)
		if err != nil {
			return fmt.Errorf("%s: load %s: %w", st.Entity, id, err)
		}
		if w.Check != nil {
			if err := w.Check(tx, before, found); err != nil {
				return err
			}
		}
		if w.Remove && !found {
			return nil
		}
		if found && !w.Remove && w.Same != nil && w.Same(before) {
			out = before
			return nil
		}
		action := w.Action
		switch {
		case !found || w.Remove:
		case w.UpdateFor != nil:
			action = w.UpdateFor(before)
		case w.Update != "":
			action = w.Update
		}
		out, err = w.Exec(tx, before, found)
		wrote := out
		if w.Remove {
			out = zero
		}
		switch {
		case errors.Is(err, Unchanged):
			return errUnchanged
		case err != nil && userFacing(err):
			return err
		case err != nil:
			return fmt.Errorf("%s: %s %s: %w", st.Entity, action, id, err)
		}
		e := audit.Entry{Entity: st.Entity, EntityID: id, Action: action, After: auditView(w.Audit, w.AuditAfter, wrote)}
		if w.Remove && w.AuditAfter == nil {
			e.After = nil
		}
		if found {
			e.Before = auditView(w.Audit, nil, before)
		}
		return audit.Append(ctx, st.DB, tx, w.By, e)
	})
	if errors.Is(err, errUnchanged) {
		return out, nil
	}
	if err != nil {
		return zero, err
	}
	return out, nil
}

// errUnchanged ends the transaction of an Exec that returned Unchanged.
var errUnchanged = errors.New("kit: unchanged (rolled back)")

func (st Setting[K, T]) id(key K) string {
	if st.ID != nil {
		return st.ID(key)
	}
	return fmt.Sprint(key)
}

// Found reads the error of a Load's one-row query (QueryRowContext(…).Scan):
// no row is a record not found, not an error.
func Found(err error) (bool, error) {
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}
