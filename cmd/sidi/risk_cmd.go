package main

import (
	"context"
	"encoding/json"
	"fmt"

	"sidi/internal/auth"
	"sidi/internal/inspect"
)

// riskCommands are `sidi risk recompute` and `sidi risk scheme`.
func riskCommands() []*Command {
	return []*Command{cmdRiskRecompute(), cmdRiskScheme()}
}

func cmdRiskRecompute() *Command {
	return &Command{
		Name: "risk recompute", Usage: "[--monthly] [--data DIR | --db URL]",
		Short: "重算信用风险分类 recompute the credit-risk classes",
		Long: "按现行评分方案为检查对象名录库中的每户计算分数、风险等级（A–D）和各指标的贡献；计算出的等级在双随机抽取中覆盖导入的风险等级，" +
			"等级变化的对象列入预警（待办）。--monthly 用于每月定时任务（如 cron 每天运行）：本月已重算过则不再重算。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := newFlags("risk recompute", e)
			monthly := fs.Bool("monthly", false, "每月定时任务：本月已重算则跳过 skip when this month has a run")
			cfg := storageFlags(fs, e)
			if err := parseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 0 {
				return usageError{"多余的参数 unexpected arguments"}
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			cause := inspect.CauseManual
			if *monthly {
				cause = inspect.CauseMonthly
			}
			run, did, err := a.Inspect.Recompute(ctx, auth.CLI("risk"), cause)
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

func cmdRiskScheme() *Command {
	return &Command{
		Name: "risk scheme", Usage: "[--set SCHEME.json] [--data DIR | --db URL]",
		Short: "查看或修改信用风险评分方案 show or change the credit-risk scheme",
		Long: "不带 --set 时打印现行方案（JSON）；--set 读取同样格式的文件（indicators：code、name、source、weight、cap、months；thresholds：B、C、D；note），" +
			"检查后保存为新版本。权重之和须为 100，分级分数线须 0 < B < C < D ≤ 100。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := newFlags("risk scheme", e)
			set := fs.String("set", "", "新方案文件 new scheme file")
			cfg := storageFlags(fs, e)
			if err := parseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 0 {
				return usageError{"多余的参数 unexpected arguments"}
			}
			var next inspect.RiskScheme
			if *set != "" {
				body, err := readLimited(*set, 1<<20)
				if err != nil {
					return err
				}
				if err := json.Unmarshal(body, &next); err != nil {
					return usageError{fmt.Sprintf("%s 不是有效的方案 JSON：%v", *set, err)}
				}
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			cur, err := a.Inspect.RiskScheme(ctx)
			if err != nil {
				return err
			}
			if *set != "" {
				if cur, err = a.Inspect.SaveRiskScheme(ctx, auth.CLI("risk"), cur.Version, next); err != nil {
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
