package trademark

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"sidi/internal/auth"
	"sidi/internal/enterprise"
	"sidi/internal/kit"
	"sidi/internal/search"
	"sidi/internal/store"
)

// MaxRows is the largest file the command line imports.
const MaxRows = 2_000_000

// ImportKinds is the register's kind for `sidi import` / `sidi export`.
func ImportKinds(s *Service) []kit.ImportKind[auth.Principal] {
	k := kit.ImportKind[auth.Principal]{Name: "trademarks", Title: "商标注册 trademarks", Columns: ImportColumns, Roles: auth.RoleStrings(Editors...)}
	if s != nil {
		k.Import, k.Export = s.Import, s.Export
	}
	return []kit.ImportKind[auth.Principal]{k}
}

// Import reads a table of trademarks: every row is checked and, unless
// opt.SkipInvalid, one invalid row refuses the whole file (row, column,
// reason) with nothing written; the rows are written with their owners in
// the enterprise directory, their day counts and one audit entry per
// batch. Rows are matched on the registration number, so importing the
// same file again changes nothing.
//
// Into an empty register (the first load, see loader) the rows are written
// while they are checked, all in one transaction that is rolled back when
// a row is refused or anything fails. Otherwise the checking pass keeps the
// parsed rows in a temporary file (spill) and the writing pass reads them
// from there, a batch per transaction, instead of parsing the table again.
func (s *Service) Import(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	if err := p.Require(Editors...); err != nil {
		return kit.ImportReport{Kind: "trademarks", File: src.Name}, err
	}
	regions := &regionCache{}
	restore, err := s.db.BulkCache(ctx)
	if err != nil {
		return kit.ImportReport{Kind: "trademarks", File: src.Name}, err
	}
	defer restore()
	if opt.Batch <= 0 {
		opt.Batch = 5000
	}
	var invalid atomic.Bool // a row failed to parse
	cells := false          // the first load's writer binds Record.cells (set before the check starts)
	plan := kit.Plan[Record]{
		Kind: "trademarks",
		Spec: kit.TableSpec{Columns: ImportColumns, Formulas: true, Limits: kit.Limits{MaxRows: MaxRows}},
		Parse: func(row kit.Row) (Record, kit.Errors) {
			r, errs := parseRow(row, regions)
			if len(errs) > 0 {
				invalid.Store(true)
			} else if cells {
				r.bindCells()
			}
			return r, errs
		},
		Key: func(r Record) string { return r.RegNo },
		Duplicate: func(row int, r Record, prev int) kit.FieldError {
			invalid.Store(true)
			return kit.FieldError{Row: row, Column: ColRegNo, Msg: fmt.Sprintf("注册号 %s 与第 %d 行重复", r.RegNo, prev)}
		},
		Workers: kit.AllCPUs, // parseRow shares only the region cache, a sync.Map
	}
	check := opt
	check.DryRun = true // RunImport only checks; the rows are written here
	if opt.DryRun {
		return kit.RunImport(ctx, src, check, plan)
	}
	l, err := s.beginLoad(ctx, p, src, opt)
	if err != nil {
		return kit.ImportReport{Kind: "trademarks", File: src.Name}, err
	}
	if l != nil {
		defer l.end()
		cells = s.db.Dialect() == store.SQLite
		// Check sees the valid rows in file order, a batch at a time
		// (a later duplicate of a row is refused after it).
		plan.Check = func(ctx context.Context, batch []kit.Item[Record]) (kit.Errors, error) {
			if invalid.Load() && !opt.SkipInvalid {
				return nil, nil // refused anyway: stop writing
			}
			return nil, l.write(ctx, batch)
		}
		rep, err := kit.RunImport(ctx, src, check, plan)
		if err == nil {
			err = l.finish(ctx, &rep)
		}
		if err != nil && l.written.Batches > 0 && !errors.As(err, new(*kit.ImportRefused)) {
			err = fmt.Errorf("%w（首次导入在一个事务中写入，已全部撤销，未写入任何记录）", err)
		}
		if err == nil && rep.Batches > 0 {
			s.db.Observer().ImportRows("trademarks", rep.Created)
		}
		return rep, err
	}
	sp, err := newSpill()
	if err != nil {
		return kit.ImportReport{Kind: "trademarks", File: src.Name}, err
	}
	defer sp.close()
	plan.Check = func(_ context.Context, batch []kit.Item[Record]) (kit.Errors, error) { return nil, sp.add(batch) }
	rep, err := kit.RunImport(ctx, src, check, plan)
	if err != nil || sp.n == 0 {
		return rep, err
	}
	rep, err = s.writeSpilled(ctx, p, sp, opt, rep)
	if rep.Batches > 0 {
		s.db.Observer().ImportRows("trademarks", rep.Created+rep.Updated+rep.Unchanged)
	}
	return rep, err
}

// writeSpilled writes the checked rows a batch per transaction.
func (s *Service) writeSpilled(ctx context.Context, p auth.Principal, sp *spill, opt kit.ImportOptions, rep kit.ImportReport) (kit.ImportReport, error) {
	err := sp.each(opt.Batch, func(batch []kit.Item[Record]) error {
		res, err := s.writeBatch(ctx, p, batch, rep)
		if err != nil {
			return fmt.Errorf("第 %d–%d 行（之前的 %d 批已写入）：%w", batch[0].Row, batch[len(batch)-1].Row, rep.Batches, err)
		}
		if done := tally(&rep, res); opt.Progress != nil {
			opt.Progress(done, sp.n)
		}
		return nil
	})
	return rep, err
}

// tally counts a written batch into rep and returns the rows written so
// far.
func tally(rep *kit.ImportReport, res kit.BatchResult) int {
	rep.Batches++
	rep.Created += res.Created
	rep.Updated += res.Updated
	rep.Unchanged += res.Unchanged
	return rep.Created + rep.Updated + rep.Unchanged
}

// loader is the first load of an empty register: one transaction, held
// from before the file is checked until after, into which each checked
// batch is written at once (no lookup of existing marks: the register was
// empty and the check refuses duplicates within the file, while the
// unique registration number still guards), with the register's secondary
// indexes dropped at the start and built again at the end, the day counts
// summed over the file and written once, the owners' directory ids kept
// between batches, one audit entry per batch as in the other path. On
// PostgreSQL the table is locked against other writers for the
// transaction (and, once the indexes are dropped, against readers).
type loader struct {
	s       *Service
	p       auth.Principal
	opt     kit.ImportOptions
	conn    *sql.Conn
	tx      *sql.Tx
	indexes []string // statements that build the dropped indexes
	file    kit.ImportReport
	sums    deltas
	owners  map[string]int64
	written kit.ImportReport    // the batches written so far (counts only)
	entries []loadEntry         // their audit entries, appended by finish
	stmts   map[int]driver.Stmt // SQLite: firstLoadInsert's statements by rows, on conn
	args    []driver.NamedValue
	done    bool     // committed or rolled back
	closed  bool     // the connection is back in the pool
	reset   []string // statements end runs on the connection
}

// loadEntry is a batch's audit entry waiting for the end of the first
// load: its created ids as ranges (one or a few a batch), so that what the
// load keeps does not grow with the rows.
type loadEntry struct {
	kit.ImportBatch
	created [][2]int64
}

// beginLoad starts the first load when the register has no mark, else
// returns nil having written nothing.
func (s *Service) beginLoad(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (_ *loader, err error) {
	l := &loader{s: s, p: p, opt: opt, sums: deltas{}, owners: map[string]int64{}}
	if l.conn, err = s.db.Writer().Conn(ctx); err != nil {
		return nil, fmt.Errorf("trademark: first load: %w", err)
	}
	// Not cancelled with ctx: database/sql would then roll back on its
	// own and drop the connection (PostgreSQL aborting the transaction
	// some time later); rollback does it before Import returns.
	if l.tx, err = l.conn.BeginTx(context.WithoutCancel(ctx), nil); err != nil {
		l.conn.Close()
		return nil, fmt.Errorf("trademark: first load: %w", err)
	}
	started := false
	defer func() {
		if !started {
			l.end()
		}
	}()
	d := s.db.Dialect()
	if d == store.Postgres {
		if _, err := l.tx.ExecContext(ctx, `LOCK TABLE trademarks IN EXCLUSIVE MODE`); err != nil {
			return nil, fmt.Errorf("trademark: first load: %w", err)
		}
	}
	var marks int
	if err := l.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM trademarks LIMIT 1) t`).Scan(&marks); err != nil {
		return nil, fmt.Errorf("trademark: first load: %w", err)
	}
	if marks > 0 {
		return nil, nil
	}
	l.file = kit.ImportReport{Kind: "trademarks", File: src.Name}
	if l.indexes, err = dropIndexes(ctx, l.tx, d, "trademarks"); err != nil {
		return nil, err
	}
	started = true
	return l, nil
}

// write stores a checked batch in the load's transaction.
func (l *loader) write(ctx context.Context, batch []kit.Item[Record]) error {
	// The batch's audit entry waits for the end of the check, which
	// gives the file's SHA-256 (the file read once); it goes into the
	// chain in the same transaction, in the order of the batches.
	entry := func(after []written, created, updated []int64, unchanged int) error {
		e := importBatch(batch, kit.ImportReport{}, after, created, updated, unchanged)
		l.entries = append(l.entries, loadEntry{ImportBatch: e, created: kit.IDRanges(e.Created)})
		l.entries[len(l.entries)-1].Created = nil
		return nil
	}
	r, err := l.s.saveTx(ctx, l.tx, l.conn, l.p, batch, saveOpts{empty: true, sums: l.sums, owners: l.owners, queued: true, insert: l.insert}, entry)
	if err != nil {
		return fmt.Errorf("第 %d–%d 行：%w", batch[0].Row, batch[len(batch)-1].Row, err)
	}
	if done := tally(&l.written, r); l.opt.Progress != nil {
		l.opt.Progress(done, 0) // a one-pass load knows its total at the end, as kit's

	}
	return nil
}

// finish appends the batches' audit entries (naming the SHA-256 of the
// file as the check read it: the rows written are the rows it read),
// writes the day counts, builds the indexes again and commits, once the
// check has accepted the file; rep receives the counts.
func (l *loader) finish(ctx context.Context, rep *kit.ImportReport) error {
	file := l.file
	file.SHA256 = rep.SHA256
	for i, e := range l.entries {
		e.File = file
		for _, r := range e.created {
			for id := r[0]; id <= r[1]; id++ {
				e.Created = append(e.Created, id)
			}
		}
		if err := kit.AuditImportBatch(ctx, l.s.db, l.tx, l.p.Actor(), e.ImportBatch); err != nil {
			return err
		}
		l.entries[i] = loadEntry{}
	}
	d := l.s.db.Dialect()
	if err := l.sums.write(ctx, l.tx, d); err != nil {
		return err
	}
	// Every mark is this load's: all join the search queue in one
	// statement (saveOpts.queued).
	if _, err := l.tx.ExecContext(ctx, `INSERT INTO search_pending(kind, ref_id) SELECT $1, id FROM trademarks WHERE true ON CONFLICT (kind, ref_id) DO NOTHING`, SearchKind.Name); err != nil {
		return fmt.Errorf("trademark: first load: search queue: %w", err)
	}
	for _, ix := range l.indexes {
		if _, err := l.tx.ExecContext(ctx, ix); err != nil {
			return fmt.Errorf("trademark: first load: index: %w", err)
		}
	}
	if err := l.closeStmts(); err != nil {
		return err
	}
	checkpoint := false
	if d == store.SQLite {
		// The commit appends the load to the write-ahead log, where it
		// is durable (as any commit); copying the log into the database
		// (the automatic checkpoint that would follow on this connection)
		// is left to a reader connection after Import returns.
		var auto int
		if err := l.tx.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil {
			return fmt.Errorf("trademark: first load: %w", err)
		}
		if _, err := l.tx.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
			return fmt.Errorf("trademark: first load: %w", err)
		}
		l.reset = append(l.reset, fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, auto))
		checkpoint = auto > 0
	}
	if err := l.tx.Commit(); err != nil {
		return fmt.Errorf("trademark: first load: commit: %w", err)
	}
	l.done = true
	l.end()
	if checkpoint {
		go l.s.db.Reader().ExecContext(context.WithoutCancel(ctx), `PRAGMA wal_checkpoint(PASSIVE)`)
	}
	rep.Batches += l.written.Batches
	rep.Created += l.written.Created
	rep.Updated += l.written.Updated
	rep.Unchanged += l.written.Unchanged
	return nil
}

// end undoes the load unless it was committed, and gives the connection
// back to the pool as it found it.
func (l *loader) end() {
	if l.closed {
		return
	}
	l.closed = true
	l.closeStmts()
	if !l.done {
		l.done = true
		l.tx.Rollback()
	}
	for _, q := range l.reset {
		l.conn.ExecContext(context.Background(), q)
	}
	l.conn.Close()
}

// firstLoadRows is the marks a statement of the first load inserts on
// SQLite (20 parameters each, and the shared timestamp: within SQLite's
// limit of 32,766).
const firstLoadRows = 500

// firstLoadCells are the columns of Record.cells; statusOnCell is the
// index of status_on among them.
const (
	firstLoadCells = `reg_no, name, classes, class_mask, owner, owner_code, region, prefecture,
	applied_on, registered_on, term_end, kind, madrid_no, gi, well_known, status, status_on, demo`
	statusOnCell = 16
)

// firstLoadInsert is the statement inserting rows marks: the timestamp
// is its first parameter, shared by created_at and updated_at of every row
// (?1); each row binds its id, its owner's directory id and its cells.
func firstLoadInsert(rows int) string {
	var q strings.Builder
	q.WriteString(`INSERT INTO trademarks(created_at, updated_at, id, enterprise_id, ` + firstLoadCells + `) VALUES `)
	row := "(?1,?1" + strings.Repeat(",?", 20) + ")"
	for i := range rows {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString(row)
	}
	return q.String()
}

// insert writes a batch's new marks on SQLite: the first load's own
// prepared statements (kept on the load's connection until it ends),
// executed through the driver with the cells the parsing goroutines
// prepared (Record.cells), so that the writer only numbers and binds them.
// Elsewhere, insertMarks.
func (l *loader) insert(ctx context.Context, fresh []written, now string) error {
	if l.s.db.Dialect() != store.SQLite {
		return l.s.insertMarks(ctx, l.tx, l.conn, fresh, now)
	}
	return l.conn.Raw(func(dc any) error {
		pc, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return fmt.Errorf("trademark: first load: driver %T prepares no statement", dc)
		}
		for lo := 0; lo < len(fresh); lo += firstLoadRows {
			part := fresh[lo:min(lo+firstLoadRows, len(fresh))]
			st := l.stmts[len(part)]
			if st == nil {
				var err error
				if st, err = pc.PrepareContext(ctx, firstLoadInsert(len(part))); err != nil {
					return fmt.Errorf("trademark: first load: insert: %w", err)
				}
				if l.stmts == nil {
					l.stmts = map[int]driver.Stmt{}
				}
				l.stmts[len(part)] = st
			}
			ex, ok := st.(driver.StmtExecContext)
			if !ok {
				return fmt.Errorf("trademark: first load: driver statement %T runs no statement", st)
			}
			args := append(l.args[:0], driver.NamedValue{Ordinal: 1, Value: now})
			for _, w := range part {
				r := w.Rec
				if r.cells == nil {
					r.bindCells()
				}
				args = append(args, driver.NamedValue{Ordinal: len(args) + 1, Value: w.ID},
					driver.NamedValue{Ordinal: len(args) + 2, Value: store.NullID(w.EnterpriseID)})
				for i, v := range r.cells {
					if i == statusOnCell && v != any(r.StatusOn) { // set by saveTx
						v = r.StatusOn
					}
					args = append(args, driver.NamedValue{Ordinal: len(args) + 1, Value: v})
				}
			}
			l.args = args
			if _, err := ex.ExecContext(ctx, args); err != nil {
				return fmt.Errorf("trademark: first load: insert: %w", err)
			}
		}
		return nil
	})
}

// closeStmts closes the statements insert prepared.
func (l *loader) closeStmts() error {
	if len(l.stmts) == 0 {
		return nil
	}
	return l.conn.Raw(func(any) error {
		var errs []error
		for n, st := range l.stmts {
			errs = append(errs, st.Close())
			delete(l.stmts, n)
		}
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("trademark: first load: %w", err)
		}
		return nil
	})
}

// dropIndexes drops the non-unique indexes of table inside tx and returns
// the statements that build them again. table is a name from the code.
func dropIndexes(ctx context.Context, tx *sql.Tx, d store.Dialect, table string) ([]string, error) {
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'`
	if d == store.Postgres {
		q = `SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
			WHERE i.indrelid = $1::regclass AND NOT i.indisunique AND NOT i.indisprimary ORDER BY c.relname`
	}
	var names, defs []string
	err := store.EachRow(ctx, tx, q, []any{table}, func(r *sql.Rows) error {
		var n, def string
		err := r.Scan(&n, &def)
		names, defs = append(names, n), append(defs, def)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("trademark: first load: indexes of %s: %w", table, err)
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX `+n); err != nil {
			return nil, fmt.Errorf("trademark: first load: drop index %s: %w", n, err)
		}
	}
	return defs, nil
}

// stored is a mark as the register holds it, for comparison.
type stored struct {
	id           int64
	rec          Record
	enterpriseID int64
}

// existing loads the marks of regNos.
func (s *Service) existing(ctx context.Context, q store.Querier, regNos []string) (map[string]stored, error) {
	out := make(map[string]stored, len(regNos))
	const chunk = 500
	for lo := 0; lo < len(regNos); lo += chunk {
		part := regNos[lo:min(lo+chunk, len(regNos))]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		err := store.EachRow(ctx, q, `SELECT `+markColumns+` FROM trademarks WHERE reg_no IN `+store.Placeholders(s.db.Dialect(), 1, len(part)), args, func(r *sql.Rows) error {
			m, err := scanMark(r)
			out[m.RegNo] = stored{id: m.ID, rec: m.Record, enterpriseID: m.EnterpriseID}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("trademark: import lookup: %w", err)
		}
	}
	return out, nil
}

// enterprises returns the directory ids of the batch's owner codes,
// registering the codes the directory lacks under the owner's name (in
// bulk: enterprise.EnsureMany).
//
// known, when set, holds the ids found by earlier batches of the same
// transaction: only the codes it lacks are asked for, it receives their
// ids and is returned (the first load, where a million marks have a few
// thousand owners).
func (s *Service) enterprises(ctx context.Context, tx *sql.Tx, p auth.Principal, batch []kit.Item[Record], known map[string]int64) (map[string]int64, error) {
	refs := make([]enterprise.Ref, 0, len(batch))
	for _, it := range batch {
		if c := it.Val.OwnerCode; c != "" {
			if _, ok := known[c]; !ok {
				refs = append(refs, enterprise.Ref{CreditCode: c, Name: it.Val.Owner})
			}
		}
	}
	if known != nil && len(refs) == 0 {
		return known, nil
	}
	var ids map[string]int64
	var err error
	if s.ent == nil {
		codes := make([]string, len(refs))
		for i, r := range refs {
			codes[i] = r.CreditCode
		}
		ids, err = enterprise.IDsByCreditCode(ctx, tx, s.db.Dialect(), codes)
	} else {
		ids, err = s.ent.EnsureMany(ctx, tx, p, refs)
	}
	if err != nil {
		return nil, fmt.Errorf("trademark: owners: %w", err)
	}
	if known == nil {
		return ids, nil
	}
	for _, r := range refs {
		known[r.CreditCode] = ids[r.CreditCode] // 0: not in the directory (no registrar)
	}
	return known, nil
}

// defaultStatusOn is the day a status took effect when the file gives
// none: registration for a valid mark, the day after the term for an
// expired one (not later than today), today for the others.
func defaultStatusOn(r Record, today string) string {
	switch r.Status {
	case StatusValid:
		return r.RegisteredOn
	case StatusExpired:
		if d := r.nextAfterTerm(); d <= today {
			return d
		}
	}
	return today
}

func sameRecord(a, b Record) bool {
	return a.RegNo == b.RegNo && a.Name == b.Name && slices.Equal(a.Classes, b.Classes) && a.Owner == b.Owner && a.OwnerCode == b.OwnerCode &&
		a.Region == b.Region && a.AppliedOn == b.AppliedOn && a.RegisteredOn == b.RegisteredOn && a.TermEnd == b.TermEnd && a.Kind == b.Kind &&
		a.MadridNo == b.MadridNo && a.GI == b.GI && a.WellKnown == b.WellKnown && a.Status == b.Status && a.StatusOn == b.StatusOn && a.Demo == b.Demo
}

// writeBatch writes one batch in one transaction: new marks with
// multi-row statements (COPY on PostgreSQL), changed marks one by one, the
// status history, the day counts, and one audit entry naming the file, the
// rows, the ids and a SHA-256 of what the rows wrote.
func (s *Service) writeBatch(ctx context.Context, p auth.Principal, batch []kit.Item[Record], file kit.ImportReport) (kit.BatchResult, error) {
	var res kit.BatchResult
	// search.Tx holds the connection the transaction runs on: new marks go
	// in with COPY on PostgreSQL.
	err := search.Tx(ctx, s.db, func(tx *sql.Tx, conn *sql.Conn) error {
		var err error
		res, err = s.saveTx(ctx, tx, conn, p, batch, saveOpts{}, s.auditBatch(ctx, tx, p, batch, file))
		return err
	})
	return res, err
}

// auditBatch is saveTx's audited of an import batch: one entry.
func (s *Service) auditBatch(ctx context.Context, tx *sql.Tx, p auth.Principal, batch []kit.Item[Record], file kit.ImportReport) func(after []written, created, updated []int64, unchanged int) error {
	return func(after []written, created, updated []int64, unchanged int) error {
		return kit.AuditImportBatch(ctx, s.db, tx, p.Actor(), importBatch(batch, file, after, created, updated, unchanged))
	}
}

// importBatch is the audit entry of a written batch: its rows, the ids
// it created and updated, and the digest of what it wrote.
func importBatch(batch []kit.Item[Record], file kit.ImportReport, after []written, created, updated []int64, unchanged int) kit.ImportBatch {
	digest := kit.NewRowsDigest()
	var vals []string
	for _, w := range after {
		vals = w.digestValues(vals[:0])
		digest.Add(w.ID, w.Row, vals...)
	}
	return kit.ImportBatch{Kind: "trademarks", File: file, FirstRow: batch[0].Row, LastRow: batch[len(batch)-1].Row,
		Created: created, Updated: updated, Unchanged: unchanged, Digest: digest}
}

// digestValues appends to vals what the row stores, for the batch's
// kit.RowsDigest: the mark's columns (the derived prefecture and class
// mask aside) and its owner's directory id.
func (w written) digestValues(vals []string) []string {
	r := w.Rec
	return append(vals, r.RegNo, r.Name, r.classes(), r.Owner, r.OwnerCode, r.Region, r.AppliedOn, r.RegisteredOn, r.TermEnd, r.Kind, r.MadridNo,
		flagDigit(r.GI), flagDigit(r.WellKnown), r.Status, r.StatusOn, flagDigit(r.Demo), strconv.FormatInt(w.EnterpriseID, 10))
}

func flagDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// written is what one row wrote, for the audit digest.
type written struct {
	ID           int64  `json:"id"`
	Row          int    `json:"row"`
	Rec          Record `json:"rec"`
	EnterpriseID int64  `json:"enterprise_id,omitempty"`
}

// saveOpts are saveTx's choices for a first load.
type saveOpts struct {
	// empty: the register held no mark when the transaction began and the
	// batch's registration numbers are not in it (no lookup).
	empty bool
	// sums, when set, receives the day counts (the caller writes them)
	// instead of their being written with the batch.
	sums deltas
	// owners, when set, keeps the owners' directory ids between batches.
	owners map[string]int64
	// queued: the caller queues the new marks for the search index.
	queued bool
	// insert, when set, writes the new marks instead of insertMarks.
	insert func(ctx context.Context, fresh []written, now string) error
}

// saveTx stores marks inside tx and calls audited with what changed
// (not at all when nothing did).
func (s *Service) saveTx(ctx context.Context, tx *sql.Tx, conn *sql.Conn, p auth.Principal, batch []kit.Item[Record], o saveOpts, audited func(after []written, created, updated []int64, unchanged int) error) (kit.BatchResult, error) {
	var res kit.BatchResult
	ex := map[string]stored{}
	if !o.empty {
		keys := make([]string, len(batch))
		for i, it := range batch {
			keys[i] = it.Val.RegNo
		}
		var err error
		if ex, err = s.existing(ctx, tx, keys); err != nil {
			return res, err
		}
	}
	ents, err := s.enterprises(ctx, tx, p, batch, o.owners)
	if err != nil {
		return res, err
	}
	today := s.today()
	now := s.now().UTC().Format(time.RFC3339)
	d := o.sums
	if d == nil {
		d = deltas{}
	}
	fresh := make([]written, 0, len(batch))
	var after []written
	var updated []int64
	type change struct {
		id       int64
		status   string
		statusOn string
	}
	var history []change
	for _, it := range batch {
		r := it.Val
		entID := ents[r.OwnerCode]
		e, ok := ex[r.RegNo]
		if !ok {
			if r.StatusOn == "" {
				r.StatusOn = defaultStatusOn(r, today)
			}
			fresh = append(fresh, written{Row: it.Row, Rec: r, EnterpriseID: entID})
			continue
		}
		if r.StatusOn == "" {
			if r.Status == e.rec.Status {
				r.StatusOn = e.rec.StatusOn
			} else if r.Status == StatusValid {
				r.StatusOn = today
			} else {
				r.StatusOn = defaultStatusOn(r, today)
			}
		}
		if sameRecord(e.rec, r) && e.enterpriseID == entID {
			res.Unchanged++
			continue
		}
		_, err := tx.ExecContext(ctx, `UPDATE trademarks SET name = $1, classes = $2, class_mask = $3, owner = $4, owner_code = $5, enterprise_id = $6,
			region = $7, prefecture = $8, applied_on = $9, registered_on = $10, term_end = $11, kind = $12, madrid_no = $13, gi = $14, well_known = $15,
			status = $16, status_on = $17, updated_at = $18 WHERE id = $19`,
			r.Name, r.classes(), ClassMask(r.Classes), r.Owner, r.OwnerCode, store.NullID(entID), r.Region, r.prefecture(), r.AppliedOn, r.RegisteredOn, r.TermEnd,
			r.Kind, r.MadridNo, store.BoolInt(r.GI), store.BoolInt(r.WellKnown), r.Status, r.StatusOn, now, e.id)
		if err != nil {
			return res, fmt.Errorf("第 %d 行：trademark: update %s: %w", it.Row, r.RegNo, err)
		}
		d.add(e.rec, e.rec.StatusOn, -1)
		d.add(r, r.StatusOn, 1)
		if r.Status != e.rec.Status || r.StatusOn != e.rec.StatusOn {
			history = append(history, change{e.id, r.Status, r.StatusOn})
		}
		updated = append(updated, e.id)
		after = append(after, written{ID: e.id, Row: it.Row, Rec: r, EnterpriseID: entID})
		res.Updated++
	}
	var created []int64
	if len(fresh) > 0 {
		ids, err := store.NewIDs(ctx, s.db.Dialect(), tx, "trademarks", len(fresh))
		if err != nil {
			return res, err
		}
		for i := range fresh {
			fresh[i].ID = ids[i]
			r := fresh[i].Rec
			d.add(r, r.StatusOn, 1)
			if r.Status != StatusValid {
				history = append(history, change{ids[i], r.Status, r.StatusOn})
			}
		}
		if o.insert != nil {
			err = o.insert(ctx, fresh, now)
		} else {
			err = s.insertMarks(ctx, tx, conn, fresh, now)
		}
		if err != nil {
			return res, err
		}
		created = ids
		if len(after) == 0 {
			after = fresh
		} else {
			after = append(after, fresh...)
		}
		res.Created = len(fresh)
	}
	if len(after) == 0 {
		return res, nil
	}
	err = store.InsertRows(ctx, s.db.Dialect(), tx, "trademark", `INSERT INTO trademark_statuses(trademark_id, status, effective_on, recorded_at) VALUES `, make([]string, 4), len(history), func(i int) []any {
		return []any{history[i].id, history[i].status, history[i].statusOn, now}
	})
	if err != nil {
		return res, err
	}
	if o.sums == nil {
		if err := d.write(ctx, tx, s.db.Dialect()); err != nil {
			return res, err
		}
	}
	// the catalogue's full-text index follows (SearchSource, drained after
	// the import and by the server)
	if !o.queued || len(updated) > 0 { // else the first load queues its marks at the end
		if err := search.Enqueue(ctx, s.db.Dialect(), tx, SearchKind, append(slices.Clone(created), updated...)); err != nil {
			return res, err
		}
	}
	return res, audited(after, created, updated, res.Unchanged)
}

// markInsertColumns are the columns a new mark is written with.
const markInsertColumns = `id, reg_no, name, classes, class_mask, owner, owner_code, enterprise_id, region, prefecture,
	applied_on, registered_on, term_end, kind, madrid_no, gi, well_known, status, status_on, demo, created_at, updated_at`

// insertMarks writes new marks: with COPY on PostgreSQL when the
// transaction's connection is given, else with multi-row prepared
// statements.
func (s *Service) insertMarks(ctx context.Context, tx *sql.Tx, conn *sql.Conn, fresh []written, now string) error {
	if s.db.Dialect() == store.Postgres && conn != nil {
		var buf []byte
		for _, w := range fresh {
			r := w.Rec
			buf = strconv.AppendInt(buf, w.ID, 10)
			for _, v := range []string{r.RegNo, r.Name, r.classes()} {
				buf = append(buf, '\t')
				buf = store.AppendCopy(buf, v)
			}
			buf = append(buf, '\t')
			buf = strconv.AppendInt(buf, ClassMask(r.Classes), 10)
			for _, v := range []string{r.Owner, r.OwnerCode} {
				buf = append(buf, '\t')
				buf = store.AppendCopy(buf, v)
			}
			buf = append(buf, '\t')
			if w.EnterpriseID == 0 {
				buf = append(buf, '\\', 'N')
			} else {
				buf = strconv.AppendInt(buf, w.EnterpriseID, 10)
			}
			for _, v := range []string{r.Region, r.prefecture(), r.AppliedOn, r.RegisteredOn, r.TermEnd, r.Kind, r.MadridNo,
				strconv.Itoa(store.BoolInt(r.GI)), strconv.Itoa(store.BoolInt(r.WellKnown)), r.Status, r.StatusOn, strconv.Itoa(store.BoolInt(r.Demo)), now, now} {
				buf = append(buf, '\t')
				buf = store.AppendCopy(buf, v)
			}
			buf = append(buf, '\n')
		}
		if err := store.CopyFrom(ctx, conn, `COPY trademarks(`+markInsertColumns+`) FROM STDIN`, buf); err != nil {
			return fmt.Errorf("trademark: copy: %w", err)
		}
		return nil
	}
	return store.InsertRows(ctx, s.db.Dialect(), tx, "trademark", `INSERT INTO trademarks(`+markInsertColumns+`) VALUES `, make([]string, 22), len(fresh), func(i int) []any {
		w := fresh[i]
		r := w.Rec
		return []any{w.ID, r.RegNo, r.Name, r.classes(), ClassMask(r.Classes), r.Owner, r.OwnerCode, store.NullID(w.EnterpriseID), r.Region, r.prefecture(),
			r.AppliedOn, r.RegisteredOn, r.TermEnd, r.Kind, r.MadridNo, store.BoolInt(r.GI), store.BoolInt(r.WellKnown), r.Status, r.StatusOn, store.BoolInt(r.Demo), now, now}
	})
}

// statusCell writes a status as the import reads it back.
func statusCell(r Record) string {
	if r.Status == StatusValid {
		return StatusLabels[r.Status]
	}
	return StatusLabels[r.Status] + "（" + r.StatusOn + "）"
}

func flagCell(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// Export writes the register as an import file of the same columns (so
// importing an export changes nothing), in registration-number order.
// Trademarks are public records: any caller may export them.
func (s *Service) Export(ctx context.Context, _ auth.Principal, w kit.TableWriter) error {
	if err := w.Write(kit.Header(ImportColumns)); err != nil {
		return err
	}
	const chunk = 5000
	for last := int64(0); ; {
		var rows [][]string
		err := store.EachRow(ctx, s.db.Reader(), `SELECT `+markColumns+` FROM trademarks WHERE id > $1 ORDER BY id LIMIT $2`, []any{last, chunk}, func(r *sql.Rows) error {
			m, err := scanMark(r)
			if err != nil {
				return err
			}
			last = m.ID
			rows = append(rows, []string{m.RegNo, m.Name, ClassText(m.Classes), m.Owner, m.OwnerCode, m.Region, m.AppliedOn, m.RegisteredOn, m.TermEnd,
				KindLabels[m.Kind], m.MadridNo, statusCell(m.Record), flagCell(m.GI), flagCell(m.WellKnown)})
			return nil
		})
		if err != nil {
			return fmt.Errorf("trademark: export: %w", err)
		}
		for _, c := range rows {
			if err := w.Write(c); err != nil {
				return err
			}
		}
		if len(rows) < chunk {
			return nil
		}
	}
}
