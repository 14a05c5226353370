package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/quality/sampling"
	"sidi/internal/store"
)

// cmdSamplingBench measures `sidi import sampling_batches` on a generated
// file against the sqlite3 shell's .import of the same file, in the same
// run, then the same file again (all unchanged) and the as-of count of
// completed batches.
func cmdSamplingBench() *Command {
	return &Command{
		Name: "bench-sampling", Usage: "[--rows N] [--seed N] [--batch N] [--sqlite3 PATH] [--csv FILE] [--cpuprofile FILE] [--memprofile FILE] [--data DIR | --db URL]",
		Short: "抽样批次导入性能测试 benchmark the sampling-batch import",
		Long: "生成 N 行产品质量监督抽查批次 CSV（虚构的抽样单与企业，18 列，2 万家企业），先用 sqlite3 命令行 .import 导入一张普通表计时，\n" +
			"再用 sidi import sampling_batches 导入（含逐行校验、企业名录、每批一条审计记录）并计时，再导入一次同一文件（应全部未变），\n" +
			"最后计时“截至某日累计完成批次”统计。库中不能已有抽样批次。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			o, err := parseBenchFlags("bench-sampling", e, args, sampling.MaxRows)
			if err != nil {
				return err
			}
			stop, err := o.profile()
			if err != nil {
				return err
			}
			defer stop()
			today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
			tmp, file, err := benchFile(e, o, "sidi-bench-sampling-", "sampling.csv", len(sampling.BatchColumns), func(w io.Writer) error {
				return (&sampling.Gen{Seed: o.seed, Today: today, FromYear: 2021, Prefix: "B"}).WriteCSV(w, o.rows)
			})
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			liteRate, liteCPURate, err := sqlite3Import(ctx, e, o.sqlite3, filepath.Join(tmp, "plain.db"), file, "sampling_batches", o.rows)
			if err != nil {
				return err
			}
			a, err := benchApp(ctx, e, o, tmp, `SELECT COUNT(*) FROM sampling_batches`, "个抽样批次")
			if err != nil {
				return err
			}
			defer a.Close()
			p := auth.CLI("bench-sampling")
			err = benchImportRounds(e, o, "sidi import sampling_batches", a.DB.Dialect(), liteRate, liteCPURate, func() (kit.ImportReport, error) {
				return a.Sampling.Import(ctx, p, kit.FileSource(file), kit.ImportOptions{Batch: o.batch, Progress: stderrProgress(e.Stderr)})
			})
			if err != nil {
				return err
			}
			for _, day := range []string{"2022-06-30", "2024-12-31", today} {
				t0 := time.Now()
				var n int
				if err := a.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM sampling_batches WHERE done_on <> '' AND done_on <= $1`, day).Scan(&n); err != nil {
					return err
				}
				fmt.Fprintf(e.Stdout, "completed batches as of %s: %d (%.1f ms)\n", day, n, float64(time.Since(t0).Microseconds())/1000)
			}
			return nil
		},
	}
}

// benchImportRounds imports a generated file twice (then the same file
// again, which must change nothing) and prints each round's rate, with the
// first round's ratio to the sqlite3 shell's .import of the same file.
func benchImportRounds(e *Env, o benchOpts, label string, dialect store.Dialect, liteRate, liteCPURate float64, run func() (kit.ImportReport, error)) error {
	for round, l := range []string{label, "again (same file)"} {
		heap := watchHeap(o.memprofile != "" && round == 0)
		cpu0 := cpuTime()
		t0 := time.Now()
		rep, err := run()
		secs := time.Since(t0).Seconds()
		cpu := cpuTime() - cpu0
		heap.end()
		if err != nil {
			return err
		}
		if round == 0 {
			if err := heap.writeProfile(o.memprofile); err != nil {
				return err
			}
		}
		rate := float64(rep.Rows) / secs
		fmt.Fprintf(e.Stdout, "%s (%s): %.2f s, %.0f rows/s; created %d, updated %d, unchanged %d; %d batches; %s", l, dialect, secs, rate,
			rep.Created, rep.Updated, rep.Unchanged, rep.Batches, heap.line())
		if liteRate > 0 && round == 0 {
			fmt.Fprintf(e.Stdout, "; %.3f× sqlite3 .import", rate/liteRate)
		}
		fmt.Fprintf(e.Stdout, "\n    this process's CPU %.2f s", cpu)
		if liteCPURate > 0 && round == 0 {
			fmt.Fprintf(e.Stdout, " (%.3f× sqlite3 .import per CPU-second)", float64(rep.Rows)/max(cpu, 0.001)/liteCPURate)
		}
		fmt.Fprintln(e.Stdout)
	}
	return nil
}
