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
