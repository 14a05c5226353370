package inspect

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"sidi/internal/apperr"
	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/creditcode"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// Draw statuses.
const (
	StatusCommitted = "committed" // seed hash stored, not drawn yet
	StatusDrawn     = "drawn"
	StatusRefused   = "refused" // the committed draw could not be completed (reason in the record)
)

// RunOptions are the caller's choices of a draw.
type RunOptions struct {
	// Seed, when set, is a publicly drawn seed (64 hex digits, e.g. from a
	// lottery result hashed in public); otherwise 32 random bytes.
	Seed string
	Demo bool
	// Committed, when set, is told the seed's hash and the candidate hash
	// once they are stored, before the draw.
	Committed func(drawID int64, seedSHA256, candidatesSHA256 string, candidates int)
	// Phase, when set, is told how long each step took: freeze, commit,
	// draw, store (the benchmark's breakdown).
	Phase func(step string, d time.Duration)
}

func (o RunOptions) phase(step string, t0 time.Time) time.Time {
	now := time.Now()
	if o.Phase != nil {
		o.Phase(step, now.Sub(t0))
	}
	return now
}

// invalid turns a refusal into an invalid-input error with its message.
func invalid(err error) error {
	var de *DrawError
	if errors.As(err, &de) {
		return apperr.Invalid("%s", de.Msg)
	}
	return err
}

// CandidatesSQL reads the entities of a scope: the imported class and the
// computed one (the credit-risk recompute's, which overrides the imported
// class when set).
const CandidatesSQL = `SELECT credit_code, risk, risk_computed, type FROM inspect_entities WHERE region LIKE $1`

// Freeze reads the inputs of a task from the libraries: the items (an
// unknown code is refused with the code), the candidates of the scope by
// class (sorted; an entity with a wrong check character refuses the
// draw), the inspectors and, for each candidate inspected before, the
// team of its last inspection.
func (s *Service) Freeze(ctx context.Context, task Task) (Record, error) {
	rec := Record{Algorithm: Algorithm, Kind: "draw", Task: task}
	if err := CheckTask(task); err != nil {
		return rec, invalid(err)
	}
	q := s.db.Reader()
	items, err := s.items(ctx, q, task.Items)
	if err != nil {
		return rec, err
	}
	known := map[string]Item{}
	for _, it := range items {
		known[it.Code] = it
	}
	for _, c := range task.Items {
		if _, ok := known[c]; !ok {
			return rec, apperr.Invalid("事项编码“%s”不在随机抽查事项清单中，未抽取", kit.ClipRunes(c, 40))
		}
	}
	excluded, note, err := s.frequencyExcluded(ctx, task, known)
	if err != nil {
		return rec, err
	}
	if note != "" {
		rec.Notes = append(rec.Notes, note)
	}
	types := map[string]bool{}
	for _, t := range task.Scope.Types {
		types[strings.TrimSpace(t)] = true
	}
	// The candidates (in id ranges on several reader connections at
	// once), the inspectors and every entity's last team are read while
	// no other writer can commit: one state of the libraries.
	var byClass map[string][]string
	var inspectors []Inspector
	var latest []lastTeam
	computed := 0
	err = s.db.HoldWrites(ctx, []string{"inspect_entities", "inspect_inspectors", "inspect_last_teams"}, func() error {
		var side sync.WaitGroup
		var latestErr, insErr error
		side.Go(func() { latest, latestErr = s.latestTeams(ctx, q) })
		side.Go(func() { inspectors, insErr = s.frozenInspectors(ctx, q) })
		var err error
		byClass, computed, err = s.candidates(ctx, task.Scope.RegionPrefix, types, excluded)
		side.Wait()
		return cmpErr(err, insErr, latestErr)
	})
	if err != nil {
		return rec, err
	}
	n := 0
	var sorting sync.WaitGroup
	for _, c := range Classes {
		if ids := byClass[c]; len(ids) > 0 {
			sorting.Go(func() { slices.Sort(ids) })
			rec.Candidates = append(rec.Candidates, Stratum{Class: c, IDs: ids})
			n += len(ids)
		}
	}
	sorting.Wait()
	if computed > 0 {
		rec.Notes = append(rec.Notes, fmt.Sprintf("风险等级：%d 个检查对象采用信用风险分类计算的等级（覆盖名录库导入的等级），%d 个采用名录库导入的等级", computed, n-computed))
	}
	if n == 0 {
		return rec, apperr.Invalid("范围内（区划 %s 开头%s）没有检查对象，未抽取", task.Scope.RegionPrefix, typeText(task.Scope.Types))
	}
	var hashing sync.WaitGroup
	var candidatesHash string
	hashing.Go(func() { candidatesHash = CandidatesHash(rec.Candidates) })
	defer hashing.Wait()
	rec.Inspectors = inspectors
	if len(rec.Inspectors) < task.TeamSize {
		return rec, apperr.Invalid("检查组人数 %d 大于执法检查人员名录库中的人数 %d，未抽取", task.TeamSize, len(rec.Inspectors))
	}
	var lastKeys []string
	rec.Last, lastKeys = lastTeams(latest, rec.Candidates)
	rec.InspectorsSHA256 = inspectorsHash(rec.Inspectors, lastKeys, rec.Last)
	hashing.Wait()
	rec.CandidatesSHA256 = candidatesHash
	return rec, nil
}

// cmpErr is the first error that is not nil.
func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func typeText(types []string) string {
	if len(types) == 0 {
		return ""
	}
	return "，类型 " + strings.Join(types, "、")
}

// frozenInspectors reads the inspector library sorted by number (Go's
// byte order, as the algorithm says; the database's collation may
// differ), with the entity named as each one's unit where the entity
// library knows it.
func (s *Service) frozenInspectors(ctx context.Context, q store.Querier) ([]Inspector, error) {
	var out []Inspector
	var units []string
	err := store.EachRow(ctx, q, `SELECT cert_no, unit, avoid FROM inspect_inspectors`, nil, func(r *sql.Rows) error {
		var in Inspector
		var unit, avoid string
		if err := r.Scan(&in.ID, &unit, &avoid); err != nil {
			return err
		}
		in.Avoid, in.UnitEntity = splitList(avoid), unit // the unit's name until resolved below
		out = append(out, in)
		units = append(units, unit)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inspect: inspectors: %w", err)
	}
	slices.Sort(units)
	units = slices.Compact(units)
	found := map[string]string{}
	for start := 0; start < len(units); start += 500 {
		part := units[start:min(start+500, len(units))]
		ph := make([]string, len(part))
		args := make([]any, len(part))
		for i, u := range part {
			ph[i], args[i] = fmt.Sprintf("$%d", i+1), u
		}
		err := store.EachRow(ctx, q, `SELECT name, MIN(credit_code) FROM inspect_entities WHERE name IN (`+strings.Join(ph, ", ")+`) GROUP BY name`, args, func(r *sql.Rows) error {
			var n, c string
			err := r.Scan(&n, &c)
			found[n] = c
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("inspect: units: %w", err)
		}
	}
	for i := range out {
		out[i].UnitEntity = found[out[i].UnitEntity]
	}
	slices.SortFunc(out, func(a, b Inspector) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// lastTeam is an entity's team of its latest draw (sorted).
type lastTeam struct {
	code string
	team []string
}

// latestTeams reads the team of each entity's latest draw (one row per
// entity in inspect_last_teams, kept by store), sorted by credit code.
func (s *Service) latestTeams(ctx context.Context, q store.Querier) ([]lastTeam, error) {
	var latest []lastTeam
	err := store.EachRow(ctx, q, `SELECT credit_code, team FROM inspect_last_teams`, nil, func(r *sql.Rows) error {
		var code, team string
		err := r.Scan(&code, &team)
		t := lastTeam{code: code, team: splitList(team)}
		slices.Sort(t.team)
		latest = append(latest, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("inspect: last teams: %w", err)
	}
	slices.SortFunc(latest, func(a, b lastTeam) int { return strings.Compare(a.code, b.code) })
	return latest, nil
}

// lastTeams is, for each candidate inspected before, the team of its
// latest draw, and those candidates sorted: latest and each stratum's
// ids are sorted, so one walk of both finds them.
func lastTeams(latest []lastTeam, strata []Stratum) (map[string][]string, []string) {
	if len(latest) == 0 {
		return nil, nil
	}
	matched := make([]bool, len(latest))
	out := map[string][]string{}
	for _, st := range strata {
		j := 0
		for _, id := range st.IDs {
			for j < len(latest) && latest[j].code < id {
				j++
			}
			if j == len(latest) {
				break
			}
			if latest[j].code == id {
				out[id], matched[j] = latest[j].team, true
			}
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	keys := make([]string, 0, len(out))
	for j, m := range matched {
		if m {
			keys = append(keys, latest[j].code)
		}
	}
	return out, keys
}

// candidateParts is how many id ranges of the entity library the freeze
// reads at once on SQLite (one per CPU, at most four).
func candidateParts(dialect store.Dialect) int {
	if dialect != store.SQLite {
		return 1 // PostgreSQL would scan the whole table for each range
	}
	return max(1, min(4, runtime.GOMAXPROCS(0)))
}

// candidates reads the entities of a scope by class (unsorted): the
// computed class where the credit-risk recompute set one (counted in
// computed), without the excluded ones. An entity with a wrong check
// character or class refuses the draw: the first such entity in id order
// is named, as a single read would name it.
func (s *Service) candidates(ctx context.Context, prefix string, types, excluded map[string]bool) (map[string][]string, int, error) {
	q := s.db.Reader()
	parts := candidateParts(s.db.Dialect())
	var lo, hi sql.NullInt64
	if parts > 1 {
		if err := q.QueryRowContext(ctx, `SELECT MIN(id), MAX(id) FROM inspect_entities`).Scan(&lo, &hi); err != nil {
			return nil, 0, fmt.Errorf("inspect: candidates: %w", err)
		}
		if !lo.Valid || hi.Int64-lo.Int64 < 10_000 {
			parts = 1
		}
	}
	type part struct {
		byClass  map[string][]string
		computed int
		bad, err error
	}
	out := make([]part, parts)
	read := func(i int) {
		p := &out[i]
		p.byClass = map[string][]string{}
		query, args := CandidatesSQL, []any{prefix + "%"}
		if parts > 1 {
			step := (hi.Int64-lo.Int64)/int64(parts) + 1
			query += ` AND id >= $2 AND id < $3`
			args = append(args, lo.Int64+int64(i)*step, lo.Int64+int64(i+1)*step)
		}
		p.err = store.EachRow(ctx, q, query, args, func(r *sql.Rows) error {
			var code, risk, riskComputed, typ string
			if err := r.Scan(&code, &risk, &riskComputed, &typ); err != nil {
				return err
			}
			if len(types) > 0 && !types[typ] {
				return nil
			}
			if riskComputed != "" {
				risk = riskComputed
				p.computed++
			}
			if len(code) != 18 || creditcode.Check(code[:17]) != code[17] {
				p.bad = apperr.Invalid("检查对象名录库中统一社会信用代码 %s 的校验位错误，请更正名录库后再抽取，未抽取", kit.ClipRunes(code, 20))
				return p.bad
			}
			if excluded[code] {
				return nil
			}
			if ClassLabels[risk] == "" {
				p.bad = apperr.Invalid("检查对象 %s 的风险等级“%s”无效，未抽取", code, kit.ClipRunes(risk, 10))
				return p.bad
			}
			p.byClass[risk] = append(p.byClass[risk], code)
			return nil
		})
	}
	var wg sync.WaitGroup
	for i := 1; i < parts; i++ {
		wg.Go(func() { read(i) })
	}
	read(0)
	wg.Wait()
	byClass, computed := out[0].byClass, 0
	for i, p := range out {
		if p.bad != nil {
			return nil, 0, p.bad
		}
		if p.err != nil {
			return nil, 0, fmt.Errorf("inspect: candidates: %w", p.err)
		}
		computed += p.computed
		if i > 0 {
			for c, ids := range p.byClass {
				byClass[c] = append(byClass[c], ids...)
			}
		}
	}
	return byClass, computed, nil
}

// frequencyExcluded applies the classes' per-year rules: an entity drawn
// for one of the task's items as often as its class allows this year is
// not a candidate. It also notes a task of only 一般 items whose ratios
// exceed the class's share.
func (s *Service) frequencyExcluded(ctx context.Context, task Task, items map[string]Item) (map[string]bool, string, error) {
	rules, err := s.Rules(ctx)
	if err != nil {
		return nil, "", err
	}
	note := ""
	allGeneral := true
	for _, it := range items {
		allGeneral = allGeneral && it.Class == ClassGeneral
	}
	if r, ok := rules[ClassGeneral]; ok && allGeneral {
		for _, c := range Classes {
			if ratio, ok := task.Ratios[c]; ok && ratio > r.MaxRatio {
				note = fmt.Sprintf("提示：本任务只含一般检查事项，%s 类比例 %s 高于抽查规则的 %s（%s）", c, ratio, r.MaxRatio, r.Basis)
				break
			}
		}
	}
	limit := map[string]int{}
	for code, it := range items {
		if r := rules[it.Class]; r.PerYear > 0 {
			limit[code] = r.PerYear
		}
	}
	if len(limit) == 0 {
		return nil, note, nil
	}
	year := s.now().In(kit.CST).Format("2006")
	var draws []int64
	var drawItems [][]string
	err = store.EachRow(ctx, s.db.Reader(), `SELECT id, items FROM inspect_draws WHERE status = 'drawn' AND kind = 'draw' AND committed_at >= $1`, []any{year + "-01-01"}, func(r *sql.Rows) error {
		var id int64
		var it string
		err := r.Scan(&id, &it)
		draws, drawItems = append(draws, id), append(drawItems, splitList(it))
		return err
	})
	if err != nil {
		return nil, "", err
	}
	counts := map[string]map[string]int{} // item → entity → times
	for i, id := range draws {
		var shared []string
		for _, c := range drawItems[i] {
			if limit[c] > 0 {
				shared = append(shared, c)
			}
		}
		if len(shared) == 0 {
			continue
		}
		err := store.EachRow(ctx, s.db.Reader(), `SELECT credit_code FROM inspect_assignments WHERE draw_id = $1`, []any{id}, func(r *sql.Rows) error {
			var c string
			if err := r.Scan(&c); err != nil {
				return err
			}
			for _, it := range shared {
				if counts[it] == nil {
					counts[it] = map[string]int{}
				}
				counts[it][c]++
			}
			return nil
		})
		if err != nil {
			return nil, "", err
		}
	}
	out := map[string]bool{}
	for it, m := range counts {
		for c, n := range m {
			if n >= limit[it] {
				out[c] = true
			}
		}
	}
	return out, note, nil
}

// NewSeed returns 32 random bytes as hex.
func NewSeed() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("inspect: seed: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

func checkSeed(seed string) (string, error) {
	seed = strings.ToLower(strings.TrimSpace(seed))
	if b, err := hex.DecodeString(seed); err != nil || len(b) != 32 {
		return "", apperr.Invalid("种子须为 64 位十六进制数（32 字节）")
	}
	return seed, nil
}

// Run draws a task: freeze and hash the inputs, commit the seed (its hash
// stored and audited in its own transaction), draw, then store the record,
// the assignments and the audit entry in one transaction. A draw refused
// after its commitment stays in the log as refused, with the reason.
func (s *Service) Run(ctx context.Context, p auth.Principal, task Task, opt RunOptions) (Record, error) {
	if err := p.Require(Editors...); err != nil {
		return Record{}, err
	}
	t0 := time.Now()
	rec, err := s.Freeze(ctx, task)
	if err != nil {
		return rec, err
	}
	opt.phase("freeze", t0)
	return s.commitAndDraw(ctx, p, rec, 0, opt, func(seed string) (Result, error) {
		return Compute(rec.Task, seed, rec.Candidates, rec.Inspectors, rec.Last)
	})
}

// commitAndDraw takes the seed (the caller's or a new one), stores its
// hash before anything is drawn, draws with compute and stores the record.
func (s *Service) commitAndDraw(ctx context.Context, p auth.Principal, rec Record, parent int64, opt RunOptions, compute func(seed string) (Result, error)) (Record, error) {
	var err error
	if opt.Seed == "" {
		if opt.Seed, err = NewSeed(); err != nil {
			return rec, err
		}
	}
	seed, err := checkSeed(opt.Seed)
	if err != nil {
		return rec, err
	}
	rec.SeedSHA256 = SeedHash(seed)
	t0 := time.Now()
	if err := s.commit(ctx, p, &rec, parent, opt.Demo); err != nil {
		return rec, err
	}
	t0 = opt.phase("commit", t0)
	if opt.Committed != nil {
		opt.Committed(rec.DrawID, rec.SeedSHA256, rec.CandidatesSHA256, countIDs(rec.Candidates))
	}
	rec.Seed = seed
	res, err := compute(seed)
	if err != nil {
		return rec, s.refused(ctx, p, rec, invalid(err))
	}
	rec.Result = res
	rec.DrawnAt = s.stamp()
	t0 = opt.phase("draw", t0)
	err = s.store(ctx, p, rec, parent)
	opt.phase("store", t0)
	return rec, err
}

func countIDs(strata []Stratum) int {
	n := 0
	for _, s := range strata {
		n += len(s.IDs)
	}
	return n
}

// commit stores the draw with its seed hash before anything is drawn.
func (s *Service) commit(ctx context.Context, p auth.Principal, rec *Record, parent int64, demo bool) error {
	rec.CommittedAt = s.stamp()
	var parentID any
	if parent > 0 {
		parentID = parent
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO inspect_draws(kind, parent_id, name, items, status, seed_sha256, seed, candidates_sha256, candidates, drawn, result_sha256, record, demo, created_by, committed_at, drawn_at)
			VALUES ($1, $2, $3, $4, 'committed', $5, '', $6, $7, 0, '', '', $8, $9, $10, '') RETURNING id`,
			rec.Kind, parentID, rec.Task.Name, strings.Join(rec.Task.Items, ";"), rec.SeedSHA256, rec.CandidatesSHA256, countIDs(rec.Candidates), store.BoolInt(demo), p.Actor().Name, rec.CommittedAt).Scan(&rec.DrawID)
		if err != nil {
			return fmt.Errorf("inspect: commit: %w", err)
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "inspect_draw", EntityID: fmt.Sprint(rec.DrawID), Action: "commit",
			After: map[string]any{"name": rec.Task.Name, "kind": rec.Kind, "seed_sha256": rec.SeedSHA256, "candidates_sha256": rec.CandidatesSHA256,
				"inspectors_sha256": rec.InspectorsSHA256, "candidates": countIDs(rec.Candidates), "algorithm": rec.Algorithm}})
	})
}

func (s *Service) refused(ctx context.Context, p auth.Principal, rec Record, cause error) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE inspect_draws SET status = 'refused', seed = $1, drawn_at = $2 WHERE id = $3`, rec.Seed, s.stamp(), rec.DrawID); err != nil {
			return err
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "inspect_draw", EntityID: fmt.Sprint(rec.DrawID), Action: "refuse",
			After: map[string]any{"reason": apperr.Message(cause), "seed": rec.Seed}})
	})
	return errors.Join(cause, err)
}

// store writes a drawn record: the draw row, its assignments (a redraw
// also replaces the team in its parent's row) and the audit entry.
//
// The record is encoded and compressed on another goroutine while the
// transaction writes the assignments; the draw row takes it last.
func (s *Service) store(ctx context.Context, p auth.Principal, rec Record, parent int64) error {
	var gz []byte
	var gzErr error
	encoded := make(chan struct{})
	go func() {
		defer close(encoded)
		gz, gzErr = encodeRecord(rec)
	}()
	defer func() { <-encoded }()
	as := rec.Result.Assignments
	// In credit-code order, the inserts into the assignments' entity
	// index and the last-team upserts walk their B-trees forwards instead
	// of jumping about them.
	order := make([]int32, len(as))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(as[a].Entity, as[b].Entity) })
	teams := make([]string, len(as))
	for i := range as {
		teams[i] = strings.Join(as[i].Team, ";")
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		const head = `INSERT INTO inspect_assignments(draw_id, seq, credit_code, class, team) VALUES `
		var err error
		var before int64 // SQLite: the largest rowid before this draw's rows
		if s.db.Dialect() == store.SQLite {
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(rowid), 0) FROM inspect_assignments`).Scan(&before); err != nil {
				return fmt.Errorf("inspect: assignments: %w", err)
			}
			// The draw's id bound once per statement of 500 rows.
			err = store.InsertShared(ctx, tx, "inspect: assignments", head, []int{0, -1, -1, -1, -1}, []any{rec.DrawID}, 500, len(as), func(k int, args []any) []any {
				i := order[k]
				return append(args, i+1, as[i].Entity, as[i].Class, teams[i])
			})
		} else {
			err = store.InsertRows(ctx, s.db.Dialect(), tx, "inspect: assignments", head, make([]string, 5), len(as), func(k int) []any {
				i := order[k]
				return []any{rec.DrawID, i + 1, as[i].Entity, as[i].Class, teams[i]}
			})
		}
		if err != nil {
			return err
		}
		if rec.Kind == "draw" {
			// Each drawn entity's team becomes its last team: copied from
			// the rows just written, in credit-code order. On SQLite those
			// rows are the ones after the largest rowid before them (this
			// transaction is the only writer), inserted in credit-code
			// order: read by rowid, without an index or a sort.
			from := `FROM inspect_assignments WHERE draw_id = $1 ORDER BY credit_code`
			args := []any{rec.DrawID}
			if s.db.Dialect() == store.SQLite {
				from, args = `FROM inspect_assignments WHERE rowid > $1 ORDER BY rowid`, []any{before}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO inspect_last_teams(credit_code, draw_id, team)
				SELECT credit_code, draw_id, team `+from+`
				ON CONFLICT (credit_code) DO UPDATE SET draw_id = excluded.draw_id, team = excluded.team`, args...); err != nil {
				return fmt.Errorf("inspect: last teams: %w", err)
			}
		}
		if parent > 0 && len(as) == 1 {
			team := strings.Join(as[0].Team, ";")
			if _, err := tx.ExecContext(ctx, `UPDATE inspect_assignments SET team = $1 WHERE draw_id = $2 AND credit_code = $3`, team, parent, as[0].Entity); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE inspect_last_teams SET team = $1 WHERE draw_id = $2 AND credit_code = $3`, team, parent, as[0].Entity); err != nil {
				return err
			}
		}
		<-encoded
		if gzErr != nil {
			return gzErr
		}
		res, err := tx.ExecContext(ctx, `UPDATE inspect_draws SET status = 'drawn', seed = $1, drawn = $2, result_sha256 = $3, record = '', record_gz = $4, drawn_at = $5 WHERE id = $6 AND status = 'committed'`,
			rec.Seed, len(as), rec.Result.SHA256, gz, rec.DrawnAt, rec.DrawID)
		if err != nil {
			return fmt.Errorf("inspect: store: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("inspect: store: %w", err)
		} else if n != 1 {
			// Changed since its seed was committed: the assignments
			// written above go with the rollback.
			return apperr.Conflict("第 %d 号抽查已不在待抽取状态，本次抽取结果未保存", rec.DrawID)
		}
		after := map[string]any{"seed": rec.Seed, "seed_sha256": rec.SeedSHA256, "result_sha256": rec.Result.SHA256, "drawn": len(as)}
		if rec.Redraw != nil {
			after["parent_id"], after["entity"], after["withdrawn"], after["reason"], after["team"] = parent, rec.Redraw.Entity, rec.Redraw.Withdrawn, rec.Redraw.Reason, as[0].Team
		}
		return audit.Append(ctx, s.db, tx, p.Actor(), audit.Entry{Entity: "inspect_draw", EntityID: fmt.Sprint(rec.DrawID), Action: rec.Kind, After: after})
	})
}

// Redraw replaces an inspector who claims avoidance (行政处罚法第四十三条)
// on one entity of a drawn draw: a new logged draw of its own (kind
// redraw) with a committed seed; the parent's team is updated.
func (s *Service) Redraw(ctx context.Context, p auth.Principal, parentID int64, entity, withdrawn, reason string, opt RunOptions) (Record, error) {
	if err := p.Require(Editors...); err != nil {
		return Record{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 500 {
		return Record{}, apperr.Invalid("请填写回避理由（不超过 500 字）")
	}
	parent, err := s.record(ctx, parentID)
	if err != nil {
		return Record{}, err
	}
	if parent.Kind != "draw" {
		return Record{}, apperr.Invalid("只能对抽查记录申请回避重抽")
	}
	entity, withdrawn = strings.ToUpper(strings.TrimSpace(entity)), strings.TrimSpace(withdrawn)
	var team, class string
	loads := map[string]int{}
	err = store.EachRow(ctx, s.db.Reader(), `SELECT credit_code, class, team FROM inspect_assignments WHERE draw_id = $1`, []any{parentID}, func(r *sql.Rows) error {
		var c, cl, t string
		if err := r.Scan(&c, &cl, &t); err != nil {
			return err
		}
		for _, id := range splitList(t) {
			loads[id]++
		}
		if c == entity {
			team, class = t, cl
		}
		return nil
	})
	if err != nil {
		return Record{}, err
	}
	if team == "" {
		return Record{}, apperr.Invalid("检查对象 %s 不在第 %d 号抽查的结果中", kit.ClipRunes(entity, 20), parentID)
	}
	for _, in := range parent.Inspectors {
		if _, ok := loads[in.ID]; !ok {
			loads[in.ID] = 0
		}
	}
	rec := Record{Algorithm: Algorithm, Kind: "redraw", Task: parent.Task, Inspectors: parent.Inspectors,
		Candidates: []Stratum{{Class: class, IDs: []string{entity}}},
		Redraw:     &Redraw{ParentID: parentID, ParentResult: parent.Result.SHA256, Entity: entity, Class: class, Team: splitList(team), Withdrawn: withdrawn, Reason: reason, Loads: loads}}
	if l := parent.Last[entity]; len(l) > 0 {
		rec.Last = map[string][]string{entity: l}
	}
	rec.Task.Name = parent.Task.Name + "（回避重抽）"
	rec.CandidatesSHA256 = CandidatesHash(rec.Candidates)
	rec.InspectorsSHA256 = InspectorsHash(rec.Inspectors, rec.Last)
	if !slices.Contains(rec.Redraw.Team, withdrawn) {
		return rec, apperr.Invalid("检查人员 %s 不在对象 %s 的检查组中", kit.ClipRunes(withdrawn, 32), entity)
	}
	return s.commitAndDraw(ctx, p, rec, parentID, opt, func(seed string) (Result, error) {
		return ComputeRedraw(seed, rec.Inspectors, rec.Last, *rec.Redraw)
	})
}

// record reads a drawn draw's record.
func (s *Service) record(ctx context.Context, id int64) (Record, error) {
	body, err := s.RecordJSON(ctx, id)
	if err != nil {
		return Record{}, err
	}
	var rec Record
	if err := json.Unmarshal(body, &rec); err != nil {
		return rec, fmt.Errorf("inspect: record %d: %w", id, err)
	}
	return rec, nil
}

// RecordJSON is the stored RECORD.json of a drawn draw (public). Records
// are stored gzip-compressed (record_gz); records of earlier versions as
// text (record).
func (s *Service) RecordJSON(ctx context.Context, id int64) ([]byte, error) {
	var body, status string
	var gz []byte
	err := s.db.Reader().QueryRowContext(ctx, `SELECT record, record_gz, status FROM inspect_draws WHERE id = $1`, id).Scan(&body, &gz, &status)
	if errors.Is(err, sql.ErrNoRows) || err == nil && status != StatusDrawn {
		return nil, apperr.NotFound("第 %d 号抽查记录不存在或尚未完成", id)
	}
	if err != nil || len(gz) == 0 {
		return []byte(body), err
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("inspect: record %d: %w", id, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("inspect: record %d: %w", id, err)
	}
	return out, nil
}

// encodeRecord is the stored form of a record: its JSON gzipped (fastest
// level: the sorted credit codes shrink several times over even so).
func encodeRecord(rec Record) ([]byte, error) {
	body, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("inspect: record: %w", err)
	}
	var buf bytes.Buffer
	buf.Grow(len(body) / 4)
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(body); err != nil {
		return nil, fmt.Errorf("inspect: compress record: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("inspect: compress record: %w", err)
	}
	return buf.Bytes(), nil
}
