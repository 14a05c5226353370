package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"sidi/internal/cli"
	"strconv"
	"strings"
	"time"

	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/demo"
	"sidi/internal/plan"
	"sidi/internal/progress"
	"sidi/internal/services"
	"sidi/internal/store"
	"sidi/internal/web"
)

// proxyList collects --trusted-proxy values; the flag may be repeated and
// each value may list several CIDRs separated by commas.
type proxyList []string

func (l *proxyList) String() string { return strings.Join(*l, ",") }

func (l *proxyList) Set(v string) error {
	if _, err := web.ParseTrustedProxies(v); err != nil {
		return err
	}
	*l = append(*l, v)
	return nil
}

// proxyFlags adds --trusted-proxy; the result falls back to
// SIDI_TRUSTED_PROXY when the flag is not given.
func proxyFlags(fs *flag.FlagSet, e *Env) func() ([]netip.Prefix, error) {
	var l proxyList
	fs.Var(&l, "trusted-proxy", "可信反向代理 CIDR，可重复或以逗号分隔（默认取 SIDI_TRUSTED_PROXY）；只信任这些地址发来的 X-Forwarded-For / X-Forwarded-Proto trusted reverse proxies")
	return func() ([]netip.Prefix, error) {
		vals := []string(l)
		if len(vals) == 0 && e.Getenv != nil {
			if v := e.Getenv("SIDI_TRUSTED_PROXY"); v != "" {
				vals = []string{v}
			}
		}
		ps, err := web.ParseTrustedProxies(vals...)
		if err != nil {
			return nil, usageError{Msg: "SIDI_TRUSTED_PROXY: " + err.Error()}
		}
		return ps, nil
	}
}

// app is the wired set of services a command works with.
type app struct{ *services.Set }

func openApp(ctx context.Context, cfg store.Config) (*app, error) {
	db, err := store.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	set, err := services.New(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	// A search index left stale (an interrupted load, a database of an
	// earlier release) is rebuilt here, before any request.
	if err := set.Standards.EnsureIndex(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := audit.CheckpointIfMoved(ctx, db, "start"); err != nil {
		db.Close()
		return nil, err
	}
	return &app{set}, nil
}

// Close records the chain heads (when they moved) and closes the database.
func (a *app) Close() error {
	_, err := audit.CheckpointIfMoved(context.Background(), a.DB, "stop")
	return errors.Join(err, a.DB.Close())
}

func (a *app) server(o serveOptions) *web.Server {
	d := a.WebDeps()
	d.Logger, d.MetricsToken = o.logger, o.metricsToken
	s := web.New(d)
	s.TrustedProxies = o.proxies
	return s
}

// describeProxies says on start-up whose forwarded headers are believed.
func describeProxies(e *Env, ps []netip.Prefix) {
	if len(ps) == 0 {
		return
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.String()
	}
	fmt.Fprintf(e.Stdout, "可信反向代理 trusted proxies: %s\n", strings.Join(names, ", "))
}

func cmdServe() *Command {
	return &Command{
		Name: "serve", Usage: "[--addr HOST:PORT] [--tls-cert FILE --tls-key FILE] [--trusted-proxy CIDR,…] [--log-format text|json] [--log-level LEVEL] [--metrics-addr HOST:PORT] [--shutdown-timeout 10s] [--mqtt-listen HOST:PORT [--devices FILE]] [--data DIR | --db URL [--migrate-db OWNER-URL]]",
		Short: "启动 Web 服务 start the web server",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("serve", e)
			addr := fs.String("addr", "127.0.0.1:8080", "监听地址 listen address")
			cfg := cli.Storage(fs, e)
			trusted := proxyFlags(fs, e)
			owner := ownerFlag(fs, e)
			ops := opsFlags(fs, e)
			mqttListen := mqttListenFlag(fs, "")
			registry := deviceFlags(fs)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			maddr, err := mqttListen()
			if err != nil {
				return err
			}
			proxies, err := trusted()
			if err != nil {
				return err
			}
			so, err := ops(*addr, proxies)
			if err != nil {
				return err
			}
			if err := migrateAsOwner(ctx, e, cfg(), owner()); err != nil {
				return err
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			fmt.Fprintf(e.Stdout, "数据 storage: %s\n", cfg().Describe())
			if demo, err := a.Auth.ActiveDemoAccounts(ctx); err != nil {
				return err
			} else if len(demo) > 0 {
				fmt.Fprintf(e.Stderr, "警告 warning: 数据库中有 %d 个演示账号（密码公开），sidi serve 拒绝其登录；请运行 %s 停用它们 "+
					"%d demo accounts with a published password exist; they cannot sign in under serve; disable them with: %s\n",
					len(demo), auth.RemoveDemoCommand, len(demo), auth.RemoveDemoCommand)
			}
			if maddr != "" {
				reg, err := registry()
				if err != nil {
					return err
				}
				observers, stopObservers, err := startObservers(ctx, a, so.logger, true)
				if err != nil {
					return err
				}
				defer stopObservers()
				tel, err := startEmbeddedTelemetry(ctx, e, maddr, registryOr(reg, a), a.DB, a.Obs, observers, nil, so.logger)
				if err != nil {
					return err
				}
				defer tel.stop()
			}
			return serveApp(ctx, e, a, so)
		},
	}
}

func cmdDemo() *Command {
	return &Command{
		Name: "demo", Usage: "[--addr HOST:PORT] [--tls-cert FILE --tls-key FILE] [--trusted-proxy CIDR,…] [--log-format text|json] [--log-level LEVEL] [--metrics-addr HOST:PORT] [--shutdown-timeout 10s] [--mqtt-listen HOST:PORT] [--sim-devices N] [--sim-interval 5s] [--sim-seed N] [--data DIR | --db URL] [--no-serve]",
		Short: "演示：导入真实方案与标注的演示数据并启动 run the demo (real plan + labelled demo data)",
		Long: "在数据目录中导入并审核通过真实的工作方案文本，创建各角色的演示账号（名称均带“演示”字样），然后启动 Web 服务。\n" +
			"对已有数据目录再次运行时沿用已有数据，不会重复导入。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("demo", e)
			addr := fs.String("addr", "127.0.0.1:8080", "监听地址 listen address")
			noServe := fs.Bool("no-serve", false, "只准备数据，不启动服务 prepare data only")
			asOf := fs.String("as-of", "auto", "进展页面默认查看日期：auto（方案已到期时取实施期内最后一个报送期限的次日）、today 或 YYYY-MM-DD  default date of the progress pages")
			cfg := cli.Storage(fs, e)
			trusted := proxyFlags(fs, e)
			ops := opsFlags(fs, e)
			mqttListen := mqttListenFlag(fs, "127.0.0.1:1884")
			simDevices := fs.Int("sim-devices", 300, "遥测模拟器的演示设备数（0 为不模拟）demo devices the telemetry simulator publishes for")
			simInterval := fs.Duration("sim-interval", 5*time.Second, "每台设备的发布间隔 publish interval per device")
			simSeed := fs.Uint64("sim-seed", 1, "模拟器随机种子（相同种子得到相同数据）simulator seed")
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			maddr, err := mqttListen()
			if err != nil {
				return err
			}
			if err := cli.IntRange("sim-devices", *simDevices, 0, 5000); err != nil {
				return err
			}
			if *simInterval < 100*time.Millisecond || *simInterval > time.Hour {
				return usageError{Msg: "--sim-interval 须在 100ms 到 1h 之间"}
			}
			proxies, err := trusted()
			if err != nil {
				return err
			}
			so, err := ops(*addr, proxies)
			if err != nil {
				return err
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			fmt.Fprintf(e.Stdout, "数据 storage: %s\n", cfg().Describe())
			if err := seedDemo(ctx, e, a); err != nil {
				return err
			}
			if err := pinDemoDate(ctx, e, a, *asOf); err != nil {
				return err
			}
			if *noServe {
				return nil
			}
			a.Auth.DemoLogins = true // only here do the demo accounts sign in
			if maddr != "" {
				reg, sim, err := demoTelemetry(ctx, a, *simDevices, *simSeed, *simInterval)
				if err != nil {
					return err
				}
				observers, stopObservers, err := startObservers(ctx, a, so.logger, true)
				if err != nil {
					return err
				}
				defer stopObservers()
				tel, err := startEmbeddedTelemetry(ctx, e, maddr, reg, a.DB, a.Obs, observers, sim, so.logger)
				if err != nil {
					return err
				}
				defer tel.stop()
			}
			return serveApp(ctx, e, a, so)
		},
	}
}

// seedDemo imports and approves the real plan unless it is already there,
// then makes sure the demo accounts exist. Running it twice adds nothing.
func seedDemo(ctx context.Context, e *Env, a *app) error {
	p := auth.CLI("demo")
	if _, err := a.Plan.Current(ctx, 0); err == nil {
		fmt.Fprintln(e.Stdout, "工作方案已在库中，沿用现有数据 plan already present; reusing it")
	} else {
		res, err := a.Plan.Import(ctx, p, demo.PlanSource, demo.PlanText, demo.PlanCode)
		if err != nil {
			return fmt.Errorf("import the plan: %w", err)
		}
		if res.Version.Status == plan.StatusDraft {
			if _, err := a.Plan.Approve(ctx, p, res.Version.ID); err != nil {
				return fmt.Errorf("approve the plan: %w", err)
			}
		}
		doc := res.Version.Document
		fmt.Fprintf(e.Stdout, "已导入并审核通过工作方案：%s（%d 项任务，%d 个量化目标）\n", doc.Title, len(doc.Tasks()), countTargets(doc))
	}
	if err := a.SeedDemo(ctx, p, func(m services.Module, n int) {
		if n > 0 {
			fmt.Fprintf(e.Stdout, m.SeedDone+"\n", n)
		}
	}); err != nil {
		return err
	}
	accounts, err := a.Auth.EnsureDemoAccounts(ctx)
	if err != nil {
		return fmt.Errorf("demo accounts: %w", err)
	}
	if ok, err := a.LinkDemoEnterprise(ctx, p, "demo-enterprise"); err != nil {
		return err
	} else if ok {
		fmt.Fprintln(e.Stdout, "演示企业账号 demo-enterprise 已关联一家演示企业 linked to a demo enterprise")
	}
	pv, err := a.Plan.Current(ctx, 0)
	if err != nil {
		return err
	}
	n, err := a.Progress.SeedDemo(ctx, p, pv.ID)
	if err != nil {
		return fmt.Errorf("demo reports: %w", err)
	}
	if n > 0 {
		fmt.Fprintf(e.Stdout, "已生成 %d 份演示进展报告（均标注%s）\n", n, progress.DemoLabel)
	}
	fmt.Fprintln(e.Stdout, "演示账号 demo accounts（仅供演示 demo only）:")
	for _, acc := range accounts {
		fmt.Fprintf(e.Stdout, "  %-22s 密码 %-16s %s · %s\n", acc.Login, acc.Password, acc.RoleLabel, acc.Dept)
	}
	return nil
}

func countTargets(d *plan.Document) int {
	n := 0
	for _, t := range d.Tasks() {
		n += len(t.Targets)
	}
	return n
}

func cmdMigrate() *Command {
	return &Command{
		Name: "migrate", Usage: "[--status] [--grant ROLE] [--data DIR | --db URL]",
		Short: "应用数据库迁移 apply database migrations",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("migrate", e)
			status := fs.Bool("status", false, "只显示版本 show the version only")
			grant := fs.String("grant", "", "迁移后授权服务角色（PostgreSQL；日志表只读、只追加）grant the server's role after migrating (default SIDI_DB_APP_ROLE)")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			db, err := store.OpenNoMigrate(ctx, cfg())
			if err != nil {
				return err
			}
			defer db.Close()
			before, err := db.Version(ctx)
			if err != nil {
				return err
			}
			ms, err := store.Migrations(db.Dialect())
			if err != nil {
				return err
			}
			if *status {
				fmt.Fprintf(e.Stdout, "%s: schema version %d of %d\n", cfg().Describe(), before, len(ms))
				switch {
				case before > len(ms):
					fmt.Fprintf(e.Stdout, "数据库版本高于本程序，请使用更新的 sidi the database is newer than this binary: use a newer sidi\n")
				case before == len(ms):
					fmt.Fprintf(e.Stdout, "已是最新 up to date\n")
				default:
					for _, m := range ms[before:] {
						fmt.Fprintf(e.Stdout, "待应用 pending: %04d %s\n", m.Version, m.Name)
					}
				}
				return nil
			}
			if err := db.Migrate(ctx); err != nil {
				return err
			}
			after, _ := db.Version(ctx)
			fmt.Fprintf(e.Stdout, "%s: schema version %d → %d（共 %d 个迁移 of %d）\n", cfg().Describe(), before, after, after-before, len(ms))
			role := *grant
			if role == "" && e.Getenv != nil {
				role = e.Getenv("SIDI_DB_APP_ROLE")
			}
			if role != "" {
				if err := db.GrantAppRole(ctx, role); err != nil {
					return err
				}
				fmt.Fprintf(e.Stdout, "已授权服务角色 %s：日志表只读、只追加 granted %s; audit_log and login_log: SELECT, INSERT only\n", role, role)
			}
			return nil
		},
	}
}

func cmdPlanParse() *Command {
	return &Command{
		Name: "plan parse", Usage: "FILE|-",
		Short: "解析方案文本（.txt 或 .docx）并输出 JSON parse a plan text or .docx to JSON on stdout",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("plan parse", e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 {
				return usageError{Msg: "需要一个文件参数 need one FILE"}
			}
			src, err := cli.ReadInput(e, fs.Arg(0))
			if err != nil {
				return err
			}
			doc, err := plan.Parse(src)
			if err != nil {
				return err
			}
			return cli.PrintJSON(e.Stdout, doc)
		},
	}
}

func cmdPlanImport() *Command {
	return &Command{
		Name: "plan import", Usage: "[--plan CODE | --new-plan [--plan CODE]] [--approve] [--data DIR | --db URL] FILE",
		Short: "导入方案文本为待审核草稿 import a plan text as a draft for review",
		Long: "同一文本重复导入不会产生新版本；修订后的文本导入为新草稿，并列出与现行版本的差异。\n" +
			"--plan CODE 导入为已有方案 CODE 的新版本（没有该方案则拒绝）；--new-plan 新建一个并行跟踪的方案（代码用 --plan 指定，或按年份和标题生成）；" +
			"两者都不给时，同标题的方案导入为新版本，否则新建方案。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("plan import", e)
			code := fs.String("plan", "", "已有方案的代码（导入为其新版本），或与 --new-plan 一起给出新方案的代码 plan code")
			newPlan := fs.Bool("new-plan", false, "新建方案，与现有方案并行跟踪 create a new plan beside the others")
			approve := fs.Bool("approve", false, "导入后立即审核通过 approve right away")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 {
				return usageError{Msg: "需要一个文件参数 need one FILE"}
			}
			src, err := cli.ReadInput(e, fs.Arg(0))
			if err != nil {
				return err
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			p := auth.CLI(os.Getenv("USER"))
			res, err := a.Plan.ImportWith(ctx, p, fs.Arg(0), src, plan.ImportOptions{Plan: *code, NewPlan: *newPlan})
			if err != nil {
				return err
			}
			v := res.Version
			if res.Existing {
				fmt.Fprintf(e.Stdout, "相同文本已导入为方案 %s 第 %d 版（%s），未作改动 unchanged\n", v.PlanCode, v.Number, plan.StatusLabels[v.Status])
				return nil
			}
			fmt.Fprintf(e.Stdout, "已导入方案 %s 第 %d 版（草稿编号 %d）：%d 项任务，%d 个量化目标\n", v.PlanCode, v.Number, v.ID, len(v.Document.Tasks()), countTargets(v.Document))
			if v.BaseVersionID != 0 {
				fmt.Fprintf(e.Stdout, "与现行版本相比有 %d 处变化 changes against the current version:\n", len(res.Changes))
				for _, c := range res.Changes {
					fmt.Fprintf(e.Stdout, "  [%s] %s: %s → %s\n", c.Kind, c.Where, c.Old, c.New)
				}
			}
			if *approve {
				if _, err := a.Plan.Approve(ctx, p, v.ID); err != nil {
					return err
				}
				fmt.Fprintln(e.Stdout, "已审核通过 approved")
			} else {
				fmt.Fprintf(e.Stdout, "请在审核页核对后审核通过 review at /plan/versions/%d, or: sidi plan approve %d\n", v.ID, v.ID)
			}
			return nil
		},
	}
}

func cmdPlanList() *Command {
	return &Command{
		Name: "plan list", Usage: "[--plan CODE] [--data DIR | --db URL]",
		Short: "列出方案各版本 list plan versions (of every plan, or of one)",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("plan list", e)
			code := fs.String("plan", "", "只列出该方案的版本 only this plan's versions")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 0 {
				return usageError{Msg: "plan list 不接受位置参数 takes no arguments"}
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			var vs []*plan.Version
			if *code == "" {
				vs, err = a.Plan.Versions(ctx)
			} else {
				var id int64
				if id, err = a.Plan.PlanID(ctx, *code); err == nil {
					vs, err = a.Plan.PlanVersions(ctx, id)
				}
			}
			if err != nil {
				return err
			}
			for _, v := range vs {
				fmt.Fprintf(e.Stdout, "%d\t%s\tv%d\t%s\t%s\t%s\n", v.ID, v.PlanCode, v.Number, plan.StatusLabels[v.Status], v.CreatedAt.Format("2006-01-02 15:04"), v.Document.Title)
			}
			return nil
		},
	}
}

func cmdPlanApprove() *Command {
	return &Command{
		Name: "plan approve", Usage: "[--data DIR | --db URL] VERSION-ID",
		Short: "审核通过草稿 approve a draft version",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("plan approve", e)
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
			if fs.NArg() != 1 || err != nil {
				return usageError{Msg: "需要草稿编号 need a version id"}
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			v, err := a.Plan.Approve(ctx, auth.CLI(os.Getenv("USER")), id)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "方案 %s 第 %d 版已审核通过，成为现行版本 approved\n", v.PlanCode, v.Number)
			return nil
		},
	}
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func cmdVersion() *Command {
	return &Command{
		Name: "version", Short: "显示版本 print the version",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fmt.Fprintf(e.Stdout, "sidi %s\n", version)
			return nil
		},
	}
}
