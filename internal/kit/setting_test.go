package kit_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/kit"
	"sidi/internal/kit/kittest"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

type knob struct {
	Key  string
	N    int
	Note string
}

func knobs(db *store.DB) kit.Setting[string, knob] {
	return kit.Setting[string, knob]{
		DB: db, Entity: "kit_knob", ID: func(k string) string { return "knob/" + k },
		Load: func(ctx context.Context, q store.Querier, key string) (knob, bool, error) {
			k := knob{Key: key}
			err := q.QueryRowContext(ctx, `SELECT n, note FROM kit_knob WHERE k = $1`, key).Scan(&k.N, &k.Note)
			if errors.Is(err, sql.ErrNoRows) {
				return k, false, nil
			}
			return k, err == nil, err
		},
	}
}

// setKnob writes n under key, refusing a note that is not "ok" (Check
// sees the stored record) and leaving an equal record alone.
func setKnob(ctx context.Context, st kit.Setting[string, knob], by audit.Actor, key string, n int) (knob, error) {
	return st.Save(ctx, kit.Put[string, knob]{By: by, Key: key, Action: "update",
		Validate: func() error {
			var es kit.Errors
			if key == "" {
				es.Add("key", "键不能为空")
			}
			return es.Err()
		},
		Check: func(_ *sql.Tx, before knob, found bool) error {
			if found && before.Note != "ok" {
				return apperr.Conflict("设置 %s 已锁定", key)
			}
			return nil
		},
		Same: func(before knob) bool { return before.N == n },
		Exec: func(tx *sql.Tx, _ knob, _ bool) (knob, error) {
			_, err := tx.ExecContext(ctx, `INSERT INTO kit_knob (k, n, note) VALUES ($1, $2, 'ok') ON CONFLICT (k) DO UPDATE SET n = excluded.n`, key, n)
			return knob{Key: key, N: n, Note: "ok"}, err
		}})
}

func TestSettingSave(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Writer().ExecContext(ctx, `CREATE TABLE kit_knob (k TEXT PRIMARY KEY, n INTEGER NOT NULL CHECK (n >= 0), note TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		st := knobs(db)
		// A new record: no before.
		if k, err := setKnob(ctx, st, tester, "a", 1); err != nil || k.N != 1 || k.Note != "ok" {
			t.Fatalf("create: %+v %v", k, err)
		}
		// A change: before and after.
		if k, err := setKnob(ctx, st, tester, "a", 2); err != nil || k.N != 2 {
			t.Fatalf("update: %+v %v", k, err)
		}
		// The same value again: the stored record, nothing written.
		if k, err := setKnob(ctx, st, tester, "a", 2); err != nil || k.N != 2 || k.Note != "ok" {
			t.Fatalf("unchanged: %+v %v", k, err)
		}
		got := kittest.AuditEntries(t, db, "kit_knob")
		want := []string{
			`knob/a update null → {"Key":"a","N":1,"Note":"ok"}`,
			`knob/a update {"Key":"a","N":1,"Note":"ok"} → {"Key":"a","N":2,"Note":"ok"}`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit entries\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}

		if _, err := db.Writer().ExecContext(ctx, `INSERT INTO kit_knob (k, n, note) VALUES ('locked', 1, 'no')`); err != nil {
			t.Fatal(err)
		}
		kittest.Refused(t, db, []string{`SELECT COUNT(*) FROM kit_knob`, `SELECT COALESCE(SUM(n), 0) FROM kit_knob`}, []kittest.Refusal{
			{Name: "role refused", Kind: apperr.ErrForbidden, Msg: "您没有执行此操作的权限", Write: func() error {
				_, err := st.Save(ctx, kit.Put[string, knob]{By: tester, Key: "b", Action: "update", Allowed: apperr.Forbidden("您没有执行此操作的权限"),
					Exec: func(*sql.Tx, knob, bool) (knob, error) { t.Error("exec ran for a refused caller"); return knob{}, nil }})
				return err
			}},
			{Name: "validation", Kind: apperr.ErrInvalid, Msg: "键不能为空", Write: func() error {
				_, err := setKnob(ctx, st, tester, "", 1)
				return err
			}},
			{Name: "check refuses", Kind: apperr.ErrConflict, Msg: "设置 locked 已锁定", Write: func() error {
				_, err := setKnob(ctx, st, tester, "locked", 5)
				return err
			}},
		})
		// A failing exec is an internal error naming the entity and key,
		// and leaves neither a row nor an audit entry.
		before := kittest.Counts(t, db, `SELECT COUNT(*) FROM audit_log`, `SELECT COUNT(*) FROM kit_knob`)
		_, err := setKnob(ctx, st, tester, "neg", -1)
		if err == nil || errors.Is(err, apperr.ErrInvalid) || errors.Is(err, apperr.ErrConflict) || !strings.Contains(err.Error(), "kit_knob: update knob/neg") {
			t.Errorf("failing exec: %v", err)
		}
		if after := kittest.Counts(t, db, `SELECT COUNT(*) FROM audit_log`, `SELECT COUNT(*) FROM kit_knob`); after[0] != before[0] || after[1] != before[1] {
			t.Errorf("failing exec wrote: %v → %v", before, after)
		}
		if _, err := st.Save(ctx, kit.Put[string, knob]{Key: "x", Action: "update", Exec: func(*sql.Tx, knob, bool) (knob, error) { return knob{}, nil }}); err == nil {
			t.Error("a write without a caller ran")
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

func TestFound(t *testing.T) {
	boom := errors.New("boom")
	for _, c := range []struct {
		name  string
		err   error
		found bool
		want  error
	}{
		{"a row", nil, true, nil},
		{"no row", sql.ErrNoRows, false, nil},
		{"no row, wrapped", fmt.Errorf("scan: %w", sql.ErrNoRows), false, nil},
		{"a failure", boom, false, boom},
	} {
		found, err := kit.Found(c.err)
		if found != c.found || !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: %v %v, want %v %v", c.name, found, err, c.found, c.want)
		}
	}
}

// TestSettingLoadFails: a failing Load stops the write with an error that
// names the entity and key, and nothing is written.
func TestSettingLoadFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// No kit_knob table: Load fails.
		st := knobs(db)
		before := kittest.Counts(t, db, `SELECT COUNT(*) FROM audit_log`)
		_, err := setKnob(ctx, st, tester, "a", 1)
		if err == nil || !strings.Contains(err.Error(), "kit_knob: load knob/a: ") {
			t.Errorf("failing load: %v", err)
		}
		if after := kittest.Counts(t, db, `SELECT COUNT(*) FROM audit_log`); after[0] != before[0] {
			t.Errorf("failing load wrote audit entries: %v → %v", before, after)
		}
	})
}

// TestSettingRemove: a Put with Remove deletes the stored record with an
// audit entry that keeps its Before; a record not found is left alone
// (or refused by Check); an Exec that returns Unchanged rolls back and
// leaves no audit entry; a failing Exec leaves nothing either.
func TestSettingRemove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Writer().ExecContext(ctx, `CREATE TABLE kit_knob (k TEXT PRIMARY KEY, n INTEGER NOT NULL, note TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		st := knobs(db)
		del := func(ctx context.Context, key string) func(tx *sql.Tx, _ knob, _ bool) (knob, error) {
			return func(tx *sql.Tx, _ knob, _ bool) (knob, error) {
				_, err := tx.ExecContext(ctx, `DELETE FROM kit_knob WHERE k = $1`, key)
				return knob{}, err
			}
		}
		mustExist := func(_ *sql.Tx, _ knob, found bool) error {
			if !found {
				return apperr.NotFound("没有这个设置")
			}
			return nil
		}
		for _, c := range []struct {
			name  string
			put   kit.Put[string, knob]
			err   string // a substring of the error; "" for none
			out   knob
			rows  int      // kit_knob's rows after the write (2 before)
			audit []string // the entries the write adds
		}{
			{name: "remove a found record, Same not consulted",
				put:  kit.Put[string, knob]{Key: "a", Remove: true, Same: func(knob) bool { return true }, Exec: del(ctx, "a")},
				rows: 1, audit: []string{`knob/a unlink {"Key":"a","N":1,"Note":"ok"} → null`}},
			{name: "remove a record not found",
				put: kit.Put[string, knob]{Key: "zz", Remove: true, Exec: func(*sql.Tx, knob, bool) (knob, error) {
					t.Error("exec ran for a record not found")
					return knob{}, nil
				}},
				rows: 2},
			{name: "remove refused by check",
				put: kit.Put[string, knob]{Key: "zz", Remove: true, Check: mustExist, Exec: del(ctx, "zz")},
				err: "没有这个设置", rows: 2},
			{name: "remove, exec finds nothing to change",
				put: kit.Put[string, knob]{Key: "a", Remove: true, Exec: func(tx *sql.Tx, b knob, f bool) (knob, error) {
					_, err := del(ctx, "a")(tx, b, f) // rolled back
					return knob{Key: "a"}, errors.Join(err, kit.Unchanged)
				}},
				rows: 2},
			{name: "insert, exec finds nothing to change",
				put: kit.Put[string, knob]{Key: "c", Exec: func(tx *sql.Tx, _ knob, _ bool) (knob, error) {
					return knob{Key: "c", N: 7}, kit.Unchanged
				}},
				out: knob{Key: "c", N: 7}, rows: 2},
			{name: "remove, exec fails",
				put: kit.Put[string, knob]{Key: "a", Remove: true, Exec: func(*sql.Tx, knob, bool) (knob, error) { return knob{}, errors.New("boom") }},
				err: "kit_knob: unlink knob/a: boom", rows: 2},
		} {
			if _, err := db.Writer().ExecContext(ctx, `DELETE FROM kit_knob`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Writer().ExecContext(ctx, `INSERT INTO kit_knob (k, n, note) VALUES ('a', 1, 'ok'), ('b', 2, 'ok')`); err != nil {
				t.Fatal(err)
			}
			before := kittest.AuditEntries(t, db, "kit_knob")
			c.put.By, c.put.Action = tester, "unlink"
			out, err := st.Save(ctx, c.put)
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Errorf("%s: %v, want %q", c.name, err, c.err)
			}
			if out != c.out {
				t.Errorf("%s: returned %+v, want %+v", c.name, out, c.out)
			}
			if n := kittest.Counts(t, db, `SELECT COUNT(*) FROM kit_knob`)[0]; n != c.rows {
				t.Errorf("%s: %d rows, want %d", c.name, n, c.rows)
			}
			if got := kittest.AuditEntries(t, db, "kit_knob")[len(before):]; strings.Join(got, "\n") != strings.Join(c.audit, "\n") {
				t.Errorf("%s: audit entries\n%s\nwant\n%s", c.name, strings.Join(got, "\n"), strings.Join(c.audit, "\n"))
			}
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}

// TestSettingUpdateAction: a Put's Update (or UpdateFor's choice) is the
// action logged for a write over a found record; a first write logs Action,
// and so does a write without Update or a Remove; Audit and AuditAfter are
// the views logged before and after; a failing Exec's error names the action the
// write would have logged; an unchanged record logs nothing.
func TestSettingUpdateAction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Writer().ExecContext(ctx, `CREATE TABLE kit_knob (k TEXT PRIMARY KEY, n INTEGER NOT NULL, note TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		st := knobs(db)
		set := func(key string, n int) func(*sql.Tx, knob, bool) (knob, error) {
			return func(tx *sql.Tx, _ knob, _ bool) (knob, error) {
				_, err := tx.ExecContext(ctx, `INSERT INTO kit_knob (k, n, note) VALUES ($1, $2, 'ok') ON CONFLICT (k) DO UPDATE SET n = excluded.n`, key, n)
				return knob{Key: key, N: n, Note: "ok"}, err
			}
		}
		for _, c := range []struct {
			name  string
			put   kit.Put[string, knob]
			err   string   // a substring of the error; "" for none
			audit []string // the entries the write adds
		}{
			{name: "first write logs Action",
				put:   kit.Put[string, knob]{Key: "c", Action: "set", Update: "reset", Exec: set("c", 3)},
				audit: []string{`knob/c set null → {"Key":"c","N":3,"Note":"ok"}`}},
			{name: "a write over a found record logs Update",
				put:   kit.Put[string, knob]{Key: "a", Action: "set", Update: "reset", Exec: set("a", 5)},
				audit: []string{`knob/a reset {"Key":"a","N":1,"Note":"ok"} → {"Key":"a","N":5,"Note":"ok"}`}},
			{name: "no Update: a write over a found record logs Action",
				put:   kit.Put[string, knob]{Key: "a", Action: "set", Exec: set("a", 5)},
				audit: []string{`knob/a set {"Key":"a","N":1,"Note":"ok"} → {"Key":"a","N":5,"Note":"ok"}`}},
			{name: "a Remove logs Action",
				put: kit.Put[string, knob]{Key: "a", Action: "unlink", Update: "reset", Remove: true, Exec: func(tx *sql.Tx, _ knob, _ bool) (knob, error) {
					_, err := tx.ExecContext(ctx, `DELETE FROM kit_knob WHERE k = 'a'`)
					return knob{}, err
				}},
				audit: []string{`knob/a unlink {"Key":"a","N":1,"Note":"ok"} → null`}},
			{name: "an unchanged found record logs nothing",
				put: kit.Put[string, knob]{Key: "a", Action: "set", Update: "reset", Same: func(knob) bool { return true }, Exec: set("a", 5)}},
			{name: "a failing exec over a found record names Update",
				put: kit.Put[string, knob]{Key: "a", Action: "set", Update: "reset", Exec: func(*sql.Tx, knob, bool) (knob, error) { return knob{}, errors.New("boom") }},
				err: "kit_knob: reset knob/a: boom"},
			{name: "UpdateFor chooses the action over a found record from it, before Update",
				put: kit.Put[string, knob]{Key: "a", Action: "set", Update: "reset", Exec: set("a", 5),
					UpdateFor: func(b knob) string { return fmt.Sprintf("from_%d", b.N) }},
				audit: []string{`knob/a from_1 {"Key":"a","N":1,"Note":"ok"} → {"Key":"a","N":5,"Note":"ok"}`}},
			{name: "UpdateFor is not asked for a first write",
				put: kit.Put[string, knob]{Key: "c", Action: "set", Exec: set("c", 3),
					UpdateFor: func(knob) string { t.Error("UpdateFor asked for a first write"); return "x" }},
				audit: []string{`knob/c set null → {"Key":"c","N":3,"Note":"ok"}`}},
			{name: "Audit views both sides",
				put:   kit.Put[string, knob]{Key: "a", Action: "set", Exec: set("a", 5), Audit: func(k knob) any { return map[string]int{"n": k.N} }},
				audit: []string{`knob/a set {"n":1} → {"n":5}`}},
			{name: "AuditAfter views the after, Audit the before",
				put: kit.Put[string, knob]{Key: "a", Action: "set", Exec: set("a", 5), Audit: func(k knob) any { return map[string]int{"n": k.N} },
					AuditAfter: func(k knob) any { return map[string]any{"n": k.N, "why": "测试"} }},
				audit: []string{`knob/a set {"n":1} → {"n":5,"why":"测试"}`}},
			{name: "a Remove with AuditAfter records it instead of null",
				put: kit.Put[string, knob]{Key: "a", Action: "unlink", Remove: true, Exec: func(tx *sql.Tx, _ knob, _ bool) (knob, error) {
					_, err := tx.ExecContext(ctx, `DELETE FROM kit_knob WHERE k = 'a'`)
					return knob{Note: "gone"}, err
				}, AuditAfter: func(k knob) any { return map[string]any{"deleted": true, "note": k.Note} }},
				audit: []string{`knob/a unlink {"Key":"a","N":1,"Note":"ok"} → {"deleted":true,"note":"gone"}`}},
			{name: "a failing first write names Action",
				put: kit.Put[string, knob]{Key: "c", Action: "set", Update: "reset", Exec: func(*sql.Tx, knob, bool) (knob, error) { return knob{}, errors.New("boom") }},
				err: "kit_knob: set knob/c: boom"},
		} {
			if _, err := db.Writer().ExecContext(ctx, `DELETE FROM kit_knob`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Writer().ExecContext(ctx, `INSERT INTO kit_knob (k, n, note) VALUES ('a', 1, 'ok'), ('b', 2, 'ok')`); err != nil {
				t.Fatal(err)
			}
			before := kittest.AuditEntries(t, db, "kit_knob")
			c.put.By = tester
			_, err := st.Save(ctx, c.put)
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Errorf("%s: %v, want %q", c.name, err, c.err)
			}
			if got := kittest.AuditEntries(t, db, "kit_knob")[len(before):]; strings.Join(got, "\n") != strings.Join(c.audit, "\n") {
				t.Errorf("%s: audit entries\n%s\nwant\n%s", c.name, strings.Join(got, "\n"), strings.Join(c.audit, "\n"))
			}
		}
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Errorf("audit chain: %v", err)
		}
	})
}
