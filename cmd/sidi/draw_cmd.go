package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"sidi/internal/auth"
	"sidi/internal/inspect"
)

// drawCommands are `sidi draw run` and `sidi draw verify`.
func drawCommands() []*Command {
	return []*Command{cmdDrawRun(), cmdDrawVerify(), cmdDrawRedraw(), cmdDrawBench()}
}

func cmdDrawRun() *Command {
	return &Command{
		Name: "draw run", Usage: "TASK.json --out RECORD.json [--seed HEX] [--data DIR | --db URL]",
		Short: "双随机抽取（冻结名单、承诺种子后抽取）run a verifiable random draw",
		Long: "按 TASK.json（name、items、scope{region_prefix, types}、ratios{A,B,C,D}、team_size）从检查对象名录库和执法检查人员名录库抽取：" +
			"先冻结候选名单并计算哈希、保存随机种子的哈希（先打印出来），再按算法 " + inspect.Algorithm + " 抽取并分配检查组，把完整记录写入 RECORD.json。" +
			"--seed 可指定公开产生的种子（64 位十六进制）。任何人可用 sidi draw verify 复算。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := newFlags("draw run", e)
			out := fs.String("out", "", "记录文件 RECORD.json（必填）record file")
			seed := fs.String("seed", "", "公开产生的种子（64 位十六进制，默认随机）public seed")
			cfg := storageFlags(fs, e)
			if err := parseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 || *out == "" {
				return usageError{"需要任务文件和 --out 记录文件 need TASK.json and --out RECORD.json"}
			}
			body, err := readLimited(fs.Arg(0), 1<<20)
			if err != nil {
				return err
			}
			task, err := inspect.ParseTask(body)
			if err != nil {
				return err
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			rec, err := a.Inspect.Run(ctx, auth.CLI("draw"), task, inspect.RunOptions{Seed: *seed, Committed: func(id int64, seedHash, candHash string, n int) {
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

func cmdDrawRedraw() *Command {
	return &Command{
		Name: "draw redraw", Usage: "DRAW_ID --entity CODE --inspector CERT --reason TEXT --out RECORD.json [--data DIR | --db URL]",
		Short: "回避重抽（另起一条可复算的记录）redraw after an avoidance claim",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := newFlags("draw redraw", e)
			out := fs.String("out", "", "记录文件（必填）record file")
			entity := fs.String("entity", "", "检查对象统一社会信用代码")
			insp := fs.String("inspector", "", "申请回避的执法证号")
			reason := fs.String("reason", "", "回避理由")
			cfg := storageFlags(fs, e)
			if err := parseArgs(fs, args); err != nil {
				return err
			}
			var id int64
			if fs.NArg() != 1 || *out == "" || *entity == "" || *insp == "" {
				return usageError{"需要抽取编号、--entity、--inspector、--reason 和 --out"}
			}
			if _, err := fmt.Sscan(fs.Arg(0), &id); err != nil || id < 1 {
				return usageError{fmt.Sprintf("抽取编号“%s”无效", fs.Arg(0))}
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			rec, err := a.Inspect.Redraw(ctx, auth.CLI("draw"), id, *entity, *insp, *reason, inspect.RunOptions{})
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

func writeRecord(path string, rec inspect.Record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("写入 %s 失败: %w", path, err)
	}
	return nil
}

func readLimited(path string, max int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("读取 %s 失败: %w", path, err)
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%s 超过 %d MB", path, max>>20)
	}
	return os.ReadFile(path)
}

func cmdDrawVerify() *Command {
	return &Command{
		Name: "draw verify", Usage: "RECORD.json",
		Short: "复算抽查记录（不需要数据库）verify a draw record without a database",
		Long:  "按记录中的算法版本、种子、候选名单和检查人员名录重新抽取；结果完全相同时退出码为 0，否则指出第一处不同并以非零退出码结束。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := newFlags("draw verify", e)
			if err := parseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 {
				return usageError{"需要记录文件 need RECORD.json"}
			}
			body, err := readLimited(fs.Arg(0), 1<<30)
			if err != nil {
				return err
			}
			rec, err := inspect.ReadRecord(body)
			if err != nil {
				return err
			}
			if err := inspect.Verify(rec); err != nil {
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
