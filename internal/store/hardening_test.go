package store_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sidi/internal/audit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func TestAuditKeyFile(t *testing.T) {
	dir := t.TempDir()
	k, err := store.LoadAuditKey(dir)
	if err != nil || len(k) != store.AuditKeySize {
		t.Fatalf("LoadAuditKey: %d bytes, %v", len(k), err)
	}
	path := filepath.Join(dir, store.AuditKeyFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Fatalf("audit.key mode %v, want 0600", m)
	}
	again, err := store.LoadAuditKey(dir)
	if err != nil || !bytes.Equal(again, k) {
		t.Fatalf("second load gave another key: %v", err)
	}
	// The database opened on dir signs with the same key, never stored in it.
	db, err := store.Open(context.Background(), store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !bytes.Equal(db.AuditKey(), k) {
		t.Fatal("the database does not carry the data directory's key")
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "sidi.db"))
	if bytes.Contains(raw, []byte(hex.EncodeToString(k))) {
		t.Fatal("the key is in the database file")
	}
	os.Chmod(path, 0o644)
	if _, err := store.LoadAuditKey(dir); err == nil || !strings.Contains(err.Error(), "0600") {
		t.Fatalf("a key readable by others: %v", err)
	}
}

func TestParseAuditKey(t *testing.T) {
	k := make([]byte, 32)
	rand.Read(k)
	for _, s := range []string{hex.EncodeToString(k), " " + hex.EncodeToString(k) + "\n", base64.StdEncoding.EncodeToString(k), base64.RawURLEncoding.EncodeToString(k)} {
		got, err := store.ParseAuditKey(s)
		if err != nil || !bytes.Equal(got, k) {
			t.Errorf("ParseAuditKey(%q): %v", s, err)
		}
	}
	for _, bad := range []string{"", "abcd", hex.EncodeToString(k[:16])} {
		if _, err := store.ParseAuditKey(bad); err == nil {
			t.Errorf("ParseAuditKey(%q) accepted", bad)
		}
	}
	if _, err := store.Open(context.Background(), store.Config{DataDir: t.TempDir(), AuditKey: []byte("short")}); err == nil {
		t.Error("a short key was accepted")
	}
}

// TestAppRoleCannotRewriteLogs: migrated by the owner, served by a role
// granted with GrantAppRole, the logs can be appended to and read, never
// changed, emptied, or stripped of their triggers.
func TestAppRoleCannotRewriteLogs(t *testing.T) {
	base := os.Getenv(storetest.EnvPostgres)
	if base == "" {
		t.Skipf("PostgreSQL not configured: set %s", storetest.EnvPostgres)
	}
	ctx := context.Background()
	cfg := storetest.Config(t, store.Postgres)
	owner, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()

	var b [5]byte
	rand.Read(b[:])
	role := "sidi_app_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE ROLE ` + role + ` LOGIN PASSWORD 'app-pass-1'`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec(`DROP OWNED BY ` + role)
		a.Exec(`DROP ROLE ` + role)
	})
	if err := owner.GrantAppRole(ctx, role); err != nil {
		t.Fatal(err)
	}
	if err := owner.GrantAppRole(ctx, "Robert'); DROP TABLE x; --"); err == nil {
		t.Fatal("a role name that is not an identifier was accepted")
	}
	rs, err := owner.Roles(ctx)
	if err != nil || !rs.CurrentIsOwner || len(rs.Loose) != 0 {
		t.Fatalf("owner's view of the roles: %+v, %v", rs, err)
	}

	u, _ := url.Parse(cfg.URL)
	u.User = url.UserPassword(role, "app-pass-1")
	appCfg := cfg
	appCfg.URL = u.String()
	app, err := store.Open(ctx, appCfg) // migrations are all applied: opening must not need to create anything
	if err != nil {
		t.Fatalf("open as the app role: %v", err)
	}
	defer app.Close()
	rs, err = app.Roles(ctx)
	if err != nil || rs.CurrentIsOwner || rs.Superuser || rs.Current != role {
		t.Fatalf("app role's view of the roles: %+v, %v", rs, err)
	}

	// Normal appends work.
	for i := 0; i < 2; i++ {
		err := app.Tx(ctx, func(tx *sql.Tx) error {
			if err := audit.Append(ctx, app, tx, audit.System, audit.Entry{Entity: "plan", EntityID: "1", Action: "create", After: i}); err != nil {
				return err
			}
			return audit.AppendLogin(ctx, app, tx, time.Now(), "zhang", 0, "10.0.0.1", "test", "bad_password", "")
		})
		if err != nil {
			t.Fatalf("append as the app role: %v", err)
		}
	}
	for _, q := range []string{
		`INSERT INTO plans(code, title, created_at) VALUES ('p', 't', '2025-01-01')`,
		`UPDATE plans SET title = 'u' WHERE code = 'p'`,
		`DELETE FROM plans WHERE code = 'p'`,
	} {
		if _, err := app.Writer().Exec(q); err != nil {
			t.Fatalf("ordinary table as the app role: %s: %v", q, err)
		}
	}
	for _, q := range []string{
		`UPDATE audit_log SET actor = 'x'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`,
		`UPDATE login_log SET outcome = 'success'`, `DELETE FROM login_log`, `TRUNCATE login_log`,
		`DROP TRIGGER audit_log_no_update ON audit_log`, `DROP TRIGGER login_log_no_update ON login_log`,
		`ALTER TABLE audit_log DISABLE TRIGGER USER`, `ALTER TABLE login_log DISABLE TRIGGER USER`,
		`ALTER TABLE audit_log ADD COLUMN note TEXT`, `DROP TABLE audit_log`,
		`DELETE FROM schema_migrations`, `CREATE TABLE sneaky(x int)`,
	} {
		_, err := app.Writer().Exec(q)
		if err == nil || !strings.Contains(err.Error(), "permission denied") && !strings.Contains(err.Error(), "must be owner") {
			t.Errorf("%s as the app role: %v, want permission denied", q, err)
		}
	}
	n, err := audit.Verify(ctx, app)
	if err != nil || n != 2 {
		t.Fatalf("verify as the app role: %d, %v", n, err)
	}
}
