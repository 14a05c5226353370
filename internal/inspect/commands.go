package inspect

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"sidi/internal/auth"
	"sidi/internal/cli"
)

// Commands are the register's commands of the sidi binary (through its
// module): draw run, verify and redraw, and risk recompute and scheme.
// open opens the storage the flags name and gives the register's service.
func Commands(open cli.Open[*Service]) []*cli.Command {
	return []*cli.Command{cmdDrawRun(open), cmdDrawVerify(), cmdDrawRedraw(open), cmdRiskRecompute(open), cmdRiskScheme(open)}
}

func cmdDrawRun(open cli.Open[*Service]) *cli.Command {
	return &cli.Command{
		Name: "draw run", Usage: "TASK.json --out RECORD.json [--seed HEX] [--data DIR | --db URL]",
		Short: "双随机抽取（冻结名单、承诺种子后抽取）run a verifiable random draw",
		Long: "按 TASK.json（name、items、scope{region_prefix, types}、ratios{A,B,C,D}、team_size）从检查对象名录库和执法检查人员名录库抽取：" +
			"先冻结候选名单并计算哈希、保存随机种子的哈希（先打印出来），再按算法 " + Algorithm + " 抽取并分配检查组，把完整记录写入 RECORD.json。" +
			"--seed 可指定公开产生的种子（64 位十六进制）。任何人可用 sidi draw verify 复算。",
		Run: func(ctx context.Context, e *cli.Env, args []string) error {
			fs := cli.NewFlags("draw run", e)
			out := fs.String("out", "", "记录文件 RECORD.json（必填）record file")
			seed := fs.String("seed", "", "公开产生的种子（64 位十六进制，默认随机）public seed")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 || *out == "" {
				return cli.UsageError{Msg: "需要任务文件和 --out 记录文件 need TASK.json and --out RECORD.json"}
			}
			body, err := cli.ReadLimited(fs.Arg(0), 1<<20)
			if err != nil {
				return err
			}
			task, err := ParseTask(body)
			if err != nil {
				return err
			}
			svc, closeStore, err := open(ctx, cfg())
			if err != nil {
				return err
			}
			defer closeStore()
			rec, err := svc.Run(ctx, auth.CLI("draw"), task, RunOptions{Seed: *seed, Committed: func(id int64, seedHash, candHash string, n int) {
				fmt.Fprintf(e.Stdout, "第 %d 号抽取已承诺 committed: 候选 %d 户，候选名单哈希 %s\n种子哈希 seed sha256: %s\n", id, n, candHash, seedHash)
			}})
			if err != nil {
				return err
			}
			if err := writeRecord(*out, rec); err != nil {
				return err
			}
			for _, s := range rec.Result.Strata {
				fmt.Fprintf(e.Stdout, "%s 类：候选 %d 户，比例 %s，抽中 %d 户\n", s.Class, s.Candidates, s.Ratio, s.Drawn)
			}
			for _, n := range rec.Notes {
				fmt.Fprintln(e.Stdout, n)
			}
			fmt.Fprintf(e.Stdout, "种子 seed: %s\n结果哈希 result sha256: %s\n记录已写入 %s\n", rec.Seed, rec.Result.SHA256, *out)
			return nil
		},
	}
}

func cmdDrawRedraw(open cli.Open[*Service]) *cli.Command {
	return &cli.Command{
		Name: "draw redraw", Usage: "DRAW_ID --entity CODE --inspector CERT --reason TEXT --out RECORD.json [--data DIR | --db URL]",
		Short: "回避重抽（另起一条可复算的记录）redraw after an avoidance claim",
		Run: func(ctx context.Context, e *cli.Env, args []string) error {
			fs := cli.NewFlags("draw redraw", e)
			out := fs.String("out", "", "记录文件（必填）record file")
			entity := fs.String("entity", "", "检查对象统一社会信用代码")
			insp := fs.String("inspector", "", "申请回避的执法证号")
			reason := fs.String("reason", "", "回避理由")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			var id int64
			if fs.NArg() != 1 || *out == "" || *entity == "" || *insp == "" {
				return cli.UsageError{Msg: "需要抽取编号、--entity、--inspector、--reason 和 --out"}
			}
			if _, err := fmt.Sscan(fs.Arg(0), &id); err != nil || id < 1 {
				return cli.UsageError{Msg: fmt.Sprintf("抽取编号“%s”无效", fs.Arg(0))}
			}
			svc, closeStore, err := open(ctx, cfg())
			if err != nil {
				return err
			}
			defer closeStore()
			rec, err := svc.Redraw(ctx, auth.CLI("draw"), id, *entity, *insp, *reason, RunOptions{})
			if err != nil {
				return err
			}
			if err := writeRecord(*out, rec); err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "第 %d 号回避重抽：%s 的检查组改为 %v；种子哈希 %s；记录已写入 %s\n", rec.DrawID, rec.Redraw.Entity, rec.Result.Assignments[0].Team, rec.SeedSHA256, *out)
			return nil
		},
	}
}

func writeRecord(path string, rec Record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("写入 %s 失败: %w", path, err)
	}
	return nil
}

func cmdDrawVerify() *cli.Command {
	return &cli.Command{
		Name: "draw verify", Usage: "RECORD.json",
		Short: "复算抽查记录（不需要数据库）verify a draw record without a database",
		Long:  "按记录中的算法版本、种子、候选名单和检查人员名录重新抽取；结果完全相同时退出码为 0，否则指出第一处不同并以非零退出码结束。",
		Run: func(ctx context.Context, e *cli.Env, args []string) error {
			fs := cli.NewFlags("draw verify", e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 {
				return cli.UsageError{Msg: "需要记录文件 need RECORD.json"}
			}
			body, err := cli.ReadLimited(fs.Arg(0), 1<<30)
			if err != nil {
				return err
			}
			rec, err := ReadRecord(body)
			if err != nil {
				return err
			}
			if err := Verify(rec); err != nil {
				return fmt.Errorf("验证未通过 verification failed: %w", err)
			}
			n := 0
			for _, s := range rec.Candidates {
				n += len(s.IDs)
			}
			fmt.Fprintf(e.Stdout, "验证通过 verified: %s，候选 %d 户，抽中 %d 户，结果哈希 %s\n", rec.Algorithm, n, len(rec.Result.Assignments), rec.Result.SHA256)
			return nil
		},
	}
}

func cmdRiskRecompute(open cli.Open[*Service]) *cli.Command {
	return &cli.Command{
		Name: "risk recompute", Usage: "[--monthly] [--data DIR | --db URL]",
		Short: "重算信用风险分类 recompute the credit-risk classes",
		Long: "按现行评分方案为检查对象名录库中的每户计算分数、风险等级（A–D）和各指标的贡献；计算出的等级在双随机抽取中覆盖导入的风险等级，" +
			"等级变化的对象列入预警（待办）。--monthly 用于每月定时任务（如 cron 每天运行）：本月已重算过则不再重算。",
		Run: func(ctx context.Context, e *cli.Env, args []string) error {
			fs := cli.NewFlags("risk recompute", e)
			monthly := fs.Bool("monthly", false, "每月定时任务：本月已重算则跳过 skip when this month has a run")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 0 {
				return cli.UsageError{Msg: "多余的参数 unexpected arguments"}
			}
			svc, closeStore, err := open(ctx, cfg())
			if err != nil {
				return err
			}
			defer closeStore()
			cause := CauseManual
			if *monthly {
				cause = CauseMonthly
			}
			run, did, err := svc.Recompute(ctx, auth.CLI("risk"), cause)
			if err != nil {
				return err
			}
			if !did {
				fmt.Fprintf(e.Stdout, "%s 已重算过，未再重算 already recomputed this month\n", run.Month)
				return nil
			}
			fmt.Fprintf(e.Stdout, "第 %d 次重算（评分方案第 %d 版）：%d 户，等级变化 %d 户 run %d: %d entities, %d changed\n",
				run.ID, run.SchemeVersion, run.Entities, run.Changed, run.ID, run.Entities, run.Changed)
			return nil
		},
	}
}

func cmdRiskScheme(open cli.Open[*Service]) *cli.Command {
	return &cli.Command{
		Name: "risk scheme", Usage: "[--set SCHEME.json] [--data DIR | --db URL]",
		Short: "查看或修改信用风险评分方案 show or change the credit-risk scheme",
		Long: "不带 --set 时打印现行方案（JSON）；--set 读取同样格式的文件（indicators：code、name、source、weight、cap、months；thresholds：B、C、D；note），" +
			"检查后保存为新版本。权重之和须为 100，分级分数线须 0 < B < C < D ≤ 100。",
		Run: func(ctx context.Context, e *cli.Env, args []string) error {
			fs := cli.NewFlags("risk scheme", e)
			set := fs.String("set", "", "新方案文件 new scheme file")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 0 {
				return cli.UsageError{Msg: "多余的参数 unexpected arguments"}
			}
			var next RiskScheme
			if *set != "" {
				body, err := cli.ReadLimited(*set, 1<<20)
				if err != nil {
					return err
				}
				if err := json.Unmarshal(body, &next); err != nil {
					return cli.UsageError{Msg: fmt.Sprintf("%s 不是有效的方案 JSON：%v", *set, err)}
				}
			}
			svc, closeStore, err := open(ctx, cfg())
			if err != nil {
				return err
			}
			defer closeStore()
			cur, err := svc.RiskScheme(ctx)
			if err != nil {
				return err
			}
			if *set != "" {
				if cur, err = svc.SaveRiskScheme(ctx, auth.CLI("risk"), cur.Version, next); err != nil {
					return err
				}
			}
			out, err := json.MarshalIndent(cur, "", "  ")
			if err != nil {
				return err
			}
			fmt.Fprintln(e.Stdout, string(out))
			return nil
		},
	}
}
