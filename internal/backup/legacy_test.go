package backup_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"sidi/internal/audit"
	"sidi/internal/backup"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestRestoreUpgradedPostgres: a PostgreSQL database created by a release
// before the keyed login chain (migration 0011) keeps its old login-log
// rows outside the chain (seq NULL). Its backup must restore — the chain's
// insert trigger would refuse those rows — and verify.
func TestRestoreUpgradedPostgres(t *testing.T) {
	ctx := context.Background()
	src := storetest.Config(t, store.Postgres)
	ms, err := store.Migrations(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	// The release before: migrations up to 0010, and three logins logged.
	raw, err := sql.Open("pgx", src.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Name == "audit_keyed_chains" {
			break
		}
		if _, err := raw.Exec(m.SQL); err != nil {
			t.Fatalf("migration %d: %v", m.Version, err)
		}
		if _, err := raw.Exec(`INSERT INTO schema_migrations VALUES ($1, $2, '2025-01-01T00:00:00Z')`, m.Version, m.Name); err != nil {
			t.Fatal(err)
		}
	}
	for i, o := range []string{"success", "bad_password", "logout"} {
		if _, err := raw.Exec(`INSERT INTO login_log(at, login, ip, user_agent, outcome, detail) VALUES ($1, 'old-user', '10.0.0.1', 'ua', $2, '')`,
			time.Date(2025, 1, 2, 3, 4, i, 0, time.UTC), o); err != nil {
			t.Fatal(err)
		}
	}
	// This release opens it (migrating forward), checkpoints and logs on.
	db, err := store.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := audit.WriteCheckpoint(ctx, db, "startup"); err != nil {
		t.Fatal(err)
	}
	if err := audit.AppendLogin(ctx, db, db.Writer(), time.Now().UTC(), "new-user", 0, "10.0.0.2", "ua", "success", ""); err != nil {
		t.Fatal(err)
	}
	if rep, err := audit.VerifyAll(ctx, db); err != nil || len(rep.Failed()) > 0 {
		t.Fatalf("source does not verify: %v %v", err, rep.Failed())
	}
	out := filepath.Join(t.TempDir(), "b.tar.gz")
	if _, err := backup.Create(ctx, db, out, backup.Options{IncludeKey: true}); err != nil {
		t.Fatal(err)
	}

	dst := storetest.Config(t, store.Postgres)
	res, err := backup.Restore(ctx, out, dst)
	if err != nil {
		t.Fatalf("restore of an upgraded database: %v", err)
	}
	if f := res.Report.Failed(); len(f) > 0 {
		t.Fatalf("restored database fails %v", f)
	}
	got, err := store.Open(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	var legacy, chained int
	if err := got.Reader().QueryRow(`SELECT COUNT(*) FILTER (WHERE seq IS NULL), COUNT(seq) FROM login_log`).Scan(&legacy, &chained); err != nil {
		t.Fatal(err)
	}
	if legacy != 3 || chained != 1 {
		t.Errorf("restored login log: %d legacy, %d chained; want 3 and 1", legacy, chained)
	}
	// The trigger is back: a row outside the chain is refused again.
	if _, err := got.Writer().Exec(`INSERT INTO login_log(at, login, ip, user_agent, outcome, detail) VALUES (now(), 'x', '', '', 'success', '')`); err == nil {
		t.Error("the login log's append trigger is not active after the restore")
	}
}
