package standards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/search"
	"sidi/internal/store"
)

// Import columns: the first five are required in the header row.
var (
	RequiredColumns = []string{"标准号", "标准名称", "标准状态", "发布日期", "实施日期"}
	OptionalColumns = []string{"ICS", "CCS", "归口单位", "起草单位", "代替标准"}
)

// ImportColumns are the columns of the registry's import file, with the
// other headers the lists of the national and provincial platforms use.
var ImportColumns = []kit.Column{
	{Name: "标准号", Aliases: []string{"标准编号", "标准代号"}, Required: true},
	{Name: "标准名称", Aliases: []string{"标准中文名称", "中文名称", "中文标准名称"}, Required: true},
	{Name: "标准状态", Aliases: []string{"状态"}, Required: true},
	{Name: "发布日期", Aliases: []string{"发布时间"}, Required: true},
	{Name: "实施日期", Aliases: []string{"实施时间"}, Required: true},
	{Name: "ICS", Aliases: []string{"ICS分类", "ICS分类号", "国际标准分类号"}},
	{Name: "CCS", Aliases: []string{"CCS分类", "CCS分类号", "中国标准分类号"}},
	{Name: "归口单位", Aliases: []string{"技术归口单位", "归口"}},
	{Name: "起草单位", Aliases: []string{"主要起草单位"}},
	{Name: "代替标准", Aliases: []string{"代替标准号", "被代替标准"}},
}

// ImportResult counts what an import did.
type ImportResult struct {
	Rows      int `json:"rows"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Progress is told how many of total rows are done.
type Progress func(done, total int)

// MaxTableRows caps the data rows of a file uploaded through the web page;
// the command line takes kit.DefaultMaxRows.
const MaxTableRows = 100000

// ImportEntity is the audit entity of an import batch.
const ImportEntity = "import"

// cellDate reads a date cell: text in any common form, or an Excel serial
// day number (what a date-formatted cell holds).
func cellDate(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if f, err := strconv.ParseFloat(v, 64); err == nil && f > 18000 && f < 80000 && !strings.Contains(v, "-") {
		t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(f))
		return t.Format("2006-01-02"), true
	}
	return ParseDate(v)
}

// Import reads a table of standards held in memory (a web upload) and
// stores it: see ImportFile.
func (s *Service) Import(ctx context.Context, p auth.Principal, name string, data []byte, progress Progress) (ImportResult, error) {
	rep, err := s.ImportFile(ctx, p, kit.BytesSource(name, data), kit.ImportOptions{Progress: progress, MaxRows: MaxTableRows})
	if err != nil {
		return ImportResult{}, err
	}
	return ImportResult{Rows: rep.Rows, Created: rep.Created, Updated: rep.Updated, Unchanged: rep.Unchanged}, nil
}

// ImportFile imports a table of standards: every row is checked first and,
// unless opt.SkipInvalid, any problem (named by row and column) refuses the
// whole file; the rows are then written in batches, each in one
// transaction with its search documents and one audit entry. Rows are
// matched on the normalised code, so importing the same file again changes
// nothing. Into an empty registry the file is read once and written in one
// transaction, the registry's secondary indexes built after the rows
// (kit.Plan.Load, firstLoad): the same rows, search documents and audit
// entries as the two passes.
func (s *Service) ImportFile(ctx context.Context, p auth.Principal, src kit.Source, opt kit.ImportOptions) (kit.ImportReport, error) {
	if err := p.Require(Editors...); err != nil {
		return kit.ImportReport{}, err
	}
	var stored int
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM standards LIMIT 1) x`).Scan(&stored); err != nil {
		return kit.ImportReport{Kind: "standards", File: src.Name}, fmt.Errorf("standards: import: %w", err)
	}
	// A first load analyses each row's search document while the rows are
	// parsed, beside the writer; the two passes leave it to the batch. (No
	// store.BulkCache: with it the peak RSS of a 1M-row load was 950 MB
	// against 352 MB, for no CPU saved — docs/PERFORMANCE.md.)
	first := stored == 0 && !opt.DryRun && !opt.TwoPass
	pl := kit.Plan[record]{
		Kind:  "standards",
		Spec:  kit.TableSpec{Columns: ImportColumns, Formulas: true},
		Parse: func(row kit.Row) (record, kit.Errors) { return s.parseRow(row, first) },
		Key:   func(r record) string { return r.code.Normalized },
		Duplicate: func(row int, r record, prev int) kit.FieldError {
			return kit.FieldError{Row: row, Column: "标准号", Msg: fmt.Sprintf("标准号 %s 与第 %d 行重复", r.code.Display, prev)}
		},
		Write: func(ctx context.Context, batch []kit.Item[record], file kit.ImportReport) (kit.BatchResult, error) {
			return s.importBatch(ctx, p, batch, file)
		},
		Workers: kit.AllCPUs, // parseRow keeps no state
	}
	if stored == 0 {
		// Nothing stored, so nothing in the revision workflow to refuse.
		pl.Load = func(ctx context.Context, load func(kit.WriteFunc[record]) error) error {
			return s.firstLoad(ctx, p, load)
		}
	} else {
		pl.Check = s.checkImport
	}
	rep, err := kit.RunImport(ctx, src, opt, pl)
	if rep.Batches > 0 {
		s.db.Observer().ImportRows("standards", rep.Created+rep.Updated+rep.Unchanged)
	}
	if rep.Created+rep.Updated > 0 {
		// The batches let PostgreSQL's GIN pending list grow; merge it
		// now rather than in the next search or write.
		err = errors.Join(err, search.FlushPending(ctx, s.db))
	}
	return rep, err
}

// parseRow checks one row without the database; with analyse, a valid
// row's search document is analysed too (record.an).
func (s *Service) parseRow(row kit.Row, analyse bool) (record, kit.Errors) {
	errs := row.Errs
	n := row.N
	bad := func(column, format string, args ...any) {
		errs.AddCell(n, column, format, args...)
	}
	in := Input{Code: row.Get("标准号"), Title: row.Get("标准名称"), Status: row.Get("标准状态"),
		ICS: row.Get("ICS"), CCS: row.Get("CCS"), Committee: row.Get("归口单位"), DraftingUnits: row.Get("起草单位")}
	if rep := row.Get("代替标准"); rep != "" {
		in.Replaces = []string{rep}
	}
	if in.Code == "" {
		bad("标准号", "标准号不能为空")
	}
	if in.Status == "" {
		bad("标准状态", "标准状态不能为空")
	} else if st := statusAliases[in.Status]; st == "" || st == StatusProject {
		bad("标准状态", "标准状态“%s”无效，应为 现行、即将实施、被代替、有更新版 或 废止", in.Status)
		in.Status = ""
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"发布日期", &in.Issued}, {"实施日期", &in.Implemented}} {
		v := row.Get(f.name)
		d, ok := cellDate(v)
		if !ok {
			bad(f.name, "日期“%s”无效，应为 YYYY-MM-DD", v)
			continue
		}
		*f.dst = d
	}
	if in.Code == "" || in.Status == "" {
		return record{}, errs
	}
	rec, ferrs := s.validate(in)
	for _, fe := range ferrs {
		if fe.Field == "发布日期" && in.Issued == "" && row.Get("发布日期") != "" {
			continue // already reported as an invalid date
		}
		bad(fe.Field, "%s", fe.Msg)
	}
	if len(errs) > 0 {
		return record{}, errs
	}
	// The same replaced code written twice is one relation.
	seen := map[string]bool{}
	reps := rec.Replaces[:0:0]
	for _, c := range rec.Replaces {
		if k := NormalizeCode(c); !seen[k] {
			seen[k] = true
			reps = append(reps, c)
		}
	}
	rec.Replaces = reps
	// The tags a new record gets (importBatch); a stored record keeps its own.
	rec.Tags = InferTags(rec.Title)
	if analyse {
		a := search.Analyze(s.db.Dialect(), searchDoc(0, rec))
		rec.an = &a
	}
	return rec, nil
}

// storedRef is the id and status of a stored record.
type storedRef struct {
	id     int64
	status string
}

// existing looks up the records of keys, a chunk of keys per query, and
// returns their id and status by key.
func (s *Service) existing(ctx context.Context, q querier, keys []string) (map[string]storedRef, error) {
	out := map[string]storedRef{}
	const chunk = 500
	for lo := 0; lo < len(keys); lo += chunk {
		part := keys[lo:min(lo+chunk, len(keys))]
		args := make([]any, len(part))
		for i, k := range part {
			args[i] = k
		}
		err := store.EachRow(ctx, q, `SELECT id, code_key, status FROM standards WHERE code_key IN `+store.Placeholders(s.db.Dialect(), 1, len(part)), args, func(r *sql.Rows) error {
			var v storedRef
			var k string
			err := r.Scan(&v.id, &k, &v.status)
			out[k] = v
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("standards: import lookup: %w", err)
		}
	}
	return out, nil
}

func batchKeys(batch []kit.Item[record]) []string {
	keys := make([]string, len(batch))
	for i, it := range batch {
		keys[i] = it.Val.code.Normalized
	}
	return keys
}

// checkImport refuses rows that would overwrite a standard in the
// revision workflow.
func (s *Service) checkImport(ctx context.Context, batch []kit.Item[record]) (kit.Errors, error) {
	ex, err := s.existing(ctx, s.db.Reader(), batchKeys(batch))
	if err != nil {
		return nil, err
	}
	var errs kit.Errors
	for _, it := range batch {
		if e, ok := ex[it.Val.code.Normalized]; ok && e.status == StatusProject {
			errs.AddCell(it.Row, "标准号", "标准 %s 正在制修订流程中，请在流程中登记发布，不能通过导入覆盖", it.Val.code.Display)
		}
	}
	return errs, nil
}

// importBatch writes one batch in one transaction (writeTx); search.Tx:
// the connection lets the rows and search documents go in with COPY on
// PostgreSQL.
func (s *Service) importBatch(ctx context.Context, p auth.Principal, batch []kit.Item[record], file kit.ImportReport) (kit.BatchResult, error) {
	var res kit.BatchResult
	err := search.Tx(ctx, s.db, func(tx *sql.Tx, conn *sql.Conn) (err error) {
		res, err = s.writeTx(ctx, tx, conn, p, batch, file, nil)
		return err
	})
	return res, err
}

// writeTx writes one batch inside tx: new records with multi-row
// statements (COPY on PostgreSQL) and their search documents in one
// batch, changed records one by one, and one audit entry naming the file,
// the rows, the ids and a digest of what the rows wrote. A first load
// (fl set: the registry held no record when the transaction began) looks
// nothing up and leaves the search documents of the records its rows
// mark replaced to the end of the load (fl.replaced).
func (s *Service) writeTx(ctx context.Context, tx *sql.Tx, conn *sql.Conn, p auth.Principal, batch []kit.Item[record], file kit.ImportReport, fl *firstLoadState) (kit.BatchResult, error) {
	var res kit.BatchResult
	ex := map[string]storedRef{}
	befores := map[int64]Input{}
	if fl == nil {
		var err error
		if ex, err = s.existing(ctx, tx, batchKeys(batch)); err != nil {
			return res, err
		}
		var ids []int64
		for _, e := range ex {
			ids = append(ids, e.id)
		}
		if befores, err = s.loadInputs(ctx, tx, ids); err != nil {
			return res, err
		}
	}
	var fresh []record
	var freshRows []int
	var created, updated []int64
	var after []written
	for _, it := range batch {
		rec := it.Val
		e, ok := ex[rec.code.Normalized]
		if !ok {
			rec.Tags = InferTags(rec.Title)
			fresh, freshRows = append(fresh, rec), append(freshRows, it.Row)
			continue
		}
		if e.status == StatusProject {
			return res, &apperr.Error{Kind: apperr.ErrInvalid, Msg: fmt.Sprintf("第 %d 行：标准 %s 正在制修订流程中，请在流程中登记发布，不能通过导入覆盖", it.Row, rec.code.Display)}
		}
		in := befores[e.id]
		merged := in
		merged.Code, merged.Title, merged.Status, merged.Issued, merged.Implemented = rec.code.Display, rec.Title, rec.Status, rec.Issued, rec.Implemented
		for _, f := range []struct {
			dst *string
			v   string
		}{{&merged.ICS, rec.ICS}, {&merged.CCS, rec.CCS}, {&merged.Committee, rec.Committee}, {&merged.DraftingUnits, rec.DraftingUnits}} {
			if f.v != "" {
				*f.dst = f.v
			}
		}
		if len(rec.Replaces) > 0 {
			merged.Replaces = rec.Replaces
		}
		if len(merged.Tags) == 0 {
			merged.Tags = InferTags(merged.Title)
		}
		r, verrs := s.validate(merged)
		if len(verrs) > 0 {
			return res, &apperr.Error{Kind: apperr.ErrInvalid, Msg: fmt.Sprintf("第 %d 行：%s", it.Row, invalid(verrs).Error())}
		}
		if sameRecord(in, r.Input) {
			res.Unchanged++
			continue
		}
		if err := s.update(ctx, tx, e.id, r); err != nil {
			return res, fmt.Errorf("第 %d 行：%w", it.Row, err)
		}
		updated = append(updated, e.id)
		after = append(after, written{e.id, it.Row, r.Input})
		res.Updated++
	}
	if len(fresh) > 0 {
		ids, err := store.NewIDs(ctx, s.db.Dialect(), tx, "standards", len(fresh))
		if err != nil {
			return res, err
		}
		docs := make([]search.Doc, len(fresh))
		an := make([]search.Analysis, len(fresh))
		for i, r := range fresh {
			docs[i] = searchDoc(ids[i], r)
			if r.an != nil {
				an[i] = *r.an
			} else {
				an[i] = search.Analyze(s.db.Dialect(), docs[i])
			}
			after = append(after, written{ids[i], freshRows[i], r.Input})
		}
		if err := s.bulkWrite(ctx, tx, conn, fresh, ids, search.NewBatchOf(docs, an)); err != nil {
			return res, err
		}
		replaced, err := s.markReplaced(ctx, tx, fresh, ids)
		if err != nil {
			return res, err
		}
		if fl != nil {
			fl.replaced = append(fl.replaced, replaced...)
		} else if err := s.reindex(ctx, tx, replaced); err != nil {
			return res, err
		}
		created = ids
		res.Created = len(fresh)
	}
	if len(after) == 0 {
		return res, nil // nothing changed: no audit entry either
	}
	digest := kit.NewRowsDigest()
	var vals []string
	for _, w := range after {
		vals = w.In.digestValues(vals[:0])
		digest.Add(w.ID, w.Row, vals...)
	}
	return res, kit.AuditImportBatch(ctx, s.db, tx, p.Actor(), kit.ImportBatch{Kind: "standards", File: file, FirstRow: batch[0].Row, LastRow: batch[len(batch)-1].Row,
		Created: created, Updated: updated, Unchanged: res.Unchanged, Digest: digest})
}

// written is what one row of an import wrote, for the audit digest.
type written struct {
	ID  int64
	Row int
	In  Input
}

// digestValues appends to vals what an import stores of in, for the batch's
// kit.RowsDigest: every field of the editor's Input (tags and replaced
// codes one a line).
func (in Input) digestValues(vals []string) []string {
	return append(vals, in.Code, in.Kind, in.DrugCategory, in.Variety, in.Title, in.TitleEn, in.Status, flagDigit(in.FastTrack), in.ProjectDate, in.Issued,
		in.Implemented, in.ICS, in.CCS, in.Committee, in.Department, in.Publisher, in.DraftingUnits, in.Drafters, in.FilingNo, in.FilingDate, in.Scope,
		strconv.Itoa(in.PlanTask), strings.Join(in.Tags, "\n"), strings.Join(in.Replaces, "\n"), flagDigit(in.Demo), in.Note)
}

func flagDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// firstLoadState is what a first load keeps between its batches.
type firstLoadState struct {
	// replaced are the records the load's rows marked replaced, whose
	// search documents are written again once, after the rows and the
	// indexes (the end state is the same as reindexing them batch by
	// batch: nothing else changes them meanwhile).
	replaced []int64
}

// firstLoad is the first load into an empty registry (kit.Plan.Load): one
// transaction, the secondary indexes of the registry's tables built after
// the rows, no lookup of stored records (a record written meanwhile fails
// the load on the unique code, or DeferIndexes refuses it).
func (s *Service) firstLoad(ctx context.Context, p auth.Principal, load func(kit.WriteFunc[record]) error) error {
	return search.Tx(ctx, s.db, func(tx *sql.Tx, conn *sql.Conn) error {
		var fl firstLoadState
		// A new database: the search tables' indexes after the documents too.
		searchBuild, err := search.DeferIndexes(ctx, s.db, tx)
		if err != nil {
			return err
		}
		builds := []func() error{searchBuild}
		for _, t := range []string{"standards", "standard_tags", "standard_relations"} {
			build, err := kit.DeferIndexes(ctx, s.db.Dialect(), tx, t)
			if err != nil {
				return err
			}
			builds = append(builds, build)
		}
		err = load(func(ctx context.Context, batch []kit.Item[record], file kit.ImportReport) (kit.BatchResult, error) {
			return s.writeTx(ctx, tx, conn, p, batch, file, &fl)
		})
		if err != nil {
			return err
		}
		for _, build := range builds {
			if err := build(); err != nil {
				return err
			}
		}
		return s.reindex(ctx, tx, fl.replaced)
	})
}

// loadInputs reads the records of ids as an editor's Input (what InputOf
// gives), a chunk of ids per query instead of the dozen queries of a full
// load per record.
func (s *Service) loadInputs(ctx context.Context, q querier, ids []int64) (map[int64]Input, error) {
	out := map[int64]Input{}
	const chunk = 500
	for lo := 0; lo < len(ids); lo += chunk {
		part := ids[lo:min(lo+chunk, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		in := store.Placeholders(s.db.Dialect(), 1, len(part))
		sts := map[int64]*Standard{}
		err := store.EachRow(ctx, q, `SELECT `+stdColumns+` FROM standards WHERE id IN `+in, args, func(r *sql.Rows) error {
			st, err := s.scanStandard(r)
			sts[st.ID] = &st
			return err
		})
		if err == nil {
			err = store.EachRow(ctx, q, `SELECT standard_id, tag FROM standard_tags WHERE standard_id IN `+in+` ORDER BY standard_id, tag`, args, func(r *sql.Rows) error {
				var id int64
				var t string
				err := r.Scan(&id, &t)
				if st := sts[id]; st != nil {
					st.Tags = append(st.Tags, t)
				}
				return err
			})
		}
		if err == nil {
			err = store.EachRow(ctx, q, `SELECT standard_id, target FROM standard_relations WHERE kind = 'replaces' AND standard_id IN `+in+` ORDER BY standard_id, target_key`, args, func(r *sql.Rows) error {
				var id int64
				var rel Relation
				err := r.Scan(&id, &rel.Code)
				if st := sts[id]; st != nil {
					st.Replaces = append(st.Replaces, rel)
				}
				return err
			})
		}
		if err == nil {
			err = store.EachRow(ctx, q, `SELECT standard_id, on_date FROM standard_stages WHERE stage = '`+StageProject+`' AND standard_id IN `+in+` ORDER BY id`, args, func(r *sql.Rows) error {
				var id int64
				var sg Stage
				err := r.Scan(&id, &sg.Date)
				sg.Stage = StageProject
				if st := sts[id]; st != nil {
					st.Stages = append(st.Stages, sg)
				}
				return err
			})
		}
		if err != nil {
			return nil, fmt.Errorf("standards: import: load records: %w", err)
		}
		for id, st := range sts {
			out[id] = InputOf(*st)
		}
	}
	return out, nil
}

// markReplaced does for a batch of new records what saveLinks does for
// one (replaceCode), with one statement per chunk of codes instead of one
// per code: a current, issued record marks the current records of the
// codes it replaces as replaced. It returns their ids, whose search
// documents must follow (reindex).
func (s *Service) markReplaced(ctx context.Context, tx *sql.Tx, recs []record, ids []int64) ([]int64, error) {
	var args []any // code key, then the id of the record replacing it
	for i, r := range recs {
		if r.Status != StatusActive || r.Issued == "" {
			continue
		}
		for _, c := range r.Replaces {
			args = append(args, NormalizeCode(c), ids[i])
		}
	}
	var replaced []int64
	const chunk = 500 // pairs a statement
	for lo := 0; lo < len(args); lo += 2 * chunk {
		part := args[lo:min(lo+2*chunk, len(args))]
		var vals strings.Builder
		for j := 0; j < len(part); j += 2 {
			if j > 0 {
				vals.WriteByte(',')
			}
			if s.db.Dialect() == store.Postgres {
				fmt.Fprintf(&vals, "($%d, $%d::bigint)", j+1, j+2)
			} else {
				vals.WriteString("(?, ?)")
			}
		}
		err := store.EachRow(ctx, tx, `UPDATE standards SET status = 'replaced' FROM (SELECT column1 AS code_key, column2 AS by_id FROM (VALUES `+vals.String()+`) AS x) AS v
			WHERE standards.code_key = v.code_key AND standards.status = 'active' AND standards.id <> v.by_id RETURNING standards.id`, part, func(r *sql.Rows) error {
			var id int64
			err := r.Scan(&id)
			replaced = append(replaced, id)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("standards: mark replaced: %w", err)
		}
	}
	return replaced, nil
}

// reindex writes the search documents of the records ids again, each once.
func (s *Service) reindex(ctx context.Context, tx *sql.Tx, ids []int64) error {
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if err := s.reindexOne(ctx, tx, id); err != nil {
			return err
		}
	}
	return nil
}

// sameRecord compares what an import can change, after validation has
// normalised both sides.
func sameRecord(a, b Input) bool {
	ra, _ := (&Service{now: time.Now}).validate(a)
	na := ra.Input
	na.Code = ParseCode(a.Code).Display
	nb := b
	nb.Code = ParseCode(b.Code).Display
	if len(na.Replaces) == 0 {
		na.Replaces = nil
	}
	if len(nb.Replaces) == 0 {
		nb.Replaces = nil
	}
	if len(na.Tags) == 0 {
		na.Tags = nil
	}
	if len(nb.Tags) == 0 {
		nb.Tags = nil
	}
	return reflect.DeepEqual(na, nb)
}

// tagWords suggest a domain tag from a title.
var tagWords = map[string][]string{
	"盐湖":     {"盐湖", "卤水", "氯化钾", "钾肥", "碳酸锂", "锂盐", "镁盐", "提钾", "氯化钠", "硼"},
	"清洁能源":   {"光伏", "风电", "风力发电", "水电", "地热", "清洁能源", "储能", "氢能", "清洁取暖", "新能源", "节能"},
	"生态旅游":   {"旅游", "景区", "游客", "民宿", "导游"},
	"绿色有机农畜": {"牦牛", "藏羊", "枸杞", "青稞", "有机", "绿色食品", "畜", "牧", "冷水鱼", "虹鳟", "渔业", "蕨麻", "藜麦", "沙棘", "食用菌", "油菜"},
}

// InferTags suggests the four-places tags from a title (used when an
// import or the demo gives none; editors can change them).
func InferTags(title string) []string {
	var out []string
	for _, tag := range DomainTags {
		for _, w := range tagWords[tag] {
			if strings.Contains(title, w) {
				out = append(out, tag)
				break
			}
		}
	}
	return out
}
