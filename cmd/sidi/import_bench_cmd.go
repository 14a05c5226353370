package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sidi/internal/cli"
	"strings"
	"syscall"
	"time"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/standards"
	"sidi/internal/store"
)

// cmdImportBench measures `sidi import standards` on a generated file
// against the sqlite3 command line's .import of the same file into a plain
// table, in the same run.
func cmdImportBench() *Command {
	return &Command{
		Name: "bench-import", Usage: "[--rows N] [--seed N] [--batch N] [--sqlite3 PATH] [--csv FILE] [--cpuprofile FILE] [--memprofile FILE] [--data DIR | --db URL]",
		Short: "导入性能测试：生成标准目录 CSV，对比 sqlite3 .import benchmark the bulk import against sqlite3 .import",
		Long: "生成 N 行 10 列的标准目录 CSV（虚构的标准号与名称），先用 sqlite3 命令行 .import 导入一张普通表计时，\n" +
			"再用 sidi import standards 的同一路径导入（含检索文档与每批一条审计记录）并计时、记录 Go 堆峰值与进程 RSS 峰值，\n" +
			"最后再导入一次同一文件（应全部未变）。默认使用新建的临时数据目录；用 --data 或 --db 时库中不能已有标准记录，导入的数据保留。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			o, err := parseBenchFlags("bench-import", e, args, 10_000_000)
			if err != nil {
				return err
			}
			stop, err := o.profile()
			if err != nil {
				return err
			}
			defer stop()
			tmp, file, err := benchFile(e, o, "sidi-bench-import-", "standards.csv", 10, func(w io.Writer) error {
				return standards.NewGen(o.seed).WriteImportCSV(w, o.rows, time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02"))
			})
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			liteRate, liteCPURate, err := sqlite3Import(ctx, e, o.sqlite3, filepath.Join(tmp, "plain.db"), file, "standards", o.rows)
			if err != nil {
				return err
			}

			a, err := benchApp(ctx, e, o, tmp, `SELECT COUNT(*) FROM standards`, "条标准记录")
			if err != nil {
				return err
			}
			defer a.Close()
			k, _ := a.ImportKind("standards")
			p := auth.CLI("bench-import")
			for round, label := range []string{"sidi import standards", "again (same file)"} {
				heap := watchHeap(o.memprofile != "" && round == 0)
				cpu0 := cpuTime()
				t0 := time.Now()
				rep, err := k.Import(ctx, p, kit.FileSource(file), kit.ImportOptions{Batch: o.batch, Progress: stderrProgress(e.Stderr)})
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
				fmt.Fprintf(e.Stdout, "%s (%s): %.2f s, %.0f rows/s; created %d, updated %d, unchanged %d; %d batches; %s",
					label, a.DB.Dialect(), secs, rate, rep.Created, rep.Updated, rep.Unchanged, rep.Batches, heap.line())
				if liteRate > 0 && round == 0 {
					fmt.Fprintf(e.Stdout, "; %.3f× sqlite3 .import", rate/liteRate)
				}
				cpuRate := float64(rep.Rows) / max(cpu, 0.001)
				fmt.Fprintf(e.Stdout, "\n    this process's CPU time %.2f s (%.0f rows per CPU-second", cpu, cpuRate)
				if liteCPURate > 0 && round == 0 {
					fmt.Fprintf(e.Stdout, "; %.3f× sqlite3 .import per CPU-second", cpuRate/liteCPURate)
				}
				fmt.Fprintln(e.Stdout, ")")
			}
			var ru syscall.Rusage
			if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
				fmt.Fprintf(e.Stdout, "process peak RSS: %.0f MB\n", float64(ru.Maxrss)/1024)
			}
			var docs int
			a.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM search_docs WHERE kind = $1`, standards.SearchKind.Name).Scan(&docs)
			fmt.Fprintf(e.Stdout, "search documents: %d\n", docs)
			return nil
		},
	}
}

// benchOpts are the flags of the import benchmarks.
type benchOpts struct {
	rows, batch                int
	seed                       uint64
	sqlite3, keep, data, dbURL string
	cpuprofile, memprofile     string
}

// profile starts the CPU profile asked for with --cpuprofile (nothing
// when not asked); the returned function stops it.
func (o benchOpts) profile() (stop func(), err error) {
	if o.cpuprofile == "" {
		return func() {}, nil
	}
	f, err := os.Create(o.cpuprofile)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// parseBenchFlags reads the import benchmarks' flags (at most maxRows rows).
func parseBenchFlags(name string, e *Env, args []string, maxRows int) (benchOpts, error) {
	fs := cli.NewFlags(name, e)
	rows := fs.Int("rows", 100000, "生成的行数 rows to generate")
	seed := fs.Uint64("seed", 1, "生成器种子 generator seed")
	batch := fs.Int("batch", 5000, "每个事务的行数 rows per transaction")
	sqlite3 := fs.String("sqlite3", "sqlite3", "sqlite3 命令行程序 the sqlite3 shell")
	keep := fs.String("csv", "", "生成的 CSV 另存到此路径（保留）also keep the generated file here")
	data := fs.String("data", "", "数据目录（默认新建临时目录）data directory")
	dbURL := fs.String("db", "", "PostgreSQL 地址 postgres://…")
	cpuprofile := fs.String("cpuprofile", "", "CPU 采样写入此文件（go tool pprof 读取）write a CPU profile here")
	memprofile := fs.String("memprofile", "", "首轮导入 Go 堆峰值时的堆剖析写入此文件（go tool pprof -sample_index=inuse_space 读取）write the heap profile of the first import's peak here")
	if err := cli.ParseArgs(fs, args); err != nil {
		return benchOpts{}, err
	}
	if err := cli.IntRange("rows", *rows, 1, maxRows); err != nil {
		return benchOpts{}, err
	}
	if err := cli.IntRange("batch", *batch, 100, 50000); err != nil {
		return benchOpts{}, err
	}
	return benchOpts{rows: *rows, batch: *batch, seed: *seed, sqlite3: *sqlite3, keep: *keep, data: *data, dbURL: *dbURL, cpuprofile: *cpuprofile, memprofile: *memprofile}, nil
}

// benchFile writes the generated file name into a new temporary directory
// (and to o.keep when set) and prints its size; the caller removes tmp.
func benchFile(e *Env, o benchOpts, prefix, name string, cols int, write func(io.Writer) error) (tmp, file string, err error) {
	tmp, err = os.MkdirTemp("", prefix)
	if err != nil {
		return "", "", err
	}
	file = filepath.Join(tmp, name)
	f, err := os.Create(file)
	if err == nil {
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil && o.keep != "" {
		err = copyFile(file, o.keep)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return "", "", err
	}
	st, _ := os.Stat(file)
	fmt.Fprintf(e.Stdout, "file: %d rows, %d columns, %.1f MB\n", o.rows, cols, float64(st.Size())/(1<<20))
	return tmp, file, nil
}

// benchApp opens the benchmark's database (a new one in tmp unless
// --data or --db names one) and refuses one where count finds records
// already (noun names them: "件商标").
func benchApp(ctx context.Context, e *Env, o benchOpts, tmp, count, noun string) (*app, error) {
	dir := o.data
	if dir == "" {
		dir = filepath.Join(tmp, "data")
	}
	a, err := openApp(ctx, store.Config{DataDir: dir, URL: o.dbURL, AuditKey: cli.AuditKey(e)})
	if err != nil {
		return nil, err
	}
	var existing int
	if err := a.DB.Reader().QueryRowContext(ctx, count).Scan(&existing); err != nil {
		a.Close()
		return nil, err
	}
	if existing > 0 {
		a.Close()
		return nil, fmt.Errorf("库中已有 %d %s，请使用空的数据目录或数据库 the database must be empty of them", existing, noun)
	}
	return a, nil
}

// sqlite3Import times the sqlite3 shell's .import of file into a plain
// table of a new database at db and prints the line of the benchmarks; it
// returns the rows per second of wall and of CPU time (0 when the shell
// is not there).
func sqlite3Import(ctx context.Context, e *Env, shell, db, file, table string, rows int) (rate, cpuRate float64, err error) {
	path, err := exec.LookPath(shell)
	if err != nil {
		fmt.Fprintf(e.Stdout, "sqlite3 .import: not measured (%s not found)\n", shell)
		return 0, 0, nil
	}
	cmd := exec.CommandContext(ctx, path, db)
	cmd.Stdin = strings.NewReader(".mode csv\n.import " + file + " " + table + "\nSELECT COUNT(*) FROM " + table + ";\n")
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	secs := time.Since(t0).Seconds()
	if err != nil {
		return 0, 0, fmt.Errorf("sqlite3 .import: %v: %s", err, out)
	}
	rate = float64(rows) / secs
	cpu := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	cpuRate = float64(rows) / max(cpu, 0.001)
	fmt.Fprintf(e.Stdout, "sqlite3 .import (plain table): %.2f s, %.0f rows/s (count %s); CPU time %.2f s (%.0f rows per CPU-second)\n",
		secs, rate, strings.TrimSpace(string(out)), cpu, cpuRate)
	return rate, cpuRate, nil
}

// cpuTime is the user and system time this process has used, in seconds.
func cpuTime() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		return fmt.Errorf("写入 %s 失败: %w", to, err)
	}
	return nil
}
