package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"net/url"
	"sidi/internal/cli"
	"strconv"
	"strings"
	"time"

	"sidi/internal/audit"
	"sidi/internal/store"
)

// checkpointInterval is how often a running server records the chain heads
// (when they moved) in the checkpoint file.
const checkpointInterval = 10 * time.Minute

// auditCommands verify and checkpoint the audit trail.
func auditCommands() []*Command {
	return []*Command{cmdAuditCheckpoint(), cmdAuditCheckpoints()}
}

// ownerFlag adds --migrate-db: the table owner's URL, for migrations only.
func ownerFlag(fs *flag.FlagSet, e *Env) func() string {
	u := fs.String("migrate-db", "", "以表所有者身份迁移的 PostgreSQL 地址（默认取 SIDI_DB_OWNER）；服务本身以 --db 的角色运行 owner URL for migrations")
	return func() string {
		if *u == "" && e.Getenv != nil {
			return e.Getenv("SIDI_DB_OWNER")
		}
		return *u
	}
}

// migrateAsOwner applies the migrations as the tables' owner and grants the
// server's role (SIDI_DB_APP_ROLE, or the user of --db) what it needs and
// no more; the server then connects as that role.
func migrateAsOwner(ctx context.Context, e *Env, cfg store.Config, ownerURL string) error {
	if ownerURL == "" {
		return nil
	}
	if cfg.URL == "" {
		return usageError{Msg: "--migrate-db 仅与 --db（PostgreSQL）同用 --migrate-db needs --db"}
	}
	role := ""
	if e.Getenv != nil {
		role = e.Getenv("SIDI_DB_APP_ROLE")
	}
	if role == "" {
		if u, err := url.Parse(cfg.URL); err == nil && u.User != nil {
			role = u.User.Username()
		}
	}
	if role == "" {
		return usageError{Msg: "无法从 --db 地址得知服务角色，请设置 SIDI_DB_APP_ROLE cannot tell the server's role"}
	}
	owner := cfg
	owner.URL = ownerURL
	db, err := store.OpenNoMigrate(ctx, owner)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := db.GrantAppRole(ctx, role); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "已以表所有者身份迁移并授权服务角色 %s migrated as the owner, granted %s\n", role, role)
	return nil
}

// serveApp serves a until ctx ends, checkpointing the chain heads meanwhile.
func serveApp(ctx context.Context, e *Env, a *app, o serveOptions) error {
	if a.DB.Dialect() == store.Postgres {
		rs, err := a.DB.Roles(ctx)
		if err != nil {
			return err
		}
		if rs.CurrentIsOwner || rs.Superuser {
			fmt.Fprintf(e.Stderr, "警告 warning: 服务以表所有者身份运行（%s），能连接数据库的人可删改审计日志的触发器；请以非所有者角色连接 --db，迁移用 --migrate-db（见 sidi migrate --grant） the server runs as the tables' owner or a superuser\n", rs.Current)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		audit.RunCheckpoints(cctx, a.DB, checkpointInterval, func(err error) {
			fmt.Fprintf(e.Stderr, "审计检查点 checkpoint: %v\n", err)
		})
	}()
	indexed := make(chan struct{})
	go func() {
		defer close(indexed)
		drainSearch(cctx, a, searchDrainInterval, func(err error) {
			fmt.Fprintf(e.Stderr, "检索索引 search index: %v\n", err)
		})
	}()
	describeProxies(e, o.proxies)
	err := listenAndServe(ctx, e, o, a.server(o).Handler(), a.Obs.Handler())
	cancel()
	<-done
	<-indexed
	return err
}

// searchDrainInterval is how often the server indexes what imports left
// waiting for the search index.
const searchDrainInterval = 10 * time.Second

// drainSearch indexes the records waiting for the search index at once
// and then every interval, until ctx ends (a drain cut short resumes at
// the next start: the list is in the database).
func drainSearch(ctx context.Context, a *app, interval time.Duration, report func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := a.DrainSearch(ctx); err != nil && ctx.Err() == nil {
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func cmdAuditVerify() *Command {
	return &Command{
		Name: "audit verify", Usage: "[--json] [--data DIR | --db URL]",
		Short: "校验审计日志与登录日志 verify the audit and login chains",
		Long: "分项报告：(a) 审计链链接；(b) 记录完整性（密钥 HMAC，密钥启用前的旧记录为 SHA-256）；(c) 检查点（截断、尾部改写）；\n" +
			"(d) 登录日志链；(e) PostgreSQL 上服务角色是否拥有表。任一项未通过即以非零状态退出，并指明是哪一项。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("audit verify", e)
			asJSON := fs.Bool("json", false, "以 JSON 输出 print the report as JSON")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			db, err := store.Open(ctx, cfg())
			if err != nil {
				return err
			}
			defer db.Close()
			rep, err := audit.VerifyAll(ctx, db)
			if err != nil {
				return err
			}
			if *asJSON {
				if err := cli.PrintJSON(e.Stdout, rep); err != nil {
					return err
				}
			} else {
				for _, c := range rep.Checks {
					mark := "通过 PASS"
					switch {
					case !c.OK:
						mark = "失败 FAIL"
					case c.Warning:
						mark = "警告 WARN"
					}
					fmt.Fprintf(e.Stdout, "%s  %s\n    %s\n", mark, c.Label, c.Detail)
				}
				fmt.Fprintf(e.Stdout, "审计链头 audit head: %s；登录链头 login head: %s\n", rep.Audit.Short(), rep.Login.Short())
			}
			if failed := rep.Failed(); len(failed) > 0 {
				return fmt.Errorf("审计校验未通过 verification FAILED: %s", strings.Join(failed, ", "))
			}
			if !*asJSON {
				fmt.Fprintf(e.Stdout, "审计链完好 OK: %d 条记录、%d 条登录记录 records verified\n", rep.Records, rep.Logins)
			}
			return nil
		},
	}
}

func cmdAuditCheckpoint() *Command {
	return &Command{
		Name: "audit checkpoint", Usage: "[--data DIR | --db URL]",
		Short: "记录审计链与登录链的当前链头 record the chain heads in the checkpoint file",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("audit checkpoint", e)
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			db, err := store.Open(ctx, cfg())
			if err != nil {
				return err
			}
			defer db.Close()
			cps, err := audit.WriteCheckpoint(ctx, db, "cli")
			if err != nil {
				return err
			}
			for _, c := range cps {
				fmt.Fprintf(e.Stdout, "已记录检查点 checkpoint %s: %s\n", c.Chain, audit.ChainHead{Seq: c.Seq, Hash: c.Hash}.Short())
			}
			return nil
		},
	}
}

func cmdAuditCheckpoints() *Command {
	return &Command{
		Name: "audit checkpoints", Usage: "[--format csv|json] [--data DIR | --db URL]",
		Short: "导出审计检查点 export the checkpoints",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("audit checkpoints", e)
			format := fs.String("format", "csv", "csv 或 json")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if *format != "csv" && *format != "json" {
				return usageError{Msg: "--format 只能是 csv 或 json"}
			}
			db, err := store.OpenNoMigrate(ctx, cfg())
			if err != nil {
				return err
			}
			defer db.Close()
			cps, err := audit.ReadCheckpoints(db)
			if err != nil {
				return err
			}
			if *format == "json" {
				if cps == nil {
					cps = []audit.Checkpoint{}
				}
				return cli.PrintJSON(e.Stdout, cps)
			}
			w := csv.NewWriter(e.Stdout)
			w.Write([]string{"line", "at", "chain", "seq", "hash", "legacy_through", "source", "valid"})
			for _, c := range cps {
				w.Write([]string{strconv.Itoa(c.Line), c.At, c.Chain, strconv.FormatInt(c.Seq, 10), c.Hash, strconv.FormatInt(c.Legacy, 10), c.Source, strconv.FormatBool(c.Valid)})
			}
			w.Flush()
			return w.Error()
		},
	}
}
