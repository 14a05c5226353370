package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"sidi/internal/auth"
	"sidi/internal/ip/trademark"
	"sidi/internal/kit"
	"sidi/internal/search"
)

// cmdTrademarkBench measures `sidi import trademarks` on a generated file
// against the sqlite3 shell's .import of the same file, in the same run,
// and the as-of count of the register.
func cmdTrademarkBench() *Command {
	return &Command{
		Name: "bench-trademarks", Usage: "[--rows N] [--seed N] [--batch N] [--sqlite3 PATH] [--csv FILE] [--cpuprofile FILE] [--memprofile FILE] [--data DIR | --db URL] [--no-drain]",
		Short: "商标导入与按日统计性能测试 benchmark the trademark import and the as-of count",
		Long: "生成 N 行商标注册 CSV（虚构的注册号与注册人，14 列），先用 sqlite3 命令行 .import 导入一张普通表计时，\n" +
			"再用 sidi import trademarks 导入（含企业名录、状态历史、按日计数与每批一条审计记录）并计时，再导入一次同一文件（应全部未变），\n" +
			"再导入前十分之一注册号的另一份内容（更新），\n" +
			"最后对 20 个日期计时“截至某日全省有效注册商标”统计（按日增量表），并与直接扫描商标表的结果核对，再建全文索引并计时（--no-drain 时不建）。\n" +
			"库中不能已有商标记录。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			drain := !slices.Contains(args, "--no-drain")
			args = slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "--no-drain" })
			o, err := parseBenchFlags("bench-trademarks", e, args, trademark.MaxRows)
			if err != nil {
				return err
			}
			stop, err := o.profile()
			if err != nil {
				return err
			}
			defer stop()
			tmp, file, err := benchFile(e, o, "sidi-bench-trademarks-", "trademarks.csv", len(trademark.ImportColumns), func(w io.Writer) error {
				return trademark.NewGen(o.seed).WriteCSV(w, o.rows)
			})
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			liteRate, liteCPURate, err := sqlite3Import(ctx, e, o.sqlite3, filepath.Join(tmp, "plain.db"), file, "trademarks", o.rows)
			if err != nil {
				return err
			}
			a, err := benchApp(ctx, e, o, tmp, `SELECT COUNT(*) FROM trademarks`, "件商标")
			if err != nil {
				return err
			}
			defer a.Close()
			p := auth.CLI("bench-trademarks")
			err = benchImportRounds(e, o, "sidi import trademarks", a.DB.Dialect(), liteRate, liteCPURate, func() (kit.ImportReport, error) {
				defer printPeakRSS(e, "before this round's report")
				return a.Trademarks.Import(ctx, p, kit.FileSource(file), kit.ImportOptions{Batch: o.batch, Progress: stderrProgress(e.Stderr)})
			})
			if err != nil {
				return err
			}
			// A delta onto the full register (the batch path): the first
			// tenth of the registration numbers again, with other contents.
			delta := filepath.Join(tmp, "delta.csv")
			if err := writeFile(delta, func(w io.Writer) error { return trademark.NewGen(o.seed+1).WriteCSV(w, max(o.rows/10, 1)) }); err != nil {
				return err
			}
			t0, c0 := time.Now(), cpuTime()
			rep, err := a.Trademarks.Import(ctx, p, kit.FileSource(delta), kit.ImportOptions{Batch: o.batch})
			if err != nil {
				return err
			}
			printPeakRSS(e, "after the delta")
			fmt.Fprintf(e.Stdout, "delta onto the full register (%d rows of another seed, same registration numbers) (%s): %.2f s, %.0f rows/s; created %d, updated %d, unchanged %d; CPU %.2f s\n",
				rep.Rows, a.DB.Dialect(), time.Since(t0).Seconds(), float64(rep.Rows)/max(time.Since(t0).Seconds(), 0.001), rep.Created, rep.Updated, rep.Unchanged, cpuTime()-c0)
			var marks, days int
			a.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM trademarks`).Scan(&marks)
			a.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM trademark_daily`).Scan(&days)
			var took []time.Duration
			var mismatch []string
			for i := range 20 {
				day := time.Date(2001+i, time.Month(1+i%12), 1+i, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
				t0 := time.Now()
				n, err := a.Trademarks.Count(ctx, trademark.SeriesQinghai, day)
				took = append(took, time.Since(t0))
				if err != nil {
					return err
				}
				if i%5 == 0 {
					t1 := time.Now()
					scan, err := a.Trademarks.CountScan(ctx, trademark.SeriesQinghai, day)
					if err != nil {
						return err
					}
					fmt.Fprintf(e.Stdout, "as of %s: %d valid Qinghai marks (day deltas); table scan %d in %.1f ms\n", day, n, scan, float64(time.Since(t1).Microseconds())/1000)
					if scan != n {
						mismatch = append(mismatch, day)
					}
				}
			}
			slices.Sort(took)
			fmt.Fprintf(e.Stdout, "as-of count over %d marks (%d day-delta rows), 20 dates: median %.2f ms, max %.2f ms\n", marks, days,
				float64(took[len(took)/2].Microseconds())/1000, float64(took[len(took)-1].Microseconds())/1000)
			if len(mismatch) > 0 {
				return fmt.Errorf("day deltas differ from the table scan on %v", mismatch)
			}
			printPeakRSS(e, "imports and counts")
			if load, err := os.ReadFile("/proc/loadavg"); err == nil {
				fmt.Fprintf(e.Stdout, "load average: %s", load)
			}
			if !drain {
				return nil
			}
			// The catalogue's full-text index, built after the import
			// (what `sidi import` and the server do), timed on its own.
			t0, c0 = time.Now(), cpuTime()
			n, err := search.Drain(ctx, a.DB, a.Trademarks.SearchSource(), 0)
			if err != nil {
				return err
			}
			d := time.Since(t0)
			fmt.Fprintf(e.Stdout, "search index after the import: %d marks in %.2f s (%.0f marks/s), this process's CPU %.2f s\n", n, d.Seconds(), float64(n)/max(d.Seconds(), 0.001), cpuTime()-c0)
			return nil
		},
	}
}

// writeFile creates path with what write writes.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// printPeakRSS prints the process's peak resident set so far.
func printPeakRSS(e *Env, what string) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		fmt.Fprintf(e.Stdout, "process peak RSS so far (%s): %.0f MB\n", what, float64(ru.Maxrss)/1024)
	}
}
