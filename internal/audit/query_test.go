package audit_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"sidi/internal/audit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// people adds a province, a department below it with an office below that,
// and one user in each of the three, returning the ids.
func people(t *testing.T, db *store.DB) (depts, users [3]int64) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var parent any
		for i, name := range []string{"青海省", "青海省市场监督管理局", "标准化处"} {
			err := tx.QueryRowContext(ctx, `INSERT INTO departments(code, name, kind, parent_id, created_at) VALUES ($1, $2, 'province', $3, $4) RETURNING id`,
				fmt.Sprintf("d%d", i), name, parent, now).Scan(&depts[i])
			if err != nil {
				return err
			}
			parent = depts[i]
			err = tx.QueryRowContext(ctx, `INSERT INTO users(login, name, dept_id, password_hash, password_changed_at, created_at, updated_at)
				VALUES ($1, $2, $3, 'x', $4, $4, $4) RETURNING id`, fmt.Sprintf("user%d", i), name+"用户", depts[i], now).Scan(&users[i])
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return depts, users
}

func record(t *testing.T, db *store.DB, a audit.Actor, entity, id, action string) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		return audit.Append(ctx, db, tx, a, audit.Entry{Entity: entity, EntityID: id, Action: action, After: map[string]string{"n": id}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		depts, users := people(t, db)
		actor := func(i int) audit.Actor {
			return audit.Actor{ID: users[i], Name: fmt.Sprintf("user%d", i), IP: "10.0.0.1"}
		}
		// seq 1–6
		record(t, db, actor(0), "user", "7", "create")
		record(t, db, actor(1), "user", "7", "update")
		record(t, db, actor(2), "department", "3", "update")
		record(t, db, actor(1), "department", "3", "add_alias")
		record(t, db, audit.System, "department", "4", "seed")
		record(t, db, actor(2), "user", "8", "unlock")
		hour := time.Hour
		now := time.Now()
		cases := []struct {
			name  string
			f     audit.Filter
			seqs  []int64
			total int
		}{
			{"everything, newest first", audit.Filter{}, []int64{6, 5, 4, 3, 2, 1}, 6},
			{"by actor", audit.Filter{Actor: "user1"}, []int64{4, 2}, 2},
			{"by actor id", audit.Filter{ActorID: users[2]}, []int64{6, 3}, 2},
			{"by department of the actor", audit.Filter{DeptID: depts[1]}, []int64{4, 2}, 2},
			{"by department and below", audit.Filter{DeptID: depts[1], WithSub: true}, []int64{6, 4, 3, 2}, 4},
			{"by entity", audit.Filter{Entity: "department"}, []int64{5, 4, 3}, 3},
			{"by entity and id", audit.Filter{Entity: "user", EntityID: "7"}, []int64{2, 1}, 2},
			{"by action", audit.Filter{Action: "update"}, []int64{3, 2}, 2},
			{"combined", audit.Filter{Entity: "department", Action: "update", DeptID: depts[0], WithSub: true}, []int64{3}, 1},
			{"in time range", audit.Filter{From: now.Add(-hour), To: now.Add(hour)}, []int64{6, 5, 4, 3, 2, 1}, 6},
			{"range in the future", audit.Filter{From: now.Add(hour)}, []int64{}, 0},
			{"range in the past", audit.Filter{To: now.Add(-hour)}, []int64{}, 0},
			{"second page", audit.Filter{Limit: 4, Offset: 4}, []int64{2, 1}, 6},
			{"no match", audit.Filter{Actor: "nobody"}, []int64{}, 0},
		}
		for _, c := range cases {
			recs, total, err := audit.List(context.Background(), db.Reader(), c.f)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got := []int64{}
			for _, r := range recs {
				got = append(got, r.Seq)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.seqs) || total != c.total {
				t.Errorf("%s: seqs %v total %d, want %v total %d", c.name, got, total, c.seqs, c.total)
			}
		}
		recs, _, _ := audit.List(context.Background(), db.Reader(), audit.Filter{Limit: 1})
		if len(recs) != 1 || string(recs[0].After) != `{"n":"8"}` || recs[0].Hash == "" || recs[0].IP != "10.0.0.1" {
			t.Errorf("record not read back whole: %+v", recs)
		}
	})
}

// TestListTimeBounds checks the range at the edge of a second, where the
// stored text form ("…:00Z" and "…:00.5Z") does not sort chronologically.
func TestListTimeBounds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i, at := range []string{"2025-06-29T23:59:59.999Z", "2025-06-30T00:00:00Z", "2025-06-30T00:00:00.5Z", "2025-06-30T23:59:59.9Z", "2025-07-01T00:00:00Z"} {
			_, err := db.Writer().ExecContext(ctx, `INSERT INTO audit_log(seq, at, actor, entity, entity_id, action, before, after, prev_hash, hash)
				VALUES ($1, $2, 'system', 'x', '1', 'test', 'null', 'null', '', '')`, i+1, at)
			if err != nil {
				t.Fatal(err)
			}
		}
		day := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
		recs, total, err := audit.List(ctx, db.Reader(), audit.Filter{From: day, To: day.AddDate(0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, r := range recs {
			got = append(got, r.Seq)
		}
		if total != 3 || fmt.Sprint(got) != "[4 3 2]" {
			t.Fatalf("30 June holds %v (total %d), want [4 3 2]", got, total)
		}
	})
}

func TestAuditKindsAndActorNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, users := people(t, db)
		record(t, db, audit.Actor{ID: users[1], Name: "user1"}, "report", "1", "save")
		record(t, db, audit.Actor{Name: "cli:demo"}, "standard", "2", "import")
		record(t, db, audit.Actor{ID: users[1], Name: "user1"}, "report", "1", "submit")
		entities, actions, err := audit.Kinds(ctx, db.Reader())
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(entities) != "[report standard]" || fmt.Sprint(actions) != "[import save submit]" {
			t.Errorf("kinds: entities %v, actions %v", entities, actions)
		}
		recs, _, err := audit.List(ctx, db.Reader(), audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		names, err := audit.ActorNames(ctx, db.Reader(), recs)
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != 1 || names[users[1]] != "青海省市场监督管理局用户" {
			t.Errorf("actor names %v", names)
		}
	})
}
