// Package backup takes a consistent online backup of a Sidi installation
// and restores it into an empty target.
//
// An archive is a gzip-compressed tar holding manifest.json first, then the
// parts it lists:
//
//   - SQLite: db/sidi.db, a copy made with VACUUM INTO while the server
//     keeps writing (one read transaction, so one consistent state);
//   - PostgreSQL: db/<table>.jsonl for every table of the schema, written by
//     sidi itself from one REPEATABLE READ READ ONLY snapshot, each row a JSON
//     array of the columns' text forms (null for NULL), so nothing depends on
//     pg_dump being installed;
//   - files/…: every file of the data directory that is not the live
//     database, notably the audit checkpoint file. The audit key is left out
//     unless asked for: it must be kept apart from the database.
//
// The manifest names the engine, the schema version, the row count of every
// table, both chain heads and the size and SHA-256 of every part. Restore
// checks all of it and refuses a target that already holds data.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"sidi/internal/audit"
	"sidi/internal/store"
)

// FormatVersion is the archive layout this package writes and reads.
const FormatVersion = 1

// ManifestName is the manifest's name inside the archive.
const ManifestName = "manifest.json"

const sqlitePart = "db/sidi.db"

// Manifest describes an archive.
type Manifest struct {
	Format        int             `json:"format"`
	SidiVersion   string          `json:"sidi_version"`
	Created       time.Time       `json:"created"`
	Engine        store.Dialect   `json:"engine"`
	SchemaVersion int             `json:"schema_version"`
	Tables        []Table         `json:"tables"` // PostgreSQL: in load order
	AuditHead     audit.ChainHead `json:"audit_head"`
	LoginHead     audit.ChainHead `json:"login_head"`
	IncludesKey   bool            `json:"includes_key"`
	Parts         []Part          `json:"parts"`
}

// Table is one table's row count and, for a logical dump, its columns.
type Table struct {
	Name    string   `json:"name"`
	Rows    int64    `json:"rows"`
	Part    string   `json:"part,omitempty"`
	Columns []Column `json:"columns,omitempty"`
}

// Column is a column of a logical dump with its SQL type.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Part is one file of the archive besides the manifest.
type Part struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Options tune Create.
type Options struct {
	IncludeKey  bool   // also archive the audit key (kept apart by default)
	SidiVersion string // recorded in the manifest
}

// liveFiles are the data directory's files that make up the live SQLite
// database; they are archived through VACUUM INTO, never copied.
var liveFiles = map[string]bool{"sidi.db": true, "sidi.db-wal": true, "sidi.db-shm": true, "sidi.db-journal": true}

// Create writes a backup of db to out, which must not exist yet. The
// archive is written under a temporary name and renamed into place, so a
// failed backup never leaves a partial file under out.
func Create(ctx context.Context, db *store.DB, out string, opt Options) (*Manifest, error) {
	if _, err := os.Lstat(out); err == nil {
		return nil, fmt.Errorf("backup: %s already exists (备份文件已存在，不会覆盖)", out)
	}
	stage, err := os.MkdirTemp(filepath.Dir(out), ".sidi-backup-*")
	if err != nil {
		return nil, fmt.Errorf("backup: staging directory: %w", err)
	}
	defer os.RemoveAll(stage)

	m := &Manifest{Format: FormatVersion, SidiVersion: opt.SidiVersion, Created: time.Now().UTC().Truncate(time.Second), Engine: db.Dialect(), IncludesKey: opt.IncludeKey}
	// The chain heads are checkpointed and the data directory copied before
	// the database snapshot, so every checkpoint in the archive lies at or
	// below the heads of the archived database.
	if db.DataDir() != "" && db.AuditKey() != nil {
		if _, err := audit.CheckpointIfMoved(ctx, db, "backup"); err != nil {
			return nil, err
		}
	}
	var names []string
	if db.DataDir() != "" {
		if names, err = copyDataDir(db.DataDir(), filepath.Join(stage, "files"), opt.IncludeKey); err != nil {
			return nil, err
		}
	}
	if opt.IncludeKey && !contains(names, "files/"+store.AuditKeyFile) {
		return nil, fmt.Errorf("backup: --include-key: no %s in the data directory (数据目录中没有审计密钥文件)", store.AuditKeyFile)
	}
	switch db.Dialect() {
	case store.SQLite:
		if err := snapshotSQLite(ctx, db, filepath.Join(stage, filepath.FromSlash(sqlitePart)), m); err != nil {
			return nil, err
		}
		names = append(names, sqlitePart)
	case store.Postgres:
		dumped, err := dumpPostgres(ctx, db, stage, m)
		if err != nil {
			return nil, err
		}
		names = append(names, dumped...)
	default:
		return nil, fmt.Errorf("backup: unknown engine %q", db.Dialect())
	}
	sort.Strings(names)
	for _, n := range names {
		p, err := hashFile(filepath.Join(stage, filepath.FromSlash(n)))
		if err != nil {
			return nil, err
		}
		p.Name = n
		m.Parts = append(m.Parts, p)
	}
	if err := writeArchive(stage, out, m); err != nil {
		return nil, err
	}
	return m, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// copyDataDir copies every regular file of dir except the live database
// (and the key unless includeKey) to dst, returning the archive names.
// The checkpoint file is append-only: a line being written while it is
// copied is cut at the last complete line.
func copyDataDir(dir, dst string, includeKey bool) ([]string, error) {
	var names []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return fs.SkipDir
			}
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel != "." && strings.HasPrefix(d.Name(), ".sidi-backup-") {
				return fs.SkipDir // a backup being staged inside the data directory
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		base := d.Name()
		if rel == base && (liveFiles[base] || strings.HasPrefix(base, ".audit-key-") || (base == store.AuditKeyFile && !includeKey)) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == audit.CheckpointFile {
			if i := strings.LastIndexByte(string(b), '\n'); i >= 0 {
				b = b[:i+1]
			} else {
				b = nil
			}
		}
		target := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(target, b, 0o600); err != nil {
			return err
		}
		names = append(names, path.Join("files", filepath.ToSlash(rel)))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: copy data directory %s: %w", dir, err)
	}
	return names, nil
}

func hashFile(p string) (Part, error) {
	f, err := os.Open(p)
	if err != nil {
		return Part{}, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Part{}, fmt.Errorf("backup: hash %s: %w", p, err)
	}
	return Part{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func writeArchive(stage, out string, m *Manifest) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".sidi-backup-*.tmp")
	if err != nil {
		return fmt.Errorf("backup: create archive: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("backup: create archive: %w", err)
	}
	gz := gzip.NewWriter(tmp)
	tw := tar.NewWriter(gz)
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("backup: manifest: %w", err)
	}
	mb = append(mb, '\n')
	if err := tw.WriteHeader(&tar.Header{Name: ManifestName, Mode: 0o600, Size: int64(len(mb)), ModTime: m.Created, Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("backup: write archive: %w", err)
	}
	if _, err := tw.Write(mb); err != nil {
		return fmt.Errorf("backup: write archive: %w", err)
	}
	for _, p := range m.Parts {
		if err := addFile(tw, filepath.Join(stage, filepath.FromSlash(p.Name)), p, m.Created); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("backup: write archive: %w", err)
	}
	if err := gz.Close(); err != nil {
		return fmt.Errorf("backup: write archive: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("backup: write archive: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("backup: write archive: %w", err)
	}
	// Link, not rename: an archive that appeared under out meanwhile is
	// never replaced.
	if err := os.Link(tmp.Name(), out); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("backup: install archive %s: %w", out, err)
	}
	return os.Remove(tmp.Name())
}

func addFile(tw *tar.Writer, src string, p Part, mod time.Time) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if err := tw.WriteHeader(&tar.Header{Name: p.Name, Mode: 0o600, Size: p.Size, ModTime: mod, Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("backup: write archive: %w", err)
	}
	if _, err := io.CopyN(tw, f, p.Size); err != nil {
		return fmt.Errorf("backup: write archive %s: %w", p.Name, err)
	}
	return nil
}
