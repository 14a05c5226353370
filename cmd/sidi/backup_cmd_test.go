package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sidi/internal/audit"
	"sidi/internal/backup"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

func storageArgs(cfg store.Config) []string {
	args := []string{"--data", cfg.DataDir}
	if cfg.URL != "" {
		args = append(args, "--db", cfg.URL)
	}
	return args
}

// TestBackupRoundTrip backs up the demo database on each engine while a
// writer keeps appending to the login chain, restores it into a fresh
// target and compares every table of the catalog row by row.
func TestBackupRoundTrip(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			src := storetest.Config(t, d)
			if code, _, errs := runCLI(t, append([]string{"demo", "--no-serve"}, storageArgs(src)...)...); code != 0 {
				t.Fatalf("demo: exit %d: %s", code, errs)
			}
			db, err := store.Open(ctx, src)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// Evidence: a binary file with every byte value, attached to a report.
			blob := make([]byte, 4096)
			for i := range blob {
				blob[i] = byte(i * 7)
			}
			if _, err := db.Writer().ExecContext(ctx, `INSERT INTO blobs(sha256, size, content_type, data, created_at) VALUES ('x1', $1, 'application/octet-stream', $2, $3)`, len(blob), blob, time.Now().UTC()); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Writer().ExecContext(ctx, `INSERT INTO report_evidence(report_id, sha256, filename, uploaded_by, uploaded_at) SELECT MIN(id), 'x1', '证据.bin', 'test', $1 FROM reports`, time.Now().UTC()); err != nil {
				t.Fatal(err)
			}
			login := func(i int) error {
				return db.Tx(ctx, func(tx *sql.Tx) error {
					return audit.AppendLogin(ctx, db, tx, time.Now(), fmt.Sprintf("user%d", i), 0, "10.0.0.1", "test", "bad_password", "")
				})
			}
			for i := 0; i < 5; i++ {
				if err := login(i); err != nil {
					t.Fatal(err)
				}
			}
			// A writer keeps going while the backup runs.
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var written atomic.Int64
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 100; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if err := login(i); err != nil {
						t.Error(err)
						return
					}
					written.Add(1)
				}
			}()
			for written.Load() < 3 {
				time.Sleep(time.Millisecond)
			}
			out := filepath.Join(t.TempDir(), "sidi-backup.tar.gz")
			start := time.Now()
			code, stdout, errs := runCLI(t, append([]string{"backup", "--out", out}, storageArgs(src)...)...)
			took := time.Since(start)
			for written.Load() < 6 { // the writer also ran after the backup
				time.Sleep(time.Millisecond)
			}
			close(stop)
			wg.Wait()
			if code != 0 {
				t.Fatalf("backup: exit %d: %s %s", code, stdout, errs)
			}
			fi, _ := os.Stat(out)
			m := readManifest(t, out)
			if m.IncludesKey || hasPart(m, "files/audit.key") {
				t.Fatal("the audit key went into the archive without --include-key")
			}
			if !hasPart(m, "files/"+audit.CheckpointFile) {
				t.Fatalf("the checkpoint file is not in the archive: %+v", m.Parts)
			}
			if code, _, _ := runCLI(t, append([]string{"backup", "--out", out}, storageArgs(src)...)...); code == 0 {
				t.Fatal("backup overwrote an existing archive without --force")
			}

			dst := storetest.Config(t, d)
			copyKey(t, src.DataDir, dst.DataDir)
			start2 := time.Now()
			// Flags after the file, too.
			code, stdout, errs = runCLI(t, append([]string{"restore", out}, storageArgs(dst)...)...)
			if code != 0 {
				t.Fatalf("restore: exit %d:\n%s\n%s", code, stdout, errs)
			}
			t.Logf("%s: backup %v, restore %v, archive %d bytes, %d tables", d, took.Round(time.Millisecond), time.Since(start2).Round(time.Millisecond), fi.Size(), len(m.Tables))
			rdb, err := store.Open(ctx, dst)
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			rep, err := audit.VerifyAll(ctx, rdb)
			if err != nil || !rep.OK() {
				t.Fatalf("verify the restored data: %v %+v", err, rep)
			}
			compareAll(t, db, rdb, m)

			// A second restore into the now non-empty target is refused.
			code, _, errs = runCLI(t, append([]string{"restore", out}, storageArgs(dst)...)...)
			if code == 0 || !strings.Contains(errs, "非空") {
				t.Fatalf("restore into a non-empty target: exit %d: %s", code, errs)
			}
		})
	}
}

// compareAll compares every table of the catalog of both databases; the
// login log, written during the backup, must be the source's first rows.
func compareAll(t *testing.T, a, b *store.DB, m *backup.Manifest) {
	t.Helper()
	ctx := context.Background()
	ta, tb := catalog(t, a), catalog(t, b)
	if strings.Join(ta, ",") != strings.Join(tb, ",") {
		t.Fatalf("tables differ:\nsource   %v\nrestored %v", ta, tb)
	}
	if len(m.Tables) != len(ta) {
		t.Fatalf("the manifest lists %d tables, the catalog %d", len(m.Tables), len(ta))
	}
	counts := map[string]int64{}
	for _, mt := range m.Tables {
		counts[mt.Name] = mt.Rows
	}
	compared, nonEmpty := 0, 0
	for _, name := range ta {
		ra, rb := dumpRows(t, ctx, a, name), dumpRows(t, ctx, b, name)
		if int64(len(rb)) != counts[name] {
			t.Errorf("%s: restored %d rows, manifest %d", name, len(rb), counts[name])
		}
		if name == "login_log" || name == "search_facets" {
			if len(ra) < len(rb) {
				t.Errorf("%s: restored more rows than the source has", name)
			}
			ra = ra[:min(len(ra), len(rb))]
		}
		if len(ra) != len(rb) {
			t.Errorf("%s: source %d rows, restored %d", name, len(ra), len(rb))
			continue
		}
		for i := range ra {
			if ra[i] != rb[i] {
				t.Errorf("%s row %d differs:\nsource   %s\nrestored %s", name, i, ra[i], rb[i])
				break
			}
		}
		compared++
		if len(rb) > 0 {
			nonEmpty++
		}
	}
	if compared != len(ta) {
		t.Fatalf("compared %d of %d tables", compared, len(ta))
	}
	if nonEmpty < 20 {
		t.Fatalf("only %d tables hold rows: the fixture is too thin", nonEmpty)
	}
	t.Logf("compared %d tables (%d with rows)", compared, nonEmpty)
}

func catalog(t *testing.T, db *store.DB) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`
	if db.Dialect() == store.Postgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := db.Reader().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// dumpRows renders every row of table, ordered by all its columns.
func dumpRows(t *testing.T, ctx context.Context, db *store.DB, table string) []string {
	t.Helper()
	rows, err := db.Reader().QueryContext(ctx, `SELECT * FROM "`+table+`" LIMIT 0`)
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := rows.Columns()
	rows.Close()
	order := make([]string, len(cols))
	for i := range cols {
		order[i] = fmt.Sprint(i + 1)
	}
	rows, err = db.Reader().QueryContext(ctx, `SELECT * FROM "`+table+`" ORDER BY `+strings.Join(order, ", "))
	if err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	defer rows.Close()
	var out []string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			if x, ok := v.([]byte); ok {
				v = hex.EncodeToString(x)
			}
			if x, ok := v.(time.Time); ok {
				v = x.UTC().Format(time.RFC3339Nano)
			}
			fmt.Fprintf(&b, "%s=%v|", cols[i], v)
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func hasPart(m *backup.Manifest, name string) bool {
	for _, p := range m.Parts {
		if p.Name == name {
			return true
		}
	}
	return false
}

func copyKey(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(from, store.AuditKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(to, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(to, store.AuditKeyFile), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// readArchive returns the archive's entries in order.
func readArchive(t *testing.T, file string) (names []string, data map[string][]byte) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	data = map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names, data
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		names = append(names, h.Name)
		data[h.Name] = b
	}
}

func writeArchive(t *testing.T, file string, names []string, data map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, n := range names {
		tw.WriteHeader(&tar.Header{Name: n, Mode: 0o600, Size: int64(len(data[n])), Typeflag: tar.TypeReg})
		tw.Write(data[n])
	}
	tw.Close()
	gz.Close()
	if err := os.WriteFile(file, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readManifest(t *testing.T, file string) *backup.Manifest {
	t.Helper()
	_, data := readArchive(t, file)
	var m backup.Manifest
	if err := json.Unmarshal(data[backup.ManifestName], &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// TestRestoreRefuses checks that a damaged archive, a missing or wrong key
// and a non-empty target are refused, on each engine.
func TestRestoreRefuses(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			src := storetest.Config(t, d)
			if code, _, errs := runCLI(t, append([]string{"demo", "--no-serve"}, storageArgs(src)...)...); code != 0 {
				t.Fatalf("demo: exit %d: %s", code, errs)
			}
			dir := t.TempDir()
			out := filepath.Join(dir, "b.tar.gz")
			if code, _, errs := runCLI(t, append([]string{"backup", "--out", out}, storageArgs(src)...)...); code != 0 {
				t.Fatalf("backup: exit %d: %s", code, errs)
			}
			names, data := readArchive(t, out)
			m := readManifest(t, out)
			part := m.Parts[len(m.Parts)-1].Name
			tampered := filepath.Join(dir, "tampered.tar.gz")
			flipped := map[string][]byte{}
			for k, v := range data {
				flipped[k] = v
			}
			b := append([]byte(nil), data[part]...)
			b[len(b)/2] ^= 0x01
			flipped[part] = b
			writeArchive(t, tampered, names, flipped)
			raw, _ := os.ReadFile(out)
			truncated := filepath.Join(dir, "truncated.tar.gz")
			os.WriteFile(truncated, raw[:len(raw)*2/3], 0o600)
			dropped := filepath.Join(dir, "dropped.tar.gz")
			writeArchive(t, dropped, names[:len(names)-1], data)

			fresh := func(key bool) store.Config {
				c := storetest.Config(t, d)
				if key {
					copyKey(t, src.DataDir, c.DataDir)
				}
				return c
			}
			cases := []struct {
				name, file string
				target     store.Config
				want       string
			}{
				{"tampered part", tampered, fresh(true), part},
				{"truncated archive", truncated, fresh(true), "不完整或已损坏"},
				{"missing part", dropped, fresh(true), names[len(names)-1]},
				{"no key", out, fresh(false), "SIDI_AUDIT_KEY"},
				{"non-empty target", out, src, "非空"},
			}
			for _, c := range cases {
				code, stdout, errs := runCLI(t, append([]string{"restore", c.file}, storageArgs(c.target)...)...)
				if code == 0 || !strings.Contains(errs, c.want) {
					t.Errorf("%s: exit %d, want a refusal naming %q:\n%s%s", c.name, code, c.want, stdout, errs)
				}
			}
			// A wrong key: the data loads, the verification fails loudly.
			wrong := storetest.Config(t, d)
			os.MkdirAll(wrong.DataDir, 0o750)
			os.WriteFile(filepath.Join(wrong.DataDir, store.AuditKeyFile), []byte(strings.Repeat("ab", 32)+"\n"), 0o600)
			code, stdout, errs := runCLI(t, append([]string{"restore", out}, storageArgs(wrong)...)...)
			if code == 0 || !strings.Contains(errs, "审计校验未通过") || !strings.Contains(stdout, "失败 FAIL") {
				t.Errorf("wrong key: exit %d:\n%s%s", code, stdout, errs)
			}
			// With --include-key the archive alone restores.
			withKey := filepath.Join(dir, "k.tar.gz")
			if code, _, errs := runCLI(t, append([]string{"backup", "--include-key", "--out", withKey}, storageArgs(src)...)...); code != 0 {
				t.Fatalf("backup --include-key: exit %d: %s", code, errs)
			}
			if code, stdout, errs := runCLI(t, append(append([]string{"restore"}, storageArgs(fresh(false))...), withKey)...); code != 0 {
				t.Errorf("restore with the key in the archive (flags first): exit %d:\n%s%s", code, stdout, errs)
			}
		})
	}
}
