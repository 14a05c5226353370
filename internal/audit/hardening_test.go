package audit_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sidi/internal/audit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// asAdmin runs stmts on table with its triggers out of the way, as the
// database's administrator could: on SQLite by dropping them, on
// PostgreSQL by disabling them for the statements.
func asAdmin(t *testing.T, db *store.DB, table string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	var all []string
	if db.Dialect() == store.Postgres {
		all = append(append([]string{`ALTER TABLE ` + table + ` DISABLE TRIGGER USER`}, stmts...), `ALTER TABLE `+table+` ENABLE TRIGGER USER`)
	} else {
		for _, tr := range []string{"_no_update", "_no_delete", "_append_next"} {
			all = append(all, `DROP TRIGGER IF EXISTS `+table+tr)
		}
		all = append(all, stmts...)
	}
	for _, s := range all {
		if _, err := db.Writer().ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func readRecord(t *testing.T, db *store.DB, seq int64) audit.Record {
	t.Helper()
	var r audit.Record
	var before, after string
	err := db.Reader().QueryRow(`SELECT seq, at, COALESCE(actor_id, 0), actor, ip, entity, entity_id, action, before, after, prev_hash, hash FROM audit_log WHERE seq = $1`, seq).
		Scan(&r.Seq, &r.At, &r.ActorID, &r.Actor, &r.IP, &r.Entity, &r.EntityID, &r.Action, &before, &after, &r.PrevHash, &r.Hash)
	if err != nil {
		t.Fatal(err)
	}
	r.Before, r.After = []byte(before), []byte(after)
	return r
}

// insertRaw writes r as it is, by SQL.
func insertRaw(t *testing.T, db *store.DB, r audit.Record) string {
	t.Helper()
	return `INSERT INTO audit_log(seq, at, actor_id, actor, ip, entity, entity_id, action, before, after, prev_hash, hash) VALUES (` +
		itoa(r.Seq) + `, '` + r.At + `', ` + itoa(r.ActorID) + `, '` + r.Actor + `', '` + r.IP + `', '` + r.Entity + `', '` + r.EntityID + `', '` + r.Action + `', '` +
		string(r.Before) + `', '` + string(r.After) + `', '` + r.PrevHash + `', '` + r.Hash + `')`
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func verifyAll(t *testing.T, db *store.DB) *audit.Report {
	t.Helper()
	rep, err := audit.VerifyAll(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func wantFailed(t *testing.T, rep *audit.Report, want ...string) {
	t.Helper()
	got := strings.Join(rep.Failed(), ",")
	if got != strings.Join(want, ",") {
		for _, c := range rep.Checks {
			t.Logf("%v %s: %s", c.OK, c.Label, c.Detail)
		}
		t.Fatalf("failed guarantees %q, want %q", got, strings.Join(want, ","))
	}
}

// TestInsertOrReplaceRefused: SQLite's REPLACE deletes the row it replaces
// without firing the DELETE trigger; the next-sequence trigger stops it, and
// stops gaps and duplicates on both engines.
func TestInsertOrReplaceRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		appendN(t, db, 3)
		last := readRecord(t, db, 3)
		forged := last
		forged.Actor = "李四"
		forged.Hash, _ = forged.ComputeHash()
		stmts := []string{
			strings.Replace(insertRaw(t, db, forged), "INSERT INTO", "INSERT OR REPLACE INTO", 1), // SQLite only
			insertRaw(t, db, forged), // duplicate seq
			insertRaw(t, db, audit.Record{Seq: 5, At: "x", Actor: "a", Entity: "e", EntityID: "1", Action: "a", Before: []byte("null"), After: []byte("null")}), // gap
		}
		if db.Dialect() == store.Postgres {
			stmts = stmts[1:]
		}
		for _, q := range stmts {
			_, err := db.Writer().Exec(q)
			if err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "UNIQUE") && !strings.Contains(err.Error(), "duplicate") {
				t.Errorf("%.40s…: got %v, want refusal", q, err)
			}
		}
		if r := readRecord(t, db, 3); r.Actor != "张三" {
			t.Fatalf("record 3 replaced: %+v", r)
		}
		if _, err := audit.Verify(context.Background(), db); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRecomputedTailFailsKeyedHash: an administrator rewrites the last
// record and recomputes its hash, as one could with plain SHA-256; without
// the key the record no longer verifies.
func TestRecomputedTailFailsKeyedHash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		appendN(t, db, 4)
		for name, sign := range map[string]func(audit.Record) string{
			"sha-256":   func(r audit.Record) string { h, _ := r.ComputeHash(); return h },
			"other key": func(r audit.Record) string { h, _ := r.Sign(make([]byte, 32)); return h },
		} {
			forged := readRecord(t, db, 4)
			forged.After = []byte(`{"n":1000}`)
			forged.Hash = sign(forged)
			asAdmin(t, db, "audit_log", `DELETE FROM audit_log WHERE seq = 4`, insertRaw(t, db, forged))
			_, err := audit.Verify(context.Background(), db)
			var broken *audit.BrokenLinkError
			if !asBroken(err, &broken) || broken.Seq != 4 || broken.Guarantee != audit.GuaranteeIntegrity {
				t.Fatalf("%s: Verify = %v, want integrity failure at 4", name, err)
			}
		}
	})
}

func asBroken(err error, target **audit.BrokenLinkError) bool {
	b, ok := err.(*audit.BrokenLinkError)
	*target = b
	return ok
}

// TestCheckpointsCatchTruncationAndRewrite: deleting the tail leaves a chain
// that links and verifies; only the checkpoint shows it is shorter. A tail
// rewritten even with the key differs from its checkpoint.
func TestCheckpointsCatchTruncationAndRewrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		appendN(t, db, 5)
		if _, err := audit.WriteCheckpoint(ctx, db, "test"); err != nil {
			t.Fatal(err)
		}
		wantFailed(t, verifyAll(t, db))

		asAdmin(t, db, "audit_log", `DELETE FROM audit_log WHERE seq >= 4`)
		if _, err := audit.Verify(ctx, db); err != nil {
			t.Fatalf("links and hashes of the cut chain still hold, Verify: %v", err)
		}
		rep := verifyAll(t, db)
		wantFailed(t, rep, audit.GuaranteeCheckpoints)
		if d := rep.Check(audit.GuaranteeCheckpoints).Detail; !strings.Contains(d, "审计记录被截断：检查点记录第 5 条，数据库只有 3 条") {
			t.Fatalf("detail %q", d)
		}

		// Two new records with the key bring the chain back to 5: it links
		// and verifies, but record 5 is not the checkpointed one.
		appendN(t, db, 2)
		rep = verifyAll(t, db)
		wantFailed(t, rep, audit.GuaranteeCheckpoints)
		if d := rep.Check(audit.GuaranteeCheckpoints).Detail; !strings.Contains(d, "第 5 条与检查点不符") {
			t.Fatalf("detail %q", d)
		}
	})
}

func TestCheckpointFileEditedIsCaught(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	appendN(t, db, 3)
	if _, err := audit.WriteCheckpoint(ctx, db, "test"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(db.DataDir(), audit.CheckpointFile)
	b, _ := os.ReadFile(path)
	// Lower the checkpointed head to 2 to hide a truncation: the line's
	// signature no longer matches.
	edited := strings.Replace(string(b), "\taudit\t3\t", "\taudit\t2\t", 1)
	if edited == string(b) {
		t.Fatalf("checkpoint line not found in %q", b)
	}
	os.WriteFile(path, []byte(edited), 0o600)
	rep := verifyAll(t, db)
	wantFailed(t, rep, audit.GuaranteeCheckpoints)
	if d := rep.Check(audit.GuaranteeCheckpoints).Detail; !strings.Contains(d, "签名不符") {
		t.Fatalf("detail %q", d)
	}
}

func appendLogins(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			return audit.AppendLogin(ctx, db, tx, time.Now(), "zhang", 0, "10.0.0.1", "test", "bad_password", "")
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestLoginLogRewriteDetected: the login log is a keyed chain too.
func TestLoginLogRewriteDetected(t *testing.T) {
	cases := []struct {
		name  string
		stmts []string
		want  []string
	}{
		{"intact", nil, nil},
		{"outcome rewritten", []string{`UPDATE login_log SET outcome = 'success' WHERE seq = 2`}, []string{audit.GuaranteeLoginChain}},
		{"entry deleted", []string{`DELETE FROM login_log WHERE seq = 2`}, []string{audit.GuaranteeLoginChain}},
		{"tail deleted", []string{`DELETE FROM login_log WHERE seq = 3`}, []string{audit.GuaranteeCheckpoints}},
		{"unchained entry added", []string{`INSERT INTO login_log(at, login, ip, user_agent, outcome, detail) VALUES ('2025-01-01 00:00:00', 'x', '', '', 'success', '')`}, []string{audit.GuaranteeLoginChain}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				appendN(t, db, 1)
				appendLogins(t, db, 3)
				if _, err := audit.WriteCheckpoint(context.Background(), db, "test"); err != nil {
					t.Fatal(err)
				}
				if c.stmts != nil {
					asAdmin(t, db, "login_log", c.stmts...)
				}
				wantFailed(t, verifyAll(t, db), c.want...)
			})
		})
	}
}

// TestLegacyRecordsOnlyBeforeKeying: records written before the key (plain
// SHA-256) verify up to the bound the first checkpoint fixed; a record
// after it passed off as legacy does not.
func TestLegacyRecordsOnlyBeforeKeying(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		prev := ""
		var legacy []string
		for i := int64(1); i <= 2; i++ {
			r := audit.Record{Seq: i, At: "2024-01-01T00:00:00Z", Actor: "system", Entity: "plan", EntityID: "1", Action: "create", Before: []byte("null"), After: []byte(`{"n":1}`), PrevHash: prev}
			r.Hash, _ = r.ComputeHash()
			legacy = append(legacy, insertRaw(t, db, r))
			prev = r.Hash
		}
		for _, q := range legacy {
			if _, err := db.Writer().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		// Before any checkpoint fixes the bound, nothing may be legacy.
		if _, err := audit.Verify(ctx, db); err == nil {
			t.Fatal("unkeyed records verified without a checkpoint fixing the legacy range")
		}
		if _, err := audit.WriteCheckpoint(ctx, db, "startup"); err != nil {
			t.Fatal(err)
		}
		appendN(t, db, 3)
		rep := verifyAll(t, db)
		wantFailed(t, rep)
		if d := rep.Check(audit.GuaranteeIntegrity).Detail; !strings.Contains(d, "第 1–2 条为密钥启用前的旧记录") {
			t.Fatalf("detail %q", d)
		}
		// Record 5 rewritten and re-hashed the legacy way, linked properly.
		forged := readRecord(t, db, 5)
		forged.Actor = "李四"
		forged.Hash, _ = forged.ComputeHash()
		asAdmin(t, db, "audit_log", `DELETE FROM audit_log WHERE seq = 5`, insertRaw(t, db, forged))
		_, err := audit.Verify(ctx, db)
		var broken *audit.BrokenLinkError
		if !asBroken(err, &broken) || broken.Seq != 5 || !strings.Contains(broken.Reason, "only records up to 2 predate the key") {
			t.Fatalf("Verify = %v, want record 5 refused as legacy", err)
		}
		wantFailed(t, verifyAll(t, db), audit.GuaranteeIntegrity)
	})
}
