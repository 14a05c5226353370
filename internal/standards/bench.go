package standards

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/search"
	"sidi/internal/store"

	"golang.org/x/text/unicode/norm"
)

// BenchQuery is one query of the benchmark mix.
type BenchQuery struct {
	Class string `json:"class"` // 1字, 2字, 4字, 多词, 标准号, 声明
	Q     string `json:"q"`
}

// Query classes of the mix, in report order.
var BenchClasses = []string{"1字", "2字", "4字", "多词", "标准号", "声明"}

// BenchQueries is the fixed query mix for n standards of g (and the
// declarations loaded with them): single characters that match a large
// share of the records, the domain's two- and four-character words,
// two-word queries, codes taken from the data in the odd forms people type
// (full width, lower case, no spaces, other dashes, no year), and searches
// of the declarations (class 声明: a word, an indicator, a credit code).
func BenchQueries(g *Gen, n int) []BenchQuery {
	qs := []BenchQuery{
		{"1字", "盐"}, {"1字", "牛"}, {"1字", "湖"},
		{"2字", "牦牛"}, {"2字", "枸杞"}, {"2字", "盐湖"}, {"2字", "青稞"}, {"2字", "光伏"}, {"2字", "电梯"},
		{"4字", "生态旅游"}, {"4字", "质量分级"}, {"4字", "冬虫夏草"}, {"4字", "检验方法"},
		{"多词", "牦牛 屠宰"}, {"多词", "盐湖 检验方法"},
		{"声明", "牦牛"}, {"声明", "氯化钾含量"}, {"声明", g.GenEnterprise(n / 5 / DeclsPerEnterprise / 2).CreditCode},
	}
	code := func(kind string, k int) string {
		for _, f := range genFamilies {
			if f.kind != kind {
				continue
			}
			inFamily := n / 1000 * f.width
			if rest := n % 1000; rest > f.id {
				inFamily += min(rest-f.id, f.width)
			}
			// A current edition near the middle of the family.
			seq := inFamily/2 + k
			for seq%3 == 0 && f.editions {
				seq++
			}
			if seq >= inFamily {
				seq = 0
			}
			return g.Standard(f.index(seq)).Code
		}
		return ""
	}
	local := ParseCode(code("local", 0))
	odd := map[string]func(string) string{
		"full": func(s string) string { // full-width letters, digits, slash and space
			return strings.Map(func(r rune) rune {
				switch {
				case r >= '!' && r <= '~':
					return r - '!' + '！'
				case r == ' ':
					return '　'
				}
				return r
			}, s)
		},
		"lower": func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "—", "-") },
		"tight": func(s string) string { return strings.NewReplacer(" ", "", "—", "－").Replace(s) },
	}
	qs = append(qs,
		BenchQuery{"标准号", odd["lower"](local.Display)},
		BenchQuery{"标准号", odd["full"](local.Display)},
		BenchQuery{"标准号", local.Prefix + local.Number}, // every edition
		BenchQuery{"标准号", strings.Replace(code("GB/T", 1), "—", "–", 1)},
		BenchQuery{"标准号", odd["lower"](code("enterprise", 2))},
		BenchQuery{"标准号", odd["tight"](code("group", 3))},
	)
	return qs
}

// Latency summarises timings.
type Latency struct {
	N   int           `json:"n"`
	P50 time.Duration `json:"p50"`
	P95 time.Duration `json:"p95"`
	P99 time.Duration `json:"p99"`
	Max time.Duration `json:"max"`
}

// Summarize computes the quantiles of ds (nearest rank).
func Summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	at := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[max(0, min(i, len(s)-1))]
	}
	return Latency{N: len(s), P50: at(.50), P95: at(.95), P99: at(.99), Max: s[len(s)-1]}
}

// BenchOptions configure a benchmark run.
type BenchOptions struct {
	Records    int    // records to generate and load
	Seed       uint64 // generator seed
	Batch      int    // records per load transaction
	Rounds     int    // timed rounds of the whole query mix through Search
	LikeRounds int    // timed rounds of the LIKE scans
	// Reuse measures the records an earlier run kept (--keep) instead of
	// loading new ones: the same Records and Seed are needed; the load is
	// then not measured.
	Reuse bool
}

// QueryFigures are one query's results.
type QueryFigures struct {
	BenchQuery
	Total   int  `json:"total"`     // Search's total
	More    bool `json:"more"`      // more than Total match
	LikeHit int  `json:"like_hits"` // rows the LIKE scan matched
	// The narrow scan of earlier reports (title or code only; see
	// TitleLikeScan), kept for comparison.
	TitleLike    Latency       `json:"title_like"`
	TitleLikeHit int           `json:"title_like_hits"`
	TitleSpeedup float64       `json:"title_speedup"`
	Search       Latency       `json:"search"`     // Search latency over the rounds
	Like         Latency       `json:"like"`       // LIKE latency over its rounds
	Speedup      float64       `json:"speedup"`    // median LIKE / median Search
	First        time.Duration `json:"first_call"` // the untimed warm-up call
}

// BenchReport is what a run measured.
type BenchReport struct {
	Engine       string             `json:"engine"`
	Records      int                `json:"records"`
	Standards    int                `json:"standards"`
	Declarations int                `json:"declarations"`
	LoadTime     time.Duration      `json:"load_time"`
	LoadRate     float64            `json:"records_per_second"`
	Index        search.Size        `json:"index"`
	Queries      []QueryFigures     `json:"queries"`
	ByClass      map[string]Latency `json:"by_class"`
	All          Latency            `json:"all"`
	LikeAll      Latency            `json:"like_all"`
	MinSpeedup   float64            `json:"min_speedup"`
	MeanSpeedup  float64            `json:"geomean_speedup"`
	TitleMin     float64            `json:"title_min_speedup"`
	TitleMean    float64            `json:"title_geomean_speedup"`
}

// ErrNotBenchData is returned when a database holds anything besides
// benchmark records: the benchmark writes a million records and clears them
// afterwards, so it only runs on a database of its own.
var ErrNotBenchData = errors.New("standards: the database holds data that is not benchmark data")

// CheckBenchTarget refuses a database that holds real data: audit entries
// other than benchmark loads, users, departments, plans, or standards,
// enterprises or declarations without the benchmark note. It reports
// whether earlier benchmark records are present.
func CheckBenchTarget(ctx context.Context, db *store.DB) (hasBench bool, err error) {
	checks := []struct{ what, q string }{
		{"审计日志", `SELECT COUNT(*) FROM audit_log WHERE entity <> '` + BenchEntity + `'`},
		{"用户", `SELECT COUNT(*) FROM users`},
		{"部门", `SELECT COUNT(*) FROM departments`},
		{"方案", `SELECT COUNT(*) FROM plans`},
		{"标准", `SELECT COUNT(*) FROM standards WHERE note <> '` + BenchNote + `'`},
	}
	checks = append(checks, []struct{ what, q string }{
		{"企业", `SELECT COUNT(*) FROM enterprises WHERE note <> '` + BenchNote + `'`},
		{"企业用户关联", `SELECT COUNT(*) FROM user_enterprise`},
		{"自我声明", `SELECT COUNT(*) FROM declarations WHERE note <> '` + BenchNote + `'`},
		{"领跑者评估方案", `SELECT COUNT(*) FROM leader_schemes`},
	}...)
	for _, c := range checks {
		var n int
		if err := db.Reader().QueryRowContext(ctx, c.q).Scan(&n); err != nil {
			return false, fmt.Errorf("%w（无法检查%s：%v）", ErrNotBenchData, c.what, err)
		}
		if n > 0 {
			return false, fmt.Errorf("%w：已有 %d 条%s记录；请使用空的数据目录或数据库", ErrNotBenchData, n, c.what)
		}
	}
	var n int
	if err := db.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM standards`).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}

// ClearBench removes every benchmark record (the database must have passed
// CheckBenchTarget). The audit entries of the loads stay.
func ClearBench(ctx context.Context, db *store.DB) error {
	if _, err := CheckBenchTarget(ctx, db); err != nil {
		return err
	}
	tables := append([]string{"leader_entries", "leader_indicators", "leader_schemes", "declaration_indicators", "declaration_products", "declarations", "user_enterprise", "enterprise_names", "enterprises"}, "standard_announcement_items", "standard_announcements", "standard_stages", "standard_relations", "standard_tags", "standards", "search_docs")
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if db.Dialect() == store.Postgres {
			// Tables of other registries that point at these (e.g. a pilot's
			// standards, a base's operator), and the tables pointing at
			// those, must be truncated with them; they may only be empty.
			var others []string
			for set := tables; ; {
				var found []string
				err := store.EachRow(ctx, tx, `SELECT DISTINCT c.conrelid::regclass::text FROM pg_constraint c
				WHERE c.contype = 'f' AND c.confrelid = ANY($1::regclass[]) AND NOT c.conrelid = ANY($1::regclass[])`,
					[]any{"{" + strings.Join(set, ",") + "}"}, func(r *sql.Rows) error {
						var t string
						err := r.Scan(&t)
						found = append(found, t)
						return err
					})
				if err != nil {
					return err
				}
				if len(found) == 0 {
					break
				}
				others = append(others, found...)
				set = append(slices.Clone(tables), others...)
			}
			for _, t := range others {
				var rows bool
				if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+t+`)`).Scan(&rows); err != nil {
					return err
				}
				if rows {
					return fmt.Errorf("standards: %s refers to the benchmark records and is not empty; not clearing", t)
				}
			}
			_, err := tx.ExecContext(ctx, `TRUNCATE `+strings.Join(append(append(tables, "search_postings"), others...), ", "))
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_fts(search_fts) VALUES ('delete-all')`); err != nil {
			return err
		}
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		return nil
	})
}

// RunBench loads opts.Records generated records into an empty (or
// benchmark-only) database and measures loading, the index size, Search
// latency for the query mix and, in the same run, the same queries as a
// plain LIKE scan. Progress lines go to log.
func (s *Service) RunBench(ctx context.Context, opts BenchOptions, log io.Writer) (BenchReport, error) {
	if opts.Records <= 0 {
		opts.Records = 100000
	}
	if opts.Rounds <= 0 {
		opts.Rounds = 20
	}
	if opts.LikeRounds <= 0 {
		opts.LikeRounds = 3
	}
	rep := BenchReport{Engine: string(s.db.Dialect()), Records: opts.Records, ByClass: map[string]Latency{}}
	has, err := CheckBenchTarget(ctx, s.db)
	if err != nil {
		return rep, err
	}
	g := NewGen(opts.Seed)
	decls := opts.Records / 5
	stds := opts.Records - decls
	rep.Standards, rep.Declarations = stds, decls
	if opts.Reuse {
		var ns, nd int
		if err := s.db.Reader().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM standards), (SELECT COUNT(*) FROM declarations)`).Scan(&ns, &nd); err != nil {
			return rep, err
		}
		if ns != stds || nd != decls {
			return rep, fmt.Errorf("--reuse：库中有 %d 条标准、%d 条声明，与 --records %d 应有的 %d 条、%d 条不符；the database holds %d standards and %d declarations, not the %d and %d of %d records",
				ns, nd, opts.Records, stds, decls, ns, nd, stds, decls, opts.Records)
		}
		fmt.Fprintln(log, "  沿用上次保留的基准测试数据 reusing the records kept by an earlier run (load not measured)")
		if rep.Index, err = search.IndexSize(ctx, s.db); err != nil {
			return rep, err
		}
		return rep, s.benchQueries(ctx, opts, g, &rep, log)
	}
	if has {
		fmt.Fprintln(log, "清除上次的基准测试数据 clearing the previous benchmark records")
		if err := ClearBench(ctx, s.db); err != nil {
			return rep, err
		}
	}
	var stdBase int64
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM standards`).Scan(&stdBase); err != nil {
		return rep, err
	}
	t0 := time.Now()
	last := t0
	report := func(what string, total int) BulkProgress {
		return func(done int) {
			if time.Since(last) > 10*time.Second || done == total {
				last = time.Now()
				fmt.Fprintf(log, "  已写入%s loaded %d/%d (%s)\n", what, done, total, time.Since(t0).Round(time.Second))
			}
		}
	}
	err = search.WithoutIndexes(ctx, s.db, func() error {
		if err := s.BulkLoad(ctx, auth.CLI("bench"), g, 0, stds, opts.Batch, report("标准", stds)); err != nil {
			return err
		}
		return s.BulkLoadDeclarations(ctx, auth.CLI("bench"), g, decls, stds, stdBase, opts.Batch, report("声明", decls))
	})
	if err != nil {
		return rep, err
	}
	if err := s.afterBulk(ctx); err != nil {
		return rep, err
	}
	rep.LoadTime = time.Since(t0)
	rep.LoadRate = float64(opts.Records) / rep.LoadTime.Seconds()
	if rep.Index, err = search.IndexSize(ctx, s.db); err != nil {
		return rep, err
	}
	fmt.Fprintf(log, "  载入及建索引 load and index: %s, %.0f 条/秒 records/s; 索引 index %s + 文档表 docs %s\n",
		rep.LoadTime.Round(time.Second), rep.LoadRate, MiB(rep.Index.Index), MiB(rep.Index.Docs))
	return rep, s.benchQueries(ctx, opts, g, &rep, log)
}

// benchQueries times the query mix through the public search and as LIKE
// scans, into rep.
func (s *Service) benchQueries(ctx context.Context, opts BenchOptions, g *Gen, rep *BenchReport, log io.Writer) error {
	qs := BenchQueries(g, rep.Standards)
	rep.Queries = make([]QueryFigures, len(qs))
	times := make([][]time.Duration, len(qs))
	for i, q := range qs {
		rep.Queries[i].BenchQuery = q
		t := time.Now()
		total, more, err := s.benchSearch(ctx, q)
		if err != nil {
			return fmt.Errorf("search %q: %w", q.Q, err)
		}
		rep.Queries[i].First, rep.Queries[i].Total, rep.Queries[i].More = time.Since(t), total, more
	}
	order := rand.New(rand.NewPCG(opts.Seed, 99))
	for r := 0; r < opts.Rounds; r++ {
		for _, i := range order.Perm(len(qs)) {
			t := time.Now()
			if _, _, err := s.benchSearch(ctx, qs[i]); err != nil {
				return err
			}
			times[i] = append(times[i], time.Since(t))
		}
	}
	var all, likeAll []time.Duration
	byClass := map[string][]time.Duration{}
	for i := range qs {
		rep.Queries[i].Search = Summarize(times[i])
		all = append(all, times[i]...)
		byClass[qs[i].Class] = append(byClass[qs[i].Class], times[i]...)
	}
	fmt.Fprintf(log, "  检索 search: %d 轮 rounds × %d 个查询 queries, p95 %s\n", opts.Rounds, len(qs), Summarize(all).P95)
	likes := make([][]time.Duration, len(qs))
	titleLikes := make([][]time.Duration, len(qs))
	for r := 0; r < opts.LikeRounds; r++ {
		for i, q := range qs {
			t := time.Now()
			n, err := s.LikeScan(ctx, q)
			if err != nil {
				return err
			}
			likes[i] = append(likes[i], time.Since(t))
			rep.Queries[i].LikeHit = n
			t = time.Now()
			if n, err = s.TitleLikeScan(ctx, q); err != nil {
				return err
			}
			titleLikes[i] = append(titleLikes[i], time.Since(t))
			rep.Queries[i].TitleLikeHit = n
		}
	}
	speedups := func(scan func(*QueryFigures) float64) (lo, mean float64) {
		lo = -1
		logSum := 0.0
		for i := range rep.Queries {
			x := scan(&rep.Queries[i])
			if lo < 0 || x < lo {
				lo = x
			}
			logSum += math.Log(x)
		}
		return lo, math.Exp(logSum / float64(len(rep.Queries)))
	}
	for i := range qs {
		f := &rep.Queries[i]
		f.Like, f.TitleLike = Summarize(likes[i]), Summarize(titleLikes[i])
		likeAll = append(likeAll, likes[i]...)
		f.Speedup = float64(f.Like.P50) / float64(max(f.Search.P50, 1))
		f.TitleSpeedup = float64(f.TitleLike.P50) / float64(max(f.Search.P50, 1))
	}
	rep.MinSpeedup, rep.MeanSpeedup = speedups(func(f *QueryFigures) float64 { return f.Speedup })
	rep.TitleMin, rep.TitleMean = speedups(func(f *QueryFigures) float64 { return f.TitleSpeedup })
	rep.All, rep.LikeAll = Summarize(all), Summarize(likeAll)
	for c, ds := range byClass {
		rep.ByClass[c] = Summarize(ds)
	}
	return nil
}

// benchSearch runs one query of the mix through the public search.
func (s *Service) benchSearch(ctx context.Context, q BenchQuery) (total int, more bool, err error) {
	if q.Class == "声明" {
		res, err := s.SearchDeclarations(ctx, DeclParams{Q: q.Q})
		return res.Total, res.More, err
	}
	res, err := s.Search(ctx, Params{Q: q.Q})
	return res.Total, res.More, err
}

// LikeScan is the baseline: the same query answered by a plain scan with
// LIKE '%…%' and no index. Every space-separated term of the query (as
// typed, NFKC-normalised) must occur in one of the text columns the search
// indexes (standards: titles, code, ICS, CCS, variety, drug category, scope,
// committee, department, publisher, drafting units, drafters, note — the
// tags and relations of other tables are left out, which makes the scan
// cheaper than the search's exact equivalent; declarations: the declared
// standard's code and title, the enterprise's name and credit code, the
// national reference and notes, and the products and indicators). It
// returns the number of matching rows.
func (s *Service) LikeScan(ctx context.Context, bq BenchQuery) (int, error) {
	const stdText = `s.title || ' ' || s.title_en || ' ' || s.code || ' ' || s.ics || ' ' || s.ccs || ' ' || s.variety || ' ' || s.drug_category || ' ' ||
		s.scope || ' ' || s.committee || ' ' || s.department || ' ' || s.publisher || ' ' || s.drafting_units || ' ' || s.drafters || ' ' || s.note`
	const declText = `d.standard_code || ' ' || d.standard_title || ' ' || e.name || ' ' || e.credit_code || ' ' || d.national_ref || ' ' || d.below_note || ' ' || d.note`
	var conds []string
	var args []any
	for _, term := range strings.Fields(norm.NFKC.String(bq.Q)) {
		args = append(args, likePattern(term))
		p := "$" + strconv.Itoa(len(args))
		if bq.Class == "声明" {
			conds = append(conds, `((`+declText+`) LIKE `+p+` ESCAPE '\'
				OR EXISTS (SELECT 1 FROM declaration_products dp WHERE dp.declaration_id = d.id AND (dp.name || ' ' || dp.model || ' ' || dp.category) LIKE `+p+` ESCAPE '\')
				OR EXISTS (SELECT 1 FROM declaration_indicators di WHERE di.declaration_id = d.id AND (di.name || ' ' || di.unit || ' ' || di.test_method) LIKE `+p+` ESCAPE '\'))`)
		} else {
			conds = append(conds, `(`+stdText+`) LIKE `+p+` ESCAPE '\'`)
		}
	}
	if len(conds) == 0 {
		return 0, nil
	}
	q := `SELECT s.id FROM standards s WHERE s.status <> 'project' AND ` + strings.Join(conds, " AND ")
	if bq.Class == "声明" {
		q = `SELECT d.id FROM declarations d JOIN enterprises e ON e.id = d.enterprise_id WHERE d.status = 'current' AND ` + strings.Join(conds, " AND ")
	}
	return s.countRows(ctx, q, args)
}

// TitleLikeScan is the narrower scan of the earlier reports: the query as
// typed, as one substring of the title or the code of a standard (for class
// 声明: of a declared standard's title, the enterprise's name or credit
// code). It does not answer the same question as the search (a two-word
// query or an indicator name finds nothing) and is kept for comparison.
func (s *Service) TitleLikeScan(ctx context.Context, bq BenchQuery) (int, error) {
	q := `SELECT id FROM standards WHERE status <> 'project' AND (title LIKE $1 ESCAPE '\' OR code LIKE $1 ESCAPE '\')`
	if bq.Class == "声明" {
		q = `SELECT d.id FROM declarations d JOIN enterprises e ON e.id = d.enterprise_id WHERE d.status = 'current'
			AND (d.standard_title LIKE $1 ESCAPE '\' OR e.name LIKE $1 ESCAPE '\' OR e.credit_code LIKE $1 ESCAPE '\')`
	}
	return s.countRows(ctx, q, []any{likePattern(strings.TrimSpace(bq.Q))})
}

func likePattern(s string) string {
	return "%" + kit.EscapeLike(s) + "%"
}

// countRows reads every row of q and counts them.
func (s *Service) countRows(ctx context.Context, q string, args []any) (int, error) {
	n := 0
	err := store.EachRow(ctx, s.db.Reader(), q, args, func(r *sql.Rows) error {
		var id int64
		n++
		return r.Scan(&id)
	})
	return n, err
}

// afterBulk brings the engine's statistics up to date after a bulk load, as
// autovacuum would do on its own a little later.
func (s *Service) afterBulk(ctx context.Context) error {
	if s.db.Dialect() != store.Postgres {
		return nil
	}
	_, err := s.db.Writer().ExecContext(ctx, `VACUUM ANALYZE`)
	return err
}

// MiB formats a byte count.
func MiB(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// WriteReport prints a report as the tables of docs/PERFORMANCE.md.
func (r BenchReport) WriteReport(w io.Writer) {
	fmt.Fprintf(w, "engine %s, %d records (%d standards, %d declarations of %d enterprises)\n", r.Engine, r.Records, r.Standards, r.Declarations, (r.Declarations+DeclsPerEnterprise-1)/DeclsPerEnterprise)
	if r.LoadTime > 0 {
		fmt.Fprintf(w, "load + index: %s = %.0f records/s\n", r.LoadTime.Round(100*time.Millisecond), r.LoadRate)
	} else {
		fmt.Fprintf(w, "load + index: not measured (records kept by an earlier run, --reuse)\n")
	}
	fmt.Fprintf(w, "index size: full-text %s, document table %s, total %s\n", MiB(r.Index.Index), MiB(r.Index.Docs), MiB(r.Index.Total()))
	fmt.Fprintf(w, "\n| class | query | total | search p50 | p95 | p99 | LIKE p50 | LIKE rows | speed-up | title LIKE p50 | rows | speed-up |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, q := range r.Queries {
		total := fmt.Sprint(q.Total)
		if q.More {
			total += "+"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %d | %.0f× | %s | %d | %.0f× |\n", q.Class, q.Q, total, ms(q.Search.P50), ms(q.Search.P95), ms(q.Search.P99),
			ms(q.Like.P50), q.LikeHit, q.Speedup, ms(q.TitleLike.P50), q.TitleLikeHit, q.TitleSpeedup)
	}
	fmt.Fprintf(w, "\n| class | n | p50 | p95 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n")
	for _, c := range BenchClasses {
		if l, ok := r.ByClass[c]; ok {
			fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s |\n", c, l.N, ms(l.P50), ms(l.P95), ms(l.P99), ms(l.Max))
		}
	}
	fmt.Fprintf(w, "| all | %d | %s | %s | %s | %s |\n", r.All.N, ms(r.All.P50), ms(r.All.P95), ms(r.All.P99), ms(r.All.Max))
	fmt.Fprintf(w, "| LIKE scan | %d | %s | %s | %s | %s |\n", r.LikeAll.N, ms(r.LikeAll.P50), ms(r.LikeAll.P95), ms(r.LikeAll.P99), ms(r.LikeAll.Max))
	fmt.Fprintf(w, "\nspeed-up over LIKE (median vs median, per query): min %.0f×, geometric mean %.0f×\n", r.MinSpeedup, r.MeanSpeedup)
	fmt.Fprintf(w, "speed-up over the title/code LIKE of earlier reports: min %.0f×, geometric mean %.0f×\n", r.TitleMin, r.TitleMean)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }
