package kit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/store"
)

// Spec is what the kit knows of one register, fixed for its life: where it
// is stored, how the audit log names it and how a record is read back.
type Spec[T any] struct {
	DB *store.DB
	// Entity names the register in the audit log ("standard").
	Entity string
	// Noun is its Chinese name in messages ("标准"): "没有编号为 3 的标准".
	Noun string
	// Load reads one record (inside the write's transaction); a missing
	// one is an apperr.NotFound.
	Load func(ctx context.Context, q store.Querier, id int64) (T, error)
	// Dept is the department a record belongs to, for the scope check;
	// nil for a register that is not kept by department.
	Dept func(T) int64
	// Public says the records are public: a change of one outside the
	// caller's scope is refused as forbidden, not hidden as not found.
	Public bool
	// Missing is the message of a record that does not exist, given also
	// for a change of one outside the caller's scope, for a register whose
	// Load words it its own way ("政策措施 3 不存在"); nil: "没有编号为 3
	// 的{Noun}".
	Missing func(id int64) string
	// Audit is what the audit log records of a record; nil: the record
	// itself. (An announcement records the ids it lists, not every
	// standard in full.)
	Audit func(T) any
	// AuditAfter is what the audit log records of a record after a write,
	// for a register whose entries show more of the record after than
	// before (a report's review step: its status before, its status and
	// the review's comment after); nil: Audit for both sides.
	AuditAfter func(T) any
}

// Write is one change of a register's record: a creation when ID is 0,
// otherwise a change of the record ID. Save runs, in order:
//
//  1. Allowed (the caller's role check, evaluated by the caller: a
//     p.Require(…) error) and Validate, outside any transaction;
//  2. in one transaction: Load the record (changes only), the scope check
//     of its department and of Dept (an apperr.OutOfScope, or for a
//     Public register a Forbidden), Check, Exec — a unique-constraint
//     failure becomes an apperr.Conflict with the message Conflict —,
//     Load again, and the audit entry (before and after);
//  3. the record as stored is returned.
//
// Any error rolls everything back: a failing Exec leaves no audit entry.
type Write[T any] struct {
	// By is who writes, as the audit log records it (p.Actor()).
	By audit.Actor
	// Allowed is the verdict of the caller's role check, p.Require(…):
	// the kit does not import auth (auth uses the kit), so the check is
	// evaluated by the register and a refusal stops the write here.
	Allowed error
	// Scope, when set, limits the write to its departments: the record's
	// current department (Spec.Dept) and Dept must both be in it; a
	// record outside is an apperr.OutOfScope (a not-found to the user).
	Scope *Scope
	// Dept is the department the record will belong to (0: unchanged).
	Dept   int64
	ID     int64
	Action string // as the audit log records it: "create", "update", "advance:published"
	// Validate checks the input; it returns an Errors (or nil).
	Validate func() error
	// Check runs the rules that depend on the stored record (a status
	// transition, a count that may not fall); before is the zero T for a
	// creation. Optional.
	Check func(tx *sql.Tx, before T) error
	// Exec writes and returns the record's id (for a change, w.ID).
	Exec func(tx *sql.Tx, before T) (int64, error)
	// Conflict gives the message of a unique-constraint failure of Exec
	// ("标准号 GB 1-2000 已在库中"), once Validate has run; nil: "与已有
	// 的{Noun}重复".
	Conflict func() string
}

// Save runs w (see Write) and returns the record as stored.
func (sp Spec[T]) Save(ctx context.Context, w Write[T]) (T, error) {
	var zero T
	if err := admit(sp.Entity, w.By, w.Action, w.Exec != nil, w.Allowed, w.Validate); err != nil {
		return zero, err
	}
	var after T
	err := sp.DB.Tx(ctx, func(tx *sql.Tx) error {
		var before T
		create := w.ID == 0
		if !create {
			var err error
			if before, err = sp.Load(ctx, tx, w.ID); err != nil {
				return err
			}
		}
		if w.Scope != nil {
			if !create && sp.Dept != nil && !w.Scope.Allows(sp.Dept(before)) {
				if sp.Public {
					return apperr.Forbidden("编号为 %d 的%s不在您的数据范围内，不能修改", w.ID, sp.Noun)
				}
				return apperr.OutOfScope("%s", sp.missing(w.ID))
			}
			if w.Dept != 0 && !w.Scope.Allows(w.Dept) {
				return apperr.OutOfScope("编号为 %d 的部门不在您的数据范围内", w.Dept)
			}
		}
		if w.Check != nil {
			if err := w.Check(tx, before); err != nil {
				return err
			}
		}
		id, err := w.Exec(tx, before)
		if err != nil {
			return sp.execError(w, err)
		}
		if after, err = sp.Load(ctx, tx, id); err != nil {
			return err
		}
		e := audit.Entry{Entity: sp.Entity, EntityID: strconv.FormatInt(id, 10), Action: w.Action, After: auditView(sp.Audit, sp.AuditAfter, after)}
		if !create {
			e.Before = auditView(sp.Audit, nil, before)
		}
		return audit.Append(ctx, sp.DB, tx, w.By, e)
	})
	if err != nil {
		return zero, err
	}
	return after, nil
}

func (sp Spec[T]) missing(id int64) string {
	if sp.Missing != nil {
		return sp.Missing(id)
	}
	return fmt.Sprintf("没有编号为 %d 的%s", id, sp.Noun)
}

// auditView is what an audit entry records of x: after's view when set
// (the after side of a write that records more after than before), else
// view's, else x itself.
func auditView[T any](view, after func(T) any, x T) any {
	switch {
	case after != nil:
		return after(x)
	case view != nil:
		return view(x)
	}
	return x
}

// execError turns a failure of Exec into what the caller sees: a unique
// conflict as the write's message, a user-facing error as it is, anything
// else wrapped with the register and the action.
func (sp Spec[T]) execError(w Write[T], err error) error {
	if IsUnique(err) {
		msg := fmt.Sprintf("与已有的%s重复", sp.Noun)
		if w.Conflict != nil {
			msg = w.Conflict()
		}
		return apperr.Conflict("%s", msg)
	}
	if userFacing(err) {
		return err
	}
	if w.ID == 0 {
		return fmt.Errorf("%s: %s: %w", sp.Entity, w.Action, err)
	}
	return fmt.Errorf("%s: %s %d: %w", sp.Entity, w.Action, w.ID, err)
}

// admit runs what a write passes before its transaction: it must name a
// caller, an action and an exec; then the caller's role check (allowed)
// and Validate.
func admit(entity string, by audit.Actor, action string, exec bool, allowed error, validate func() error) error {
	if by.Name == "" || !exec || action == "" {
		return fmt.Errorf("kit: %s write without a caller, an action or an exec", entity)
	}
	if allowed != nil {
		return allowed
	}
	if validate != nil {
		return validate()
	}
	return nil
}

// userFacing says err is meant for the user as it is (an apperr or a
// field list), not an internal failure to wrap.
func userFacing(err error) bool {
	var ae *apperr.Error
	var d apperr.Detailed
	return errors.As(err, &ae) || errors.As(err, &d)
}
