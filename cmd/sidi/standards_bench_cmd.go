package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"sidi/internal/cli"
	"sidi/internal/standards"
	"sidi/internal/store"
)

// cmdStandardsBench measures the standards search (the register's other
// commands come through its module; the benchmarks stay with the binary).
func cmdStandardsBench() *cli.Command {
	return &cli.Command{
		Name: "standards bench", Usage: "[--records N] [--rounds N] [--like-rounds N] [--seed N] [--keep] [--reuse] [--json] [--data DIR | --db URL]",
		Short: "标准检索性能测试：生成数据、建索引、检索与 LIKE 扫描对比 benchmark the standards search",
		Long: "生成 N 条虚构的标准记录（标注【基准测试数据】），批量写入并建立检索索引，报告写入速率、索引大小、\n" +
			"一组固定查询（单字、双字、四字、多词、各种写法的标准号）的检索耗时 p50/p95/p99，\n" +
			"以及同一批查询用 LIKE '%…%' 全表扫描的耗时和倍数。\n" +
			"默认使用新建的临时数据目录（结束后删除）；用 --data 或 --db 指定时，库中只能有基准测试数据，否则拒绝运行；\n" +
			"结束后清除基准测试数据，除非给出 --keep；--reuse 沿用上次 --keep 保留的数据（须用相同的 --records 与 --seed），只测检索。",
		Run: func(ctx context.Context, e *cli.Env, args []string) error {
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
				return cli.UsageError{Msg: "--records 须在 1–20000000 之间，--rounds 与 --like-rounds 至少为 1"}
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
				if err := cli.PrintJSON(e.Stdout, rep); err != nil {
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
