package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"sidi/internal/auth"
	"sidi/internal/inspect"
	"sidi/internal/kit"
	"sidi/internal/store"
)

// benchInspectors is the size of the generated inspector library.
const benchInspectors = 3000

// cmdDrawBench measures the entity import against the sqlite3 shell's
// .import of the same file, a draw over the whole library with avoidance
// against merely reading the candidate ids, and the verification.
func cmdDrawBench() *Command {
	return &Command{
		Name: "bench-draws", Usage: "[--rows N] [--sqlite3 PATH] [--csv FILE] [--cpuprofile FILE] [--memprofile FILE] [--data DIR | --db URL]",
		Short: "检查对象导入与双随机抽取性能测试 benchmark the entity import, a draw and its verification",
		Long: "生成 N 户检查对象（虚构，信用代码校验位正确）和 3,000 名执法检查人员（部分声明回避），先用 sqlite3 命令行 .import 导入同一文件计时，" +
			"再用 sidi import entities 导入计时；然后读取全部候选 ID 计时（基准），按 A 0.03、B 0.05、C 0.1、D 1 抽取并分配两人检查组（含回避）计时，最后复算记录计时。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			o, err := parseBenchFlags("bench-draws", e, args, kit.DefaultMaxRows)
			if err != nil {
				return err
			}
			stop, err := o.profile()
			if err != nil {
				return err
			}
			defer stop()
			tmp, file, err := benchFile(e, o, "sidi-bench-draws-", "entities.csv", len(inspect.EntityColumns), func(w io.Writer) error {
				return inspect.WriteEntities(w, o.rows, false)
			})
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			liteRate, liteCPURate, err := sqlite3Import(ctx, e, o.sqlite3, filepath.Join(tmp, "plain.db"), file, "entities", o.rows)
			if err != nil {
				return err
			}
			a, err := benchApp(ctx, e, o, tmp, `SELECT COUNT(*) FROM inspect_entities`, "户检查对象")
			if err != nil {
				return err
			}
			defer a.Close()
			p := auth.CLI("bench-draws")
			// The first load into the empty library, then the same file
			// again (every row unchanged: the lookup path).
			err = benchImportRounds(e, o, "sidi import entities", a.DB.Dialect(), liteRate, liteCPURate, func() (kit.ImportReport, error) {
				return a.Inspect.ImportEntities(ctx, p, kit.FileSource(file), kit.ImportOptions{Batch: o.batch, Progress: stderrProgress(e.Stderr)})
			})
			if err != nil {
				return err
			}
			var ins strings.Builder
			if err := inspect.WriteInspectors(&ins, benchInspectors, o.rows, false); err != nil {
				return err
			}
			items := "事项编码,事项名称,检查对象,法律依据,检查方式,类别\nBENCH-01,特种设备使用单位安全管理情况的检查,特种设备使用单位,《特种设备安全法》,现场检查,重点\n"
			for _, f := range []struct {
				name, body string
				imp        func(context.Context, auth.Principal, kit.Source, kit.ImportOptions) (kit.ImportReport, error)
			}{{"inspectors.csv", ins.String(), a.Inspect.ImportInspectors}, {"items.csv", items, a.Inspect.ImportItems}} {
				if _, err := f.imp(ctx, p, kit.BytesSource(f.name, []byte(f.body)), kit.ImportOptions{}); err != nil {
					return err
				}
			}
			readIDs := func() (time.Duration, int, error) {
				t0 := time.Now()
				n := 0
				var ids []string
				err := store.EachRow(ctx, a.DB.Reader(), inspect.CandidatesSQL, []any{"63%"}, func(r *sql.Rows) error {
					var c, k, kc, t string
					n++
					err := r.Scan(&c, &k, &kc, &t)
					ids = append(ids, c)
					return err
				})
				return time.Since(t0), n, err
			}
			base, n, err := readIDs()
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "reading the %d candidate ids: %.2f s\n", n, base.Seconds())
			// For comparison only (the goal's baseline is the single read
			// above): the same read split into id ranges on one reader
			// connection per CPU, as the freeze reads on SQLite.
			if a.DB.Dialect() == store.SQLite {
				parts := max(1, min(4, runtime.GOMAXPROCS(0)))
				t0 := time.Now()
				var wg sync.WaitGroup
				counts := make([]int, parts)
				errs := make([]error, parts)
				step := n/parts + 1
				for i := range parts {
					wg.Go(func() {
						errs[i] = store.EachRow(ctx, a.DB.Reader(), inspect.CandidatesSQL+` AND id >= $2 AND id < $3`, []any{"63%", 1 + i*step, 1 + (i+1)*step}, func(r *sql.Rows) error {
							var c, k, kc, t string
							counts[i]++
							return r.Scan(&c, &k, &kc, &t)
						})
					})
				}
				wg.Wait()
				if err := errors.Join(errs...); err != nil {
					return err
				}
				fmt.Fprintf(e.Stdout, "reading them in %d id ranges at once (%d rows): %.2f s\n", parts, sumInts(counts), time.Since(t0).Seconds())
			}
			task := inspect.Task{Name: "bench", Items: []string{"BENCH-01"}, Scope: inspect.Scope{RegionPrefix: "63"},
				Ratios: map[string]inspect.Ratio{"A": 30_000, "B": 50_000, "C": 100_000, "D": 1_000_000}, TeamSize: 2}
			t0 := time.Now()
			rec, err := a.Inspect.Freeze(ctx, task)
			if err != nil {
				return err
			}
			freeze := time.Since(t0)
			seed, _ := inspect.NewSeed()
			t1 := time.Now()
			if _, err := inspect.Compute(task, seed, rec.Candidates, rec.Inspectors, rec.Last); err != nil {
				return err
			}
			compute := time.Since(t1)
			fmt.Fprintf(e.Stdout, "draw without storing: freeze (read, check characters, sort, hash) %.2f s + draw and teams %.2f s = %.2f s, %.2f× reading the ids\n",
				freeze.Seconds(), compute.Seconds(), (freeze + compute).Seconds(), (freeze+compute).Seconds()/base.Seconds())
			// Three rounds of (read the ids, draw and store), each compared
			// with the read just before it: the page cache and the machine's
			// load move both alike.
			var runs, reads []time.Duration
			for round := 1; round <= 3; round++ {
				read, _, err := readIDs()
				if err != nil {
					return err
				}
				t0 = time.Now()
				var steps []string
				phase := func(step string, d time.Duration) { steps = append(steps, fmt.Sprintf("%s %.2f s", step, d.Seconds())) }
				if rec, err = a.Inspect.Run(ctx, p, task, inspect.RunOptions{Phase: phase}); err != nil {
					return err
				}
				run := time.Since(t0)
				runs, reads = append(runs, run), append(reads, read)
				fmt.Fprintf(e.Stdout, "round %d: reading the ids %.2f s; sidi draw run (freeze, commit, draw, store record and %d assignments; %d entities with last time's team) %.2f s, %.2f× (%s)\n",
					round, read.Seconds(), len(rec.Result.Assignments), len(rec.Last), run.Seconds(), run.Seconds()/read.Seconds(), strings.Join(steps, ", "))
			}
			slices.Sort(runs)
			slices.Sort(reads)
			fmt.Fprintf(e.Stdout, "median of 3: reading the ids %.2f s, draw run %.2f s, %.2f×\n", reads[1].Seconds(), runs[1].Seconds(), runs[1].Seconds()/reads[1].Seconds())
			out := filepath.Join(tmp, "record.json")
			b, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, b, 0o644); err != nil {
				return err
			}
			t0 = time.Now()
			body, err := os.ReadFile(out)
			if err != nil {
				return err
			}
			back, err := inspect.ReadRecord(body)
			if err != nil {
				return err
			}
			if err := inspect.Verify(back); err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "sidi draw verify (read %.1f MB record, recompute): %.2f s, identical\n", float64(len(body))/1e6, time.Since(t0).Seconds())
			for _, s := range rec.Result.Strata {
				fmt.Fprintf(e.Stdout, "  class %s: %d candidates, ratio %s, drawn %d\n", s.Class, s.Candidates, s.Ratio, s.Drawn)
			}
			return nil
		},
	}
}

func sumInts(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}
