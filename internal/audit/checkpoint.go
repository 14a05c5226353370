package audit

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"sidi/internal/store"
)

// The two chains a checkpoint records.
const (
	ChainAudit = "audit" // audit_log (操作日志)
	ChainLogin = "login" // login_log (登录日志)
)

// CheckpointFile is the append-only file in the data directory that keeps
// the chain heads outside the database: one line per chain and checkpoint,
// signed with the audit key. A database administrator can rewrite or cut
// the chains but not this file, so a truncated or rewritten tail no longer
// matches the heads recorded here.
const CheckpointFile = "audit-checkpoints.log"

const checkpointVersion = "v1"

// Checkpoint is one line of the checkpoint file.
type Checkpoint struct {
	Line   int    `json:"line"`
	At     string `json:"at"`
	Chain  string `json:"chain"`
	Seq    int64  `json:"seq"`
	Hash   string `json:"hash"`
	Legacy int64  `json:"legacy_through"` // audit: last seq written before keying; login: last id before the chain
	Source string `json:"source"`         // startup, shutdown, periodic, cli, bulletin
	Valid  bool   `json:"valid"`          // the line's signature matches the key
}

func (c Checkpoint) fields() []string {
	return []string{checkpointVersion, c.At, c.Chain, strconv.FormatInt(c.Seq, 10), c.Hash, strconv.FormatInt(c.Legacy, 10), c.Source}
}

func checkpointMAC(key []byte, fields []string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("sidi-checkpoint\n"))
	m.Write([]byte(strings.Join(fields, "\t")))
	return hex.EncodeToString(m.Sum(nil))
}

func checkpointPath(db *store.DB) (string, error) {
	if db.DataDir() == "" {
		return "", errors.New("audit: no data directory for the checkpoint file (未指定数据目录 --data，无法保存审计检查点)")
	}
	return filepath.Join(db.DataDir(), CheckpointFile), nil
}

// ReadCheckpoints returns every line of the checkpoint file in order (none
// when it does not exist yet). Lines whose signature does not match have
// Valid false.
func ReadCheckpoints(db *store.DB) ([]Checkpoint, error) {
	path, err := checkpointPath(db)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	defer f.Close()
	key := db.AuditKey()
	var out []Checkpoint
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		c := Checkpoint{Line: n}
		if len(f) == 8 && f[0] == checkpointVersion {
			c.At, c.Chain, c.Hash, c.Source = f[1], f[2], f[4], f[6]
			seq, err1 := strconv.ParseInt(f[3], 10, 64)
			legacy, err2 := strconv.ParseInt(f[5], 10, 64)
			c.Seq, c.Legacy = seq, legacy
			c.Valid = err1 == nil && err2 == nil && key != nil && hmac.Equal([]byte(checkpointMAC(key, f[:7])), []byte(f[7]))
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	return out, nil
}

// legacyFrom is the legacy bound of chain fixed by its first valid
// checkpoint, and whether there is one.
func legacyFrom(cps []Checkpoint, chain string) (int64, bool) {
	for _, c := range cps {
		if c.Valid && c.Chain == chain {
			return c.Legacy, true
		}
	}
	return 0, false
}

// legacyThrough is the legacy bound of chain: records up to it may predate
// the key. Without a checkpoint nothing may.
func legacyThrough(ctx context.Context, db *store.DB, chain string) (int64, error) {
	cps, err := ReadCheckpoints(db)
	if err != nil && db.DataDir() != "" {
		return 0, err
	}
	l, _ := legacyFrom(cps, chain)
	return l, nil
}

// WriteCheckpoint appends the current heads of both chains to the
// checkpoint file and returns the two lines written, audit first. source says why
// (startup, shutdown, periodic, cli, bulletin).
func WriteCheckpoint(ctx context.Context, db *store.DB, source string) ([]Checkpoint, error) {
	key := db.AuditKey()
	if key == nil {
		return nil, ErrNoKey
	}
	path, err := checkpointPath(db)
	if err != nil {
		return nil, err
	}
	cps, err := ReadCheckpoints(db)
	if err != nil {
		return nil, err
	}
	ah, err := AuditHead(ctx, db.Reader())
	if err != nil {
		return nil, err
	}
	lh, err := LoginHead(ctx, db.Reader())
	if err != nil {
		return nil, err
	}
	// The legacy bound is fixed by a chain's first checkpoint: the records
	// found then without a keyed hash (audit) or outside the chain (login).
	al, ok := legacyFrom(cps, ChainAudit)
	if !ok {
		if err := db.Reader().QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit_log WHERE hash NOT LIKE 'h1:%'`).Scan(&al); err != nil {
			return nil, fmt.Errorf("audit: checkpoint: %w", err)
		}
	}
	ll, ok := legacyFrom(cps, ChainLogin)
	if !ok {
		if err := db.Reader().QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM login_log WHERE seq IS NULL`).Scan(&ll); err != nil {
			return nil, fmt.Errorf("audit: checkpoint: %w", err)
		}
	}
	source = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, source)
	at := time.Now().UTC().Format(time.RFC3339)
	out := []Checkpoint{
		{At: at, Chain: ChainAudit, Seq: ah.Seq, Hash: ah.Hash, Legacy: al, Source: source, Valid: true},
		{At: at, Chain: ChainLogin, Seq: lh.Seq, Hash: lh.Hash, Legacy: ll, Source: source, Valid: true},
	}
	var b strings.Builder
	for i, c := range out {
		f := c.fields()
		b.WriteString(strings.Join(f, "\t") + "\t" + checkpointMAC(key, f) + "\n")
		out[i].Line = len(cps) + i + 1
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: write checkpoint: %w", err)
	}
	if _, err := fh.WriteString(b.String()); err != nil {
		fh.Close()
		return nil, fmt.Errorf("audit: write checkpoint: %w", err)
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return nil, fmt.Errorf("audit: write checkpoint: %w", err)
	}
	if err := fh.Close(); err != nil {
		return nil, fmt.Errorf("audit: write checkpoint: %w", err)
	}
	return out, nil
}

// CheckpointIfMoved writes a checkpoint unless the file's newest lines
// already record both current heads, so idle start-ups, shutdowns and
// periodic ticks do not fill the file. It reports whether it wrote.
func CheckpointIfMoved(ctx context.Context, db *store.DB, source string) (bool, error) {
	cps, err := ReadCheckpoints(db)
	if err != nil {
		return false, err
	}
	ah, err := AuditHead(ctx, db.Reader())
	if err != nil {
		return false, err
	}
	lh, err := LoginHead(ctx, db.Reader())
	if err != nil {
		return false, err
	}
	last := map[string]ChainHead{}
	seen := map[string]bool{}
	for _, c := range cps {
		if c.Valid {
			last[c.Chain], seen[c.Chain] = ChainHead{Seq: c.Seq, Hash: c.Hash}, true
		}
	}
	if seen[ChainAudit] && seen[ChainLogin] && last[ChainAudit] == ah && last[ChainLogin] == lh {
		return false, nil
	}
	if _, err := WriteCheckpoint(ctx, db, source); err != nil {
		return false, err
	}
	return true, nil
}

// RunCheckpoints checkpoints the heads every interval while they move,
// until ctx ends. It is the server's background writer: start it with go
// and wait for it to return before closing db.
func RunCheckpoints(ctx context.Context, db *store.DB, interval time.Duration, report func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := CheckpointIfMoved(ctx, db, "periodic"); err != nil && ctx.Err() == nil {
				report(err)
			}
		}
	}
}
