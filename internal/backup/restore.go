package backup

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"sidi/internal/audit"
	"sidi/internal/store"
)

// Result is what Restore did.
type Result struct {
	Manifest *Manifest
	Report   *audit.Report // sidi audit verify on the restored data
}

// Restore loads the archive at file into the empty target cfg (same engine
// as the backup), checks every part and every table count against the
// manifest and ends with the audit verification. The audit key comes from
// cfg.AuditKey, the target's audit.key or, when it was included, the
// archive.
func Restore(ctx context.Context, file string, cfg store.Config) (*Result, error) {
	engine := store.SQLite
	if cfg.URL != "" {
		engine = store.Postgres
	}
	if cfg.DataDir == "" {
		return nil, errors.New("restore: a data directory is needed for the checkpoint file (须指定 --data 数据目录)")
	}
	if err := checkEmptyDir(cfg.DataDir); err != nil {
		return nil, err
	}
	stage, err := os.MkdirTemp(filepath.Dir(filepath.Clean(cfg.DataDir)), ".sidi-restore-*")
	if err != nil {
		return nil, fmt.Errorf("restore: staging directory: %w", err)
	}
	defer os.RemoveAll(stage)
	m, err := extract(file, stage)
	if err != nil {
		return nil, err
	}
	if m.Engine != engine {
		return nil, fmt.Errorf("restore: the backup is of %s, the target is %s: restore into the same engine (备份与目标数据库引擎不同，只能恢复到同一种数据库)", m.Engine, engine)
	}
	ms, err := store.Migrations(engine)
	if err != nil {
		return nil, err
	}
	if m.SchemaVersion > len(ms) || (engine == store.Postgres && m.SchemaVersion != len(ms)) {
		return nil, fmt.Errorf("restore: the backup has schema version %d, this sidi has %d: restore with the sidi that made it (备份的数据库版本 %d 与本程序 %d 不同，请用生成备份的版本恢复)", m.SchemaVersion, len(ms), m.SchemaVersion, len(ms))
	}
	keyPart := "files/" + store.AuditKeyFile
	_, keyInDir := os.Stat(filepath.Join(cfg.DataDir, store.AuditKeyFile))
	if cfg.AuditKey == nil && keyInDir != nil && !m.hasPart(keyPart) {
		return nil, fmt.Errorf("restore: the backup holds no audit key: set SIDI_AUDIT_KEY or copy the key to %s first (备份不含审计密钥，请设置 SIDI_AUDIT_KEY 或先将 audit.key 复制到目标数据目录)", filepath.Join(cfg.DataDir, store.AuditKeyFile))
	}
	var target *store.DB
	if engine == store.Postgres {
		if target, err = store.OpenNoMigrate(ctx, store.Config{URL: cfg.URL, DataDir: cfg.DataDir, AuditKey: make([]byte, store.AuditKeySize)}); err != nil {
			return nil, err
		}
		err = checkEmptyPostgres(ctx, target)
		target.Close()
		if err != nil {
			return nil, err
		}
	}
	if err := installFiles(stage, cfg.DataDir, m, keyInDir == nil || cfg.AuditKey != nil); err != nil {
		return nil, err
	}
	if engine == store.SQLite {
		target, err = restoreSQLite(ctx, stage, cfg, m)
	} else {
		target, err = restorePostgres(ctx, stage, cfg, m)
	}
	if err != nil {
		return nil, err
	}
	defer target.Close()
	rep, err := audit.VerifyAll(ctx, target)
	if err != nil {
		return nil, err
	}
	res := &Result{Manifest: m, Report: rep}
	if f := rep.Failed(); len(f) > 0 {
		return res, fmt.Errorf("restore: the data was restored but the audit verification FAILED (%s): wrong audit key or a damaged backup (数据已恢复，但审计校验未通过：审计密钥不对或备份已损坏)", strings.Join(f, ", "))
	}
	if rep.Audit != m.AuditHead || rep.Login != m.LoginHead {
		return res, fmt.Errorf("restore: restored chain heads %v/%v differ from the manifest's %v/%v (恢复后的链头与清单不符)", rep.Audit, rep.Login, m.AuditHead, m.LoginHead)
	}
	return res, nil
}

func (m *Manifest) hasPart(name string) bool {
	for _, p := range m.Parts {
		if p.Name == name {
			return true
		}
	}
	return false
}

// checkEmptyDir refuses a data directory holding anything but an audit key.
func checkEmptyDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for _, e := range ents {
		if e.Name() != store.AuditKeyFile {
			return fmt.Errorf("restore: target %s is not empty (it holds %s); restore only into an empty directory (目标数据目录非空，拒绝覆盖)", dir, e.Name())
		}
	}
	return nil
}

// checkEmptyPostgres refuses a schema where any table other than
// schema_migrations holds rows.
func checkEmptyPostgres(ctx context.Context, db *store.DB) error {
	tables, err := postgresTables(ctx, db.Reader())
	if err != nil {
		return err
	}
	for _, t := range tables {
		if t == "schema_migrations" {
			continue
		}
		n, err := countRows(ctx, db.Reader(), t)
		if err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("restore: target database is not empty: table %s holds %d rows; restore only into an empty database (目标数据库非空，拒绝覆盖)", t, n)
		}
	}
	return nil
}

// extract reads the archive into stage, checking each part's size and
// SHA-256 against the manifest, which must come first.
func extract(file, stage string) (*Manifest, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	damaged := func(err error) error {
		return fmt.Errorf("restore: %s is truncated or damaged (备份文件不完整或已损坏): %w", file, err)
	}
	gz, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, damaged(err)
	}
	tr := tar.NewReader(gz)
	h, err := tr.Next()
	if err != nil {
		return nil, damaged(err)
	}
	if h.Name != ManifestName {
		return nil, fmt.Errorf("restore: %s does not start with %s: not a sidi backup (不是 sidi 备份文件)", file, ManifestName)
	}
	var m Manifest
	if err := json.NewDecoder(io.LimitReader(tr, 16<<20)).Decode(&m); err != nil {
		return nil, damaged(fmt.Errorf("manifest: %w", err))
	}
	if m.Format != FormatVersion {
		return nil, fmt.Errorf("restore: backup format %d, this sidi reads %d (备份格式版本不受支持)", m.Format, FormatVersion)
	}
	want := map[string]Part{}
	for _, p := range m.Parts {
		if !validName(p.Name) {
			return nil, fmt.Errorf("restore: manifest names an unsafe part %q (清单中的文件名不安全)", p.Name)
		}
		want[p.Name] = p
	}
	seen := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, damaged(err)
		}
		p, ok := want[h.Name]
		if !ok || seen[h.Name] || h.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("restore: part %s is not in the manifest (备份中有清单未列出的文件 %s)", h.Name, h.Name)
		}
		seen[h.Name] = true
		dst := filepath.Join(stage, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
		sum := sha256.New()
		n, err := io.Copy(io.MultiWriter(out, sum), tr)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, damaged(fmt.Errorf("part %s: %w", h.Name, err))
		}
		if got := hex.EncodeToString(sum.Sum(nil)); n != p.Size || got != p.SHA256 {
			return nil, fmt.Errorf("restore: part %s fails its check: %d bytes, SHA-256 %s; the manifest says %d bytes, %s (备份文件 %s 校验不符，已被改动或损坏)", h.Name, n, got, p.Size, p.SHA256, h.Name)
		}
	}
	for _, p := range m.Parts {
		if !seen[p.Name] {
			return nil, fmt.Errorf("restore: part %s listed in the manifest is missing: the backup is truncated (备份缺少文件 %s，不完整)", p.Name, p.Name)
		}
	}
	return &m, nil
}

func validName(n string) bool {
	return n != "" && !strings.HasPrefix(n, "/") && path.Clean(n) == n && !strings.HasPrefix(n, "../") && n != ".." &&
		(strings.HasPrefix(n, "files/") || strings.HasPrefix(n, "db/"))
}

// installFiles moves the archived data-directory files into dir. The key is
// installed only when the target has none of its own.
func installFiles(stage, dir string, m *Manifest, haveKey bool) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for _, p := range m.Parts {
		rel, ok := strings.CutPrefix(p.Name, "files/")
		if !ok || (rel == store.AuditKeyFile && haveKey) {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		if err := os.Rename(filepath.Join(stage, filepath.FromSlash(p.Name)), dst); err != nil {
			return fmt.Errorf("restore: install %s: %w", rel, err)
		}
	}
	return nil
}

func restoreSQLite(ctx context.Context, stage string, cfg store.Config, m *Manifest) (*store.DB, error) {
	dst := filepath.Join(cfg.DataDir, "sidi.db")
	if err := os.Rename(filepath.Join(stage, filepath.FromSlash(sqlitePart)), dst); err != nil {
		return nil, fmt.Errorf("restore: install database: %w", err)
	}
	cp, err := openSQLiteFile(dst, true)
	if err != nil {
		return nil, err
	}
	err = checkCounts(ctx, cp, m, sqliteTables)
	cp.Close()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg) // applies migrations newer than the backup
}

// checkCounts compares the target's tables and row counts with the manifest.
func checkCounts(ctx context.Context, q queryer, m *Manifest, list func(context.Context, queryer) ([]string, error)) error {
	tables, err := list(ctx, q)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, t := range tables {
		have[t] = true
	}
	for _, t := range m.Tables {
		if !have[t.Name] {
			return fmt.Errorf("restore: table %s of the backup is missing from the target (目标库缺少表 %s)", t.Name, t.Name)
		}
		delete(have, t.Name)
		n, err := countRows(ctx, q, t.Name)
		if err != nil {
			return err
		}
		if n != t.Rows {
			return fmt.Errorf("restore: table %s has %d rows, the manifest says %d (表 %s 行数与清单不符)", t.Name, n, t.Rows, t.Name)
		}
	}
	for t := range have {
		return fmt.Errorf("restore: table %s is not in the backup's manifest (备份清单缺少表 %s)", t, t)
	}
	return nil
}

func restorePostgres(ctx context.Context, stage string, cfg store.Config, m *Manifest) (*store.DB, error) {
	db, err := store.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM schema_migrations`); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		for _, t := range m.Tables {
			if err := loadChecked(ctx, tx, stage, t); err != nil {
				return err
			}
		}
		if err := resetSequences(ctx, tx); err != nil {
			return err
		}
		return checkCounts(ctx, tx, m, postgresTables)
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// legacyRows names the insert triggers of tables whose dump may hold rows
// written before the trigger existed: login-log entries of releases before
// the keyed chain (migration 0011) have no sequence number, and the trigger
// refuses them. The restore, run by the tables' owner into an empty target,
// loads such a table with its trigger off and on again in the same
// transaction; the verification that ends every restore then checks the
// chain (links, keys, no unchained entry after the legacy bound).
var legacyRows = map[string]string{"login_log": "login_log_append_next"}

// loadChecked loads a table, with its append trigger off while it loads
// when legacyRows names it.
func loadChecked(ctx context.Context, tx *sql.Tx, stage string, t Table) error {
	trig, ok := legacyRows[t.Name]
	if !ok {
		return loadTable(ctx, tx, stage, t)
	}
	alter := func(state string) error {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE `+quoteIdent(t.Name)+` `+state+` TRIGGER `+quoteIdent(trig)); err != nil {
			return fmt.Errorf("restore: table %s: %s trigger %s (needs the tables' owner): %w", t.Name, state, trig, err)
		}
		return nil
	}
	if err := alter("DISABLE"); err != nil {
		return err
	}
	if err := loadTable(ctx, tx, stage, t); err != nil {
		return err
	}
	return alter("ENABLE")
}

// loadTable inserts a table's rows in their dumped (primary-key) order, so
// the append-only triggers of the chains accept them. Columns referring to
// the same table are set afterwards, since a row may point to a later one.
func loadTable(ctx context.Context, tx *sql.Tx, stage string, t Table) error {
	self, err := names(ctx, tx, `SELECT a.attname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid
		JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)
		WHERE k.contype = 'f' AND k.conrelid = k.confrelid AND c.relnamespace = current_schema()::regnamespace AND c.relname = $1 AND NOT a.attnotnull`, t.Name)
	if err != nil {
		return err
	}
	pk, err := pgPrimaryKey(ctx, tx, t.Name)
	if err != nil {
		return err
	}
	if len(pk) == 0 {
		self = nil
	}
	isSelf := map[string]bool{}
	for _, s := range self {
		isSelf[s] = true
	}
	idx := map[string]int{}
	cols := make([]string, len(t.Columns))
	vals := make([]string, len(t.Columns))
	next := 0
	for i, c := range t.Columns {
		idx[c.Name] = i
		cols[i] = quoteIdent(c.Name)
		if isSelf[c.Name] {
			vals[i] = "NULL"
			continue
		}
		next++
		vals[i] = fmt.Sprintf("$%d::text::%s", next, c.Type)
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO `+quoteIdent(t.Name)+` (`+strings.Join(cols, ", ")+`) OVERRIDING SYSTEM VALUE VALUES (`+strings.Join(vals, ", ")+`)`)
	if err != nil {
		return fmt.Errorf("restore: table %s: %w", t.Name, err)
	}
	defer ins.Close()
	var upd *sql.Stmt
	if len(self) > 0 {
		var set, where []string
		for i, s := range self {
			set = append(set, fmt.Sprintf("%s = $%d::text::%s", quoteIdent(s), i+1, t.Columns[idx[s]].Type))
		}
		for i, k := range pk {
			where = append(where, fmt.Sprintf("%s = $%d::text::%s", quoteIdent(k), len(self)+i+1, t.Columns[idx[k]].Type))
		}
		if upd, err = tx.PrepareContext(ctx, `UPDATE `+quoteIdent(t.Name)+` SET `+strings.Join(set, ", ")+` WHERE `+strings.Join(where, " AND ")); err != nil {
			return fmt.Errorf("restore: table %s: %w", t.Name, err)
		}
		defer upd.Close()
	}
	f, err := os.Open(filepath.Join(stage, filepath.FromSlash(t.Part)))
	if err != nil {
		return fmt.Errorf("restore: table %s: %w", t.Name, err)
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<16))
	var later [][]any
	for line := 1; ; line++ {
		var row []*string
		if err := dec.Decode(&row); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("restore: table %s row %d: %w", t.Name, line, err)
		}
		if len(row) != len(t.Columns) {
			return fmt.Errorf("restore: table %s row %d has %d columns, want %d", t.Name, line, len(row), len(t.Columns))
		}
		args := make([]any, 0, len(row))
		for i, v := range row {
			if isSelf[t.Columns[i].Name] {
				continue
			}
			args = append(args, pgArg(v))
		}
		if _, err := ins.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("restore: table %s row %d: %w", t.Name, line, err)
		}
		if len(self) > 0 {
			u := make([]any, 0, len(self)+len(pk))
			set := false
			for _, s := range self {
				u = append(u, pgArg(row[idx[s]]))
				set = set || row[idx[s]] != nil
			}
			for _, k := range pk {
				u = append(u, pgArg(row[idx[k]]))
			}
			if set {
				later = append(later, u)
			}
		}
	}
	for _, u := range later {
		if _, err := upd.ExecContext(ctx, u...); err != nil {
			return fmt.Errorf("restore: table %s: %w", t.Name, err)
		}
	}
	return nil
}

func pgArg(v *string) any {
	if v == nil {
		return nil
	}
	return *v
}

// resetSequences moves every sequence behind a column past the restored rows.
func resetSequences(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT c.relname, a.attname, pg_get_serial_sequence(quote_ident(c.relname), a.attname)
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
		AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL`)
	if err != nil {
		return fmt.Errorf("restore: sequences: %w", err)
	}
	type seq struct{ table, col, seq string }
	var seqs []seq
	for rows.Next() {
		var s seq
		if err := rows.Scan(&s.table, &s.col, &s.seq); err != nil {
			rows.Close()
			return fmt.Errorf("restore: sequences: %w", err)
		}
		seqs = append(seqs, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("restore: sequences: %w", err)
	}
	for _, s := range seqs {
		if _, err := tx.ExecContext(ctx, `SELECT setval($1, COALESCE((SELECT MAX(`+quoteIdent(s.col)+`) FROM `+quoteIdent(s.table)+`), 0) + 1, false)`, s.seq); err != nil {
			return fmt.Errorf("restore: sequence of %s.%s: %w", s.table, s.col, err)
		}
	}
	return nil
}
