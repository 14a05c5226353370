package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sidi/internal/cli"
	"strings"
	"time"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/standards"
	"sidi/internal/store"
)

// standardsCommands are the standards registry commands (sidi standards …).
func standardsCommands() []*Command {
	return []*Command{cmdStandardsCode(), cmdStandardsSearch(), cmdStandardsImport(), cmdStandardsImportDeclarations(), cmdStandardsBench()}
}

// printJSON writes v as indented JSON, without HTML escaping.
func printJSON(w io.Writer, v any) error {
	enc := jsonLines(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func jsonLines(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

func cmdStandardsCode() *Command {
	return &Command{
		Name: "standards code", Usage: "CODE…",
		Short: "解析并规范化标准号 parse and normalise standard codes (JSON lines)",
		Long:  "每个参数输出一行 JSON：input, normalized, display, family, prefix, region, number, year, amendment, adopted, valid, error（编号与年代号连写等可修正的错误另有 suggestion）。\n支持全角字符、各种破折号、缺少空格、编号与年号之间的空格、GBT 写法、三字母行业代号（JGJ、CJJ、JTG、GBJ 等）、两位年号、/XG 修改单和 /ISO 采用标记。无法识别时 valid 为 false，退出码为 1。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("standards code", e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() == 0 {
				return usageError{Msg: "至少需要一个标准号 need at least one CODE"}
			}
			enc := jsonLines(e.Stdout)
			bad := 0
			for _, a := range fs.Args() {
				c := standards.ParseCode(a)
				if !c.Valid {
					bad++
				}
				if err := enc.Encode(c); err != nil {
					return err
				}
			}
			if bad > 0 {
				return fmt.Errorf("%d 个标准号无法识别 %d code(s) invalid", bad, bad)
			}
			return nil
		},
	}
}

func cmdStandardsSearch() *Command {
	return &Command{
		Name: "standards search", Usage: "[--limit N] [--data DIR | --db URL] QUERY",
		Short: "检索标准并输出 JSON search standards (JSON: code, title, score)",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("standards search", e)
			limit := fs.Int("limit", 20, "最多显示条数 maximum hits (1–100)")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() == 0 {
				return usageError{Msg: "需要检索词 need a QUERY"}
			}
			if err := cli.IntRange("limit", *limit, 1, 100); err != nil {
				return err
			}
			q := fs.Arg(0)
			for _, more := range fs.Args()[1:] {
				q += " " + more
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			res, err := a.Standards.Search(ctx, standards.Params{Q: q, PerPage: *limit})
			if err != nil {
				return err
			}
			type hit struct {
				Code   string `json:"code"`
				Title  string `json:"title"`
				Score  int    `json:"score"`
				Status string `json:"status"`
				ID     int64  `json:"id"`
			}
			out := struct {
				Query string `json:"query"`
				Total int    `json:"total"`
				Hits  []hit  `json:"hits"`
			}{Query: q, Total: res.Total, Hits: []hit{}}
			for _, h := range res.Hits {
				out.Hits = append(out.Hits, hit{h.Code, h.Title, h.Score, h.StatusLabel(), h.ID})
			}
			return printJSON(e.Stdout, out)
		},
	}
}

// stdoutIsTerminal reports whether w is a character device (an interactive terminal).
func stdoutIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func cmdStandardsImport() *Command {
	return &Command{
		Name: "standards import", Usage: "[--skip-invalid] [--rejects FILE] [--data DIR | --db URL] FILE.xlsx|FILE.csv",
		Short: "从 Excel/CSV 导入标准（同 sidi import standards）import standards from .xlsx or .csv",
		Long: "第一行为表头：标准号、标准名称、标准状态、发布日期、实施日期（必填），ICS、CCS、归口单位、起草单位、代替标准（可选）。\n" +
			"先校验全部行，有任何错误（按行号和列名列出）则不导入任何记录；按规范化的标准号匹配，重复导入同一文件不产生变化。\n" +
			"即 sidi import standards FILE 的别名。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("standards import", e)
			skip := fs.Bool("skip-invalid", false, "跳过错误行，导入其余行 import the valid rows, leave out the invalid ones")
			rejects := fs.String("rejects", "", "错误行写入此 CSV 文件 write the invalid rows to this CSV")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 {
				return usageError{Msg: "需要一个文件参数 need one FILE"}
			}
			return runImport(ctx, e, cfg, "standards", fs.Arg(0), kit.ImportOptions{SkipInvalid: *skip}, *rejects)
		},
	}
}

func cmdStandardsImportDeclarations() *Command {
	return &Command{
		Name: "standards import-declarations", Usage: "[--data DIR | --db URL] FILE.xlsx|FILE.csv",
		Short: "从 Excel/CSV 批量导入企业标准自我声明 import enterprise self-declarations",
		Long: "第一行为表头：" + strings.Join(standards.DeclImportColumns, "、") + "（必填），说明（可选，以“示例”开头的行跳过）。\n" +
			"每一行是一项声明中的一个产品；统一社会信用代码和标准号相同的各行为同一项声明。尚未登记的企业按企业名称自动登记。\n" +
			"先校验全部行，有任何错误（按行号、列和列名列出）则不导入任何记录，退出码为 1；\n" +
			"已有的有效声明产品相同则不变，产品不同则更新产品；重复导入同一文件不产生变化。CSV 可为 UTF-8（可带 BOM）或 GB18030。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("standards import-declarations", e)
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 {
				return usageError{Msg: "需要一个文件参数 need one FILE"}
			}
			data, err := readInput(e, fs.Arg(0))
			if err != nil {
				return err
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			res, err := a.Standards.ImportDeclarations(ctx, auth.CLI(os.Getenv("USER")), filepath.Base(fs.Arg(0)), bytes.NewReader(data))
			var rowErrs standards.DeclImportErrors
			if errors.As(err, &rowErrs) {
				for _, re := range rowErrs {
					fmt.Fprintln(e.Stderr, re.String())
				}
				return fmt.Errorf("导入失败：文件有 %d 处错误，未导入任何记录 import refused, nothing written", len(rowErrs))
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "已处理 %d 行（跳过示例 %d 行），共 %d 项声明：新增 %d，更新 %d，未变 %d；新登记企业 %d\n"+
				"rows, skipped, declarations: created, updated, unchanged; enterprises created\n",
				res.Rows, res.Skipped, res.Declarations, res.Created, res.Updated, res.Unchanged, res.EnterprisesCreated)
			return nil
		},
	}
}

func cmdStandardsBench() *Command {
	return &Command{
		Name: "standards bench", Usage: "[--records N] [--rounds N] [--like-rounds N] [--seed N] [--keep] [--reuse] [--json] [--data DIR | --db URL]",
		Short: "标准检索性能测试：生成数据、建索引、检索与 LIKE 扫描对比 benchmark the standards search",
		Long: "生成 N 条虚构的标准记录（标注【基准测试数据】），批量写入并建立检索索引，报告写入速率、索引大小、\n" +
			"一组固定查询（单字、双字、四字、多词、各种写法的标准号）的检索耗时 p50/p95/p99，\n" +
			"以及同一批查询用 LIKE '%…%' 全表扫描的耗时和倍数。\n" +
			"默认使用新建的临时数据目录（结束后删除）；用 --data 或 --db 指定时，库中只能有基准测试数据，否则拒绝运行；\n" +
			"结束后清除基准测试数据，除非给出 --keep；--reuse 沿用上次 --keep 保留的数据（须用相同的 --records 与 --seed），只测检索。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("standards bench", e)
			records := fs.Int("records", 1000000, "生成的记录数 records to generate")
			rounds := fs.Int("rounds", 20, "每个查询的计时轮数 timed rounds of the query mix")
			likeRounds := fs.Int("like-rounds", 3, "LIKE 扫描的计时轮数 timed rounds of the LIKE scans")
			seed := fs.Uint64("seed", 1, "生成器种子 generator seed")
			keep := fs.Bool("keep", false, "保留数据 keep the data afterwards")
			reuse := fs.Bool("reuse", false, "沿用保留的数据，不重新载入 measure the records kept by an earlier run")
			asJSON := fs.Bool("json", false, "以 JSON 输出报告 print the report as JSON")
			data := fs.String("data", "", "数据目录（内置 SQLite；默认新建临时目录）data directory")
			dbURL := fs.String("db", "", "PostgreSQL 地址 postgres://…")
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if *records < 1 || *records > 20000000 || *rounds < 1 || *likeRounds < 1 {
				return usageError{Msg: "--records 须在 1–20000000 之间，--rounds 与 --like-rounds 至少为 1"}
			}
			cfg := store.Config{DataDir: *data, URL: *dbURL, AuditKey: cli.AuditKey(e)}
			if cfg.URL != "" && cfg.DataDir == "" && cfg.AuditKey == nil {
				// No data directory for a key file: the benchmark's own
				// audit entries are signed with a key of this run only.
				cfg.AuditKey = make([]byte, store.AuditKeySize)
				rand.Read(cfg.AuditKey)
			}
			if cfg.URL == "" && cfg.DataDir == "" {
				dir, err := os.MkdirTemp("", "sidi-bench-")
				if err != nil {
					return err
				}
				cfg.DataDir = dir
				if !*keep {
					defer os.RemoveAll(dir)
				}
			}
			db, err := openBenchDB(ctx, cfg)
			if err != nil {
				return err
			}
			defer db.Close()
			svc := standards.NewService(db)
			fmt.Fprintf(e.Stdout, "%s; %d 条记录 records; nproc %d; %s\n", cfg.Describe(), *records, runtime.NumCPU(), runtime.Version())
			fmt.Fprintf(e.Stdout, "引擎版本 engine version: %s\n", engineVersion(ctx, db))
			rep, err := svc.RunBench(ctx, standards.BenchOptions{Records: *records, Seed: *seed, Rounds: *rounds, LikeRounds: *likeRounds, Reuse: *reuse}, e.Stdout)
			if err != nil {
				return err
			}
			if *asJSON {
				if err := printJSON(e.Stdout, rep); err != nil {
					return err
				}
			} else {
				rep.WriteReport(e.Stdout)
			}
			if !*keep {
				t := time.Now()
				if err := standards.ClearBench(ctx, db); err != nil {
					return err
				}
				fmt.Fprintf(e.Stdout, "已清除基准测试数据 benchmark records cleared (%s)\n", time.Since(t).Round(time.Second))
			}
			return nil
		},
	}
}

// openBenchDB opens the benchmark's database, refusing one that holds
// real data before anything is written to it (not even a migration).
func openBenchDB(ctx context.Context, cfg store.Config) (*store.DB, error) {
	if cfg.URL == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "sidi.db")); errors.Is(err, os.ErrNotExist) {
			return store.Open(ctx, cfg)
		}
	}
	db, err := store.OpenNoMigrate(ctx, cfg)
	if err != nil {
		return nil, err
	}
	var tables int
	q := `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'standards'`
	if db.Dialect() == store.Postgres {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'standards'`
	}
	if err := db.Reader().QueryRowContext(ctx, q).Scan(&tables); err != nil {
		db.Close()
		return nil, err
	}
	if tables > 0 {
		if _, err := standards.CheckBenchTarget(ctx, db); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func engineVersion(ctx context.Context, db *store.DB) string {
	q := `SELECT 'SQLite ' || sqlite_version()`
	if db.Dialect() == store.Postgres {
		q = `SELECT version()`
	}
	var v string
	if err := db.Reader().QueryRowContext(ctx, q).Scan(&v); err != nil {
		return err.Error()
	}
	return v
}
