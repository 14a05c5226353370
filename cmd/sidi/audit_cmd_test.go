package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sidi/internal/audit"
	"sidi/internal/store"
)

func runEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

// TestAuditVerifyNamesTheFailedGuarantee: `sidi audit verify` reports each
// guarantee, and a cut tail fails (c) by name with a non-zero exit.
func TestAuditVerifyNamesTheFailedGuarantee(t *testing.T) {
	eachStorage(t, func(t *testing.T, storage []string, cfg store.Config) {
		ctx := context.Background()
		db, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for i := 0; i < 4; i++ {
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				if err := audit.Append(ctx, db, tx, audit.System, audit.Entry{Entity: "plan", EntityID: "1", Action: "update", After: i}); err != nil {
					return err
				}
				return audit.AppendLogin(ctx, db, tx, time.Now(), "zhang", 0, "10.0.0.1", "test", "success", "")
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		fi, err := os.Stat(filepath.Join(cfg.DataDir, store.AuditKeyFile))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("audit.key: %v %v", fi, err)
		}
		with := func(args ...string) []string { return append(args, storage...) }
		if code, out, errs := runCLI(t, with("audit", "checkpoint")...); code != 0 || !strings.Contains(out, "第 4 条") {
			t.Fatalf("checkpoint: %d %s %s", code, out, errs)
		}
		code, out, errs := runCLI(t, with("audit", "verify")...)
		if code != 0 || strings.Count(out, "通过 PASS") < 4 || !strings.Contains(out, "审计链完好") {
			t.Fatalf("verify of an intact trail: exit %d\n%s\n%s", code, out, errs)
		}

		// A wrong key from the environment: nothing verifies.
		env := map[string]string{"SIDI_AUDIT_KEY": hex.EncodeToString(make([]byte, 32))}
		code, out, errs = runEnv(t, env, with("audit", "verify")...)
		if code != 1 || !strings.Contains(out, "失败 FAIL  (b)") || !strings.Contains(errs, "integrity") {
			t.Fatalf("verify with another key: exit %d\n%s\n%s", code, out, errs)
		}
		if code, _, errs := runEnv(t, map[string]string{"SIDI_AUDIT_KEY": "not-a-key"}, with("audit", "verify")...); code != 1 || !strings.Contains(errs, "审计密钥") {
			t.Fatalf("verify with a malformed key: exit %d %s", code, errs)
		}

		// The database's administrator cuts the tail.
		var stmts []string
		if db.Dialect() == store.Postgres {
			stmts = []string{`ALTER TABLE audit_log DISABLE TRIGGER USER`, `DELETE FROM audit_log WHERE seq = 4`, `ALTER TABLE audit_log ENABLE TRIGGER USER`}
		} else {
			stmts = []string{`DROP TRIGGER audit_log_no_delete`, `DELETE FROM audit_log WHERE seq = 4`}
		}
		for _, q := range stmts {
			if _, err := db.Writer().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		code, out, errs = runCLI(t, with("audit", "verify")...)
		if code != 1 || !strings.Contains(out, "通过 PASS  (a)") || !strings.Contains(out, "失败 FAIL  (c)") ||
			!strings.Contains(out, "审计记录被截断：检查点记录第 4 条，数据库只有 3 条") || !strings.Contains(errs, "FAILED: checkpoints") {
			t.Fatalf("verify of a cut tail: exit %d\n%s\n%s", code, out, errs)
		}

		code, out, _ = runCLI(t, with("audit", "checkpoints", "--format", "json")...)
		var cps []audit.Checkpoint
		if err := json.Unmarshal([]byte(out), &cps); code != 0 || err != nil || len(cps) < 2 || !cps[0].Valid || cps[0].Chain != audit.ChainAudit || cps[0].Seq != 4 {
			t.Fatalf("checkpoints as JSON: exit %d %v\n%s", code, err, out)
		}
		code, out, _ = runCLI(t, with("audit", "checkpoints")...)
		if code != 0 || !strings.HasPrefix(out, "line,at,chain,seq,hash,legacy_through,source,valid\n") || !strings.Contains(out, ",audit,4,h1:") {
			t.Fatalf("checkpoints as CSV: exit %d\n%s", code, out)
		}
	})
}

// TestServeCheckpoints: a server records the heads when it starts and,
// when they moved, when it stops.
func TestServeCheckpoints(t *testing.T) {
	dir := t.TempDir()
	_, _, stop := startServer(t, "serve", "--addr", "127.0.0.1:0", "--data", dir)
	stop()
	b, err := os.ReadFile(filepath.Join(dir, audit.CheckpointFile))
	if err != nil || !strings.Contains(string(b), "\taudit\t") || !strings.Contains(string(b), "\tlogin\t") || !strings.Contains(string(b), "\tstart\t") {
		t.Fatalf("checkpoint file after serve: %v\n%s", err, b)
	}
}

// TestForeignURLLeavesNoKeyBehind: a refused database URL is refused
// before the default data directory (and a key in it) is created.
func TestForeignURLLeavesNoKeyBehind(t *testing.T) {
	if _, err := os.Stat("sidi-data"); err == nil {
		t.Skip("a sidi-data directory is already here")
	}
	if code, _, errs := runCLI(t, "audit", "verify", "--db", "mysql://x"); code != 1 || !strings.Contains(errs, "postgres://") {
		t.Fatalf("exit %d %s", code, errs)
	}
	if _, err := os.Stat("sidi-data"); err == nil {
		os.RemoveAll("sidi-data")
		t.Fatal("a refused URL left ./sidi-data behind")
	}
}
