package standards

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/search"
	"sidi/internal/store"
)

// BulkProgress is told how many records a bulk load has written so far.
type BulkProgress func(done int)

// BulkLoad writes records [from, from+n) of g straight into the registry and
// the search index, batch records per transaction: the loading path of the
// benchmark and of load tests, never of real data. Each record is validated
// like Create and stored with the same columns, tags, relations and index
// document; what it leaves out is the per-record audit entry (one entry
// records the whole load). Generation and tokenising run in a second
// goroutine while the previous batch is written.
func (s *Service) BulkLoad(ctx context.Context, p auth.Principal, g *Gen, from, n, batch int, progress BulkProgress) error {
	if err := p.Require(auth.RoleAdmin); err != nil {
		return err
	}
	// The documents already there follow the current layout before more
	// are added in it.
	if err := s.EnsureIndex(ctx); err != nil {
		return err
	}
	if batch <= 0 {
		batch = 2000
	}
	type prepared struct {
		recs []record
		ids  []int64
		docs []search.Doc
		idx  *search.Batch
		err  error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan prepared, 1)
	var first int64
	if err := s.db.Writer().QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM standards`).Scan(&first); err != nil {
		return fmt.Errorf("standards: bulk: %w", err)
	}
	go func() {
		defer close(ch)
		id := first
		for start := from; start < from+n; start += batch {
			var pr prepared
			for i := start; i < min(start+batch, from+n); i++ {
				r, errs := s.validate(g.Standard(i))
				if len(errs) > 0 {
					pr.err = fmt.Errorf("standards: generated record %d: %w", i, invalid(errs))
					break
				}
				id++
				pr.recs, pr.ids = append(pr.recs, r), append(pr.ids, id)
				if r.Status != StatusProject {
					pr.docs = append(pr.docs, searchDoc(id, r))
				}
			}
			if pr.err == nil {
				pr.idx = search.NewBatch(s.db.Dialect(), pr.docs)
			}
			select {
			case ch <- pr:
			case <-ctx.Done():
				return
			}
			if pr.err != nil {
				return
			}
		}
	}()
	done := 0
	for pr := range ch {
		if pr.err != nil {
			return pr.err
		}
		if err := search.Tx(ctx, s.db, func(tx *sql.Tx, conn *sql.Conn) error { return s.bulkWrite(ctx, tx, conn, pr.recs, pr.ids, pr.idx) }); err != nil {
			return err
		}
		done += len(pr.recs)
		if progress != nil {
			progress(done)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if s.db.Dialect() == store.Postgres {
			// Explicit ids leave the identity sequence behind.
			if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('standards', 'id'), (SELECT MAX(id) FROM standards))`); err != nil {
				return fmt.Errorf("standards: bulk: %w", err)
			}
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: BenchEntity, EntityID: strconv.Itoa(from), Action: "load",
			After: map[string]any{"from": from, "records": done, "seed": g.seed}})
	})
}

// BenchEntity names the audit entries of benchmark loads.
const BenchEntity = "standards_bench"

// bulkWrite inserts one batch of validated records, ids[i] for recs[i],
// and their search documents: with COPY on PostgreSQL when conn, the
// connection tx runs on, is given (see search.Tx), else with multi-row
// statements. ids must follow the largest id stored (store.NewIDs): on
// SQLite the rows are inserted without their ids, which SQLite then gives
// in that order (kit.CheckLastID verifies it) — an explicit INTEGER
// PRIMARY KEY would make every multi-row INSERT keep a statement journal.
func (s *Service) bulkWrite(ctx context.Context, tx *sql.Tx, conn *sql.Conn, recs []record, ids []int64, idx *search.Batch) error {
	if len(recs) == 0 {
		return idx.InsertConn(ctx, s.db, tx, conn)
	}
	now := s.now().UTC().Format(time.RFC3339)
	type link struct {
		id         int64
		a, b, kind string
	}
	var tags, rels, stages []link
	for i, r := range recs {
		for _, t := range r.Tags {
			tags = append(tags, link{ids[i], t, "", ""})
		}
		for _, c := range r.Replaces {
			rels = append(rels, link{ids[i], NormalizeCode(c), c, "replaces"})
		}
		if r.code.Adopted != "" {
			rels = append(rels, link{ids[i], strings.ReplaceAll(r.code.Adopted, " ", ""), r.code.Adopted, "adopts"})
		}
		if r.Status == StatusProject {
			stages = append(stages, link{ids[i], r.ProjectDate, "", ""})
		}
	}
	d := s.db.Dialect()
	switch {
	case d == store.Postgres && conn != nil:
		var buf []byte
		var vals []any
		for i, r := range recs {
			vals = appendStdValues(append(vals[:0], ids[i]), r)
			buf = store.AppendCopyRow(buf, append(vals, now, now)...)
		}
		if err := store.CopyFrom(ctx, conn, `COPY standards(id, `+stdInsertColumns+`, created_at, updated_at) FROM STDIN`, buf); err != nil {
			return fmt.Errorf("standards: copy: %w", err)
		}
		if len(tags) > 0 {
			buf = buf[:0]
			for _, t := range tags {
				buf = store.AppendCopyRow(buf, t.id, t.a)
			}
			if err := store.CopyFrom(ctx, conn, `COPY standard_tags(standard_id, tag) FROM STDIN`, buf); err != nil {
				return fmt.Errorf("standards: copy tags: %w", err)
			}
		}
		if len(rels) > 0 {
			buf = buf[:0]
			for _, r := range rels {
				buf = store.AppendCopyRow(buf, r.id, r.kind, r.a, r.b)
			}
			if err := store.CopyFrom(ctx, conn, `COPY standard_relations(standard_id, kind, target_key, target) FROM STDIN`, buf); err != nil {
				return fmt.Errorf("standards: copy relations: %w", err)
			}
		}
	case d == store.Postgres:
		err := insertRows(ctx, d, tx, `INSERT INTO standards(id, `+stdInsertColumns+`, created_at, updated_at) VALUES `, make([]string, 31), len(recs), func(i int) []any {
			return append(appendStdValues([]any{ids[i]}, recs[i]), now, now)
		})
		if err != nil {
			return err
		}
		if err := insertRows(ctx, d, tx, `INSERT INTO standard_tags(standard_id, tag) VALUES `, make([]string, 2), len(tags), func(i int) []any { return []any{tags[i].id, tags[i].a} }); err != nil {
			return err
		}
		if err := insertRows(ctx, d, tx, `INSERT INTO standard_relations(standard_id, kind, target_key, target) VALUES `, make([]string, 4), len(rels), func(i int) []any {
			return []any{rels[i].id, rels[i].kind, rels[i].a, rels[i].b}
		}); err != nil {
			return err
		}
	default:
		// OR FAIL: a statement that fails rolls the whole batch back
		// anyway, and without OR ABORT SQLite keeps no statement journal.
		// The stamp is bound once per statement.
		cols := make([]int, stdInsertCount+2)
		for j := range stdInsertCount {
			cols[j] = -1
		}
		err := store.InsertShared(ctx, tx, "standards", `INSERT OR FAIL INTO standards(`+stdInsertColumns+`, created_at, updated_at) VALUES `, cols, []any{now}, 400, len(recs), func(i int, args []any) []any {
			return appendStdValues(args, recs[i])
		})
		if err != nil {
			return err
		}
		if err := kit.CheckLastID(ctx, tx, "standards", ids[len(ids)-1]); err != nil {
			return err
		}
		if err := store.InsertShared(ctx, tx, "standards", `INSERT OR FAIL INTO standard_tags(standard_id, tag) VALUES `, []int{-1, -1}, nil, 2000, len(tags), func(i int, args []any) []any {
			return append(args, tags[i].id, tags[i].a)
		}); err != nil {
			return err
		}
		if err := store.InsertShared(ctx, tx, "standards", `INSERT OR FAIL INTO standard_relations(standard_id, kind, target_key, target) VALUES `, []int{-1, -1, -1, -1}, nil, 1000, len(rels), func(i int, args []any) []any {
			return append(args, rels[i].id, rels[i].kind, rels[i].a, rels[i].b)
		}); err != nil {
			return err
		}
	}
	if err := insertRows(ctx, d, tx, `INSERT INTO standard_stages(standard_id, stage, on_date, note, created_by, created_at) VALUES `, make([]string, 6), len(stages), func(i int) []any {
		return []any{stages[i].id, StageProject, stages[i].a, "", "benchmark", now}
	}); err != nil {
		return err
	}
	return idx.InsertConn(ctx, s.db, tx, conn)
}

// stdInsertColumns are the columns of standards a bulk insert sets but the
// id and the stamps, stdInsertCount of them (appendStdValues).
const (
	stdInsertColumns = `code_key, code, family, prefix, region, kind, drug_category, variety, title, title_en, status, stage, fast_track,
		issued, implemented, ics, ccs, committee, department, publisher, drafting_units, drafters, filing_no, filing_date, scope, plan_task, demo, note`
	stdInsertCount = 28
)

// appendStdValues appends the values of stdInsertColumns for r to args.
func appendStdValues(args []any, r record) []any {
	stage := ""
	if r.Status == StatusProject {
		stage = StageProject
	}
	return append(args, nullKey(r.code), r.code.Display, familyOf(r), r.code.Prefix, r.code.Region, r.Kind, r.DrugCategory, r.Variety, r.Title, r.TitleEn, r.Status, stage, store.BoolInt(r.FastTrack),
		r.Issued, r.Implemented, r.ICS, r.CCS, r.Committee, r.Department, r.Publisher, r.DraftingUnits, r.Drafters, r.FilingNo, r.FilingDate, r.Scope, r.PlanTask, store.BoolInt(r.Demo), r.Note)
}

// insertRows is store.InsertRows for this package.
func insertRows(ctx context.Context, d store.Dialect, tx *sql.Tx, head string, casts []string, n int, row func(i int) []any) error {
	return store.InsertRows(ctx, d, tx, "standards", head, casts, n, row)
}

// BulkLoadDeclarations writes declarations [0, n) of g, with their
// enterprises, straight into the tables and the search index: the loading
// path of the benchmark. Registry declarations refer to the first stdCount
// generated standards, which BulkLoad must have written from id stdBase+1
// on. Each declaration is checked like Declare; there is one audit entry
// for the load.
func (s *Service) BulkLoadDeclarations(ctx context.Context, p auth.Principal, g *Gen, n, stdCount int, stdBase int64, batch int, progress BulkProgress) error {
	if err := p.Require(auth.RoleAdmin); err != nil {
		return err
	}
	// The documents already there follow the current layout before more
	// are added in it.
	if err := s.EnsureIndex(ctx); err != nil {
		return err
	}
	if batch <= 0 {
		batch = 2000
	}
	var entBase, declBase int64
	if err := s.db.Writer().QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM enterprises), (SELECT COALESCE(MAX(id), 0) FROM declarations)`).Scan(&entBase, &declBase); err != nil {
		return fmt.Errorf("standards: bulk declarations: %w", err)
	}
	now := s.now().UTC().Format(time.RFC3339)
	today := s.today()
	done := 0
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		type item struct {
			r   declRecord
			d   Declaration
			ent int
		}
		var items []item
		var ents []EnterpriseInput
		firstEnt := start / DeclsPerEnterprise
		if start%DeclsPerEnterprise != 0 {
			firstEnt++ // already written with the previous batch
		}
		for e := firstEnt; e <= (end-1)/DeclsPerEnterprise; e++ {
			ents = append(ents, g.GenEnterprise(e))
		}
		for j := start; j < end; j++ {
			in, ent, k := g.Declaration(j, stdCount)
			in.EnterpriseID = entBase + int64(ent) + 1
			var reg *regInfo
			if k >= 0 {
				reg = &regInfo{id: stdBase + int64(k) + 1, title: in.StandardTitle, status: StatusActive}
			}
			r, err := checkDecl(in, reg)
			if err != nil {
				return fmt.Errorf("standards: generated declaration %d: %w", j, err)
			}
			ei := g.GenEnterprise(ent)
			declared := kit.AddDays(today, -(j*7919)%(6*365)) // spread over six years
			d := Declaration{ID: declBase + int64(j) + 1, EnterpriseID: in.EnterpriseID, EnterpriseName: ei.Name, CreditCode: ei.CreditCode,
				StandardKey: r.code.Normalized, StandardCode: r.code.Display, StandardTitle: r.StandardTitle, StandardFamily: r.code.Family, StandardID: r.stdID,
				Own: r.own, Products: r.products, Indicators: r.inds, NationalRef: r.NationalRef, BelowNational: r.BelowNational, BelowNote: r.BelowNote,
				Committed: r.own && r.Committed, Status: DeclCurrent, DeclaredOn: declared, ReviewDue: addYears(declared, ReviewYears), Note: r.Note}
			if d.Indicators == nil {
				d.Indicators = []Indicator{}
			}
			items = append(items, item{r, d, ent})
		}
		docs := make([]search.Doc, len(items))
		for i, it := range items {
			docs[i] = declDoc(it.d)
		}
		idx := search.NewBatch(s.db.Dialect(), docs)
		err := search.Tx(ctx, s.db, func(tx *sql.Tx, conn *sql.Conn) error {
			d := s.db.Dialect()
			if err := insertRows(ctx, d, tx, `INSERT INTO enterprises(id, credit_code, name, region, address, contact, demo, note, created_at, updated_at) VALUES `, make([]string, 10), len(ents), func(i int) []any {
				e := ents[i]
				return []any{entBase + int64(firstEnt+i) + 1, e.CreditCode, e.Name, e.CreditCode[2:8], e.Address, "", 0, e.Note, now, now}
			}); err != nil {
				return err
			}
			if err := insertRows(ctx, d, tx, `INSERT INTO declarations(id, enterprise_id, standard_key, standard_code, standard_title, standard_family, standard_id, own,
				national_ref, below_national, below_note, committed, status, declared_on, reviewed_on, review_due, demo, note, created_by, created_at, updated_at) VALUES `, make([]string, 21), len(items), func(i int) []any {
				x := items[i].d
				return []any{x.ID, x.EnterpriseID, x.StandardKey, x.StandardCode, x.StandardTitle, x.StandardFamily, store.NullID(x.StandardID), store.BoolInt(x.Own),
					x.NationalRef, store.BoolInt(x.BelowNational), x.BelowNote, store.BoolInt(x.Committed), DeclCurrent, x.DeclaredOn, "", x.ReviewDue, 0, x.Note, "benchmark", now, now}
			}); err != nil {
				return err
			}
			type part struct {
				id  int64
				ord int
				p   Product
				ind Indicator
			}
			var prods, inds []part
			for _, it := range items {
				for o, p := range it.d.Products {
					prods = append(prods, part{id: it.d.ID, ord: o + 1, p: p})
				}
				for o, ind := range it.d.Indicators {
					inds = append(inds, part{id: it.d.ID, ord: o + 1, ind: ind})
				}
			}
			if err := insertRows(ctx, d, tx, `INSERT INTO declaration_products(declaration_id, ordinal, name, model, category) VALUES `, make([]string, 5), len(prods), func(i int) []any {
				x := prods[i]
				return []any{x.id, x.ord, x.p.Name, x.p.Model, x.p.Category}
			}); err != nil {
				return err
			}
			if err := insertRows(ctx, d, tx, `INSERT INTO declaration_indicators(declaration_id, ordinal, name, unit, value, value_num, test_method, direction, national) VALUES `, make([]string, 9), len(inds), func(i int) []any {
				x := inds[i]
				var num any
				if x.ind.Number != nil {
					num = *x.ind.Number
				}
				return []any{x.id, x.ord, x.ind.Name, x.ind.Unit, x.ind.Value, num, x.ind.TestMethod, x.ind.Direction, x.ind.National}
			}); err != nil {
				return err
			}
			return idx.InsertConn(ctx, s.db, tx, conn)
		})
		if err != nil {
			return err
		}
		done = end
		if progress != nil {
			progress(done)
		}
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if s.db.Dialect() == store.Postgres {
			for _, t := range []string{"enterprises", "declarations"} {
				if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`); err != nil {
					return fmt.Errorf("standards: bulk declarations: %w", err)
				}
			}
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: BenchEntity, EntityID: "declarations", Action: "load",
			After: map[string]any{"declarations": done, "seed": g.seed}})
	})
}
