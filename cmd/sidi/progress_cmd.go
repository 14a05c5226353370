package main

import (
	"context"
	"fmt"
	"os"
	"sidi/internal/cli"
	"time"

	"sidi/internal/auth"

	"sidi/internal/web"
)

// progressCommands are the reporting and bulletin commands.
func progressCommands() []*Command {
	return []*Command{cmdBulletin(), cmdBench()}
}

func cmdBulletin() *Command {
	return &Command{
		Name: "bulletin", Usage: "--period 2025Q4 [--plan CODE] [--format html|xlsx] --out FILE [--data DIR | --db URL]",
		Short: "生成某报送周期的工作通报 write a period's bulletin (A4 HTML or XLSX)",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("bulletin", e)
			period := fs.String("period", "", "报送周期，如 2025Q4")
			format := fs.String("format", "html", "html 或 xlsx")
			out := fs.String("out", "", "输出文件（- 为标准输出）")
			code := fs.String("plan", "", "方案代码（默认为第一个方案）plan code; default: the primary plan")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if *period == "" || *out == "" {
				return usageError{Msg: "需要 --period 和 --out"}
			}
			if *format != "html" && *format != "xlsx" {
				return usageError{Msg: "--format 只能是 html 或 xlsx"}
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			pv, err := a.Plan.CurrentByCode(ctx, *code)
			if err != nil {
				return err
			}
			b, err := a.Progress.BuildBulletin(ctx, pv.ID, *period)
			if err != nil {
				return err
			}
			var data []byte
			if *format == "xlsx" {
				data, err = b.XLSX()
			} else {
				data, err = web.BulletinDocument(b)
			}
			if err != nil {
				return err
			}
			if *out == "-" {
				_, err = e.Stdout.Write(data)
				return err
			}
			if err := os.WriteFile(*out, data, 0o644); err != nil {
				return fmt.Errorf("写入 %s 失败: %w", *out, err)
			}
			fmt.Fprintf(e.Stdout, "已生成 %s 通报：%s（%d 字节）\n", b.Period.Label(), *out, len(data))
			return nil
		},
	}
}

// pinDemoDate sets the date the demo's progress pages show: "auto" pins a
// date inside the plan's period once the plan has ended (and keeps a date
// already set), "today" clears it, YYYY-MM-DD pins that date.
func pinDemoDate(ctx context.Context, e *Env, a *app, v string) error {
	pv, err := a.Plan.Current(ctx, 0)
	if err != nil {
		return err
	}
	st, err := a.Progress.Settings(ctx, pv.ID)
	if err != nil {
		return err
	}
	switch {
	case v == "auto":
		if st.DefaultAsOf != "" {
			return nil
		}
		if v, err = a.Progress.DemoAsOf(ctx, pv.ID); err != nil || v == "" {
			return err
		}
	case v == "today":
		v = ""
	default:
		if _, err := time.Parse("2006-01-02", v); err != nil {
			return usageError{Msg: "--as-of 须为 auto、today 或 YYYY-MM-DD（收到 " + v + "）"}
		}
	}
	if st.DefaultAsOf == v {
		return nil
	}
	st.DefaultAsOf = v
	if err := a.Progress.SaveSettings(ctx, auth.CLI("demo"), st); err != nil {
		return err
	}
	if v == "" {
		fmt.Fprintln(e.Stdout, "进展页面按当天展示 progress pages show today")
	} else {
		fmt.Fprintf(e.Stdout, "进展页面默认按 %s 展示（方案实施期内；页面上有说明，可在“报送与预警设置”中修改）progress pages pinned to %s\n", v, v)
	}
	return nil
}
