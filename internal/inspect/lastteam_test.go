package inspect_test

import (
	"slices"
	"testing"

	"sidi/internal/inspect"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// The last team of each entity is kept in its own table: the next draw
// reads it as "last time" (avoided), and an avoidance redraw's new team
// replaces it.
func TestLastTeamsKeptPerEntity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		load(t, s, 60, 12)
		task := inspect.Task{Name: "重点", Items: []string{"K-01"}, Scope: inspect.Scope{RegionPrefix: "63"},
			Ratios: map[string]inspect.Ratio{"A": 1_000_000, "B": 1_000_000, "C": 1_000_000, "D": 1_000_000}, TeamSize: 2}
		rec1, err := s.Run(ctx, admin, task, inspect.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rec1.Last) != 0 {
			t.Fatalf("first draw has last teams: %d", len(rec1.Last))
		}
		a := rec1.Result.Assignments[0]
		rd, err := s.Redraw(ctx, admin, rec1.DrawID, a.Entity, a.Team[0], "近亲属", inspect.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		rec2, err := s.Run(ctx, admin, task, inspect.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rec2.Last) != len(rec1.Result.Assignments) {
			t.Fatalf("last teams %d, drawn before %d", len(rec2.Last), len(rec1.Result.Assignments))
		}
		for _, x := range rec1.Result.Assignments[1:] {
			want := slices.Clone(x.Team)
			slices.Sort(want)
			if !slices.Equal(rec2.Last[x.Entity], want) {
				t.Fatalf("%s: last %v, team %v", x.Entity, rec2.Last[x.Entity], want)
			}
		}
		want := slices.Clone(rd.Result.Assignments[0].Team)
		slices.Sort(want)
		if !slices.Equal(rec2.Last[a.Entity], want) {
			t.Fatalf("after redraw: last %v, new team %v", rec2.Last[a.Entity], want)
		}
		for _, x := range rec2.Result.Assignments {
			for _, id := range x.Team {
				if slices.Contains(rec2.Last[x.Entity], id) {
					t.Fatalf("%s sent again to %s", id, x.Entity)
				}
			}
		}
		if err := inspect.Verify(rec2); err != nil {
			t.Fatal(err)
		}
		// The third draw sees the second draw's teams.
		rec3, err := s.Run(ctx, admin, task, inspect.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		x := rec2.Result.Assignments[0]
		want = slices.Clone(x.Team)
		slices.Sort(want)
		if !slices.Equal(rec3.Last[x.Entity], want) {
			t.Fatalf("third draw: last %v, want %v", rec3.Last[x.Entity], want)
		}
	})
}

// Records are stored compressed and read back identical; a record of an
// earlier version (text in record) still reads.
func TestRecordStoredCompressed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := setup(t, db)
		load(t, s, 300, 12)
		task := inspect.Task{Name: "压缩", Items: []string{"K-01"}, Scope: inspect.Scope{RegionPrefix: "63"},
			Ratios: map[string]inspect.Ratio{"A": 100_000, "B": 100_000, "C": 100_000, "D": 1_000_000}, TeamSize: 2}
		rec, err := s.Run(ctx, admin, task, inspect.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		body, err := s.RecordJSON(ctx, rec.DrawID)
		if err != nil {
			t.Fatal(err)
		}
		var text string
		var gz []byte
		if err := db.Reader().QueryRowContext(ctx, `SELECT record, record_gz FROM inspect_draws WHERE id = $1`, rec.DrawID).Scan(&text, &gz); err != nil {
			t.Fatal(err)
		}
		if text != "" || len(gz) == 0 || len(gz)*2 > len(body) {
			t.Fatalf("stored %d text bytes, %d compressed for %d", len(text), len(gz), len(body))
		}
		back, err := inspect.ReadRecord(body)
		if err != nil {
			t.Fatal(err)
		}
		if err := inspect.Verify(back); err != nil || back.Result.SHA256 != rec.Result.SHA256 {
			t.Fatalf("stored record: %v", err)
		}
		if _, err := db.Writer().ExecContext(ctx, `UPDATE inspect_draws SET record = $1, record_gz = NULL WHERE id = $2`, string(body), rec.DrawID); err != nil {
			t.Fatal(err)
		}
		if again, err := s.RecordJSON(ctx, rec.DrawID); err != nil || string(again) != string(body) {
			t.Fatalf("text record: %d bytes, %v", len(again), err)
		}
		if pg, err := s.Draw(ctx, rec.DrawID, 0, 5); err != nil || pg.Total != len(rec.Result.Assignments) {
			t.Fatalf("page %+v %v", pg.Total, err)
		}
	})
}
