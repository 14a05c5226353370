package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"sidi/internal/auth"
	"sidi/internal/standards"
)

// standardsCommands are the standards registry commands (sidi standards …).
func standardsCommands() []*Command {
	return []*Command{cmdStandardsCode(), cmdStandardsSearch(), cmdStandardsImport()}
}

// seedStandardsDemo adds the labelled demo standards once.
func seedStandardsDemo(ctx context.Context, e *Env, a *app, p auth.Principal) error {
	n, err := standards.SeedDemo(ctx, a.std, p)
	if err != nil {
		return fmt.Errorf("demo standards: %w", err)
	}
	if n > 0 {
		fmt.Fprintf(e.Stdout, "已添加 %d 条演示标准记录（均标注【演示数据】）demo standards added\n", n)
	}
	return nil
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
		Long:  "每个参数输出一行 JSON：input, normalized, display, family, prefix, region, number, year, amendment, adopted, valid, error。\n支持全角字符、各种破折号、缺少空格、两位年号、/XG 修改单和 /ISO 采用标记。无法识别时 valid 为 false，退出码为 1。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := newFlags("standards code", e)
			if err := fs.Parse(args); err != nil {
				return err
			}
			if fs.NArg() == 0 {
				return usageError{"至少需要一个标准号 need at least one CODE"}
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
			fs := newFlags("standards search", e)
			limit := fs.Int("limit", 20, "最多显示条数 maximum hits (1–100)")
			cfg := storageFlags(fs, e)
			if err := fs.Parse(args); err != nil {
				return err
			}
			if fs.NArg() == 0 {
				return usageError{"需要检索词 need a QUERY"}
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
			res, err := a.std.Search(ctx, standards.Params{Q: q, PerPage: *limit})
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
			enc := jsonLines(e.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
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
		Name: "standards import", Usage: "[--data DIR | --db URL] FILE.xlsx|FILE.csv",
		Short: "从 Excel/CSV 导入标准 import standards from .xlsx or .csv",
		Long: "第一行为表头：标准号、标准名称、标准状态、发布日期、实施日期（必填），ICS、CCS、归口单位、起草单位、代替标准（可选）。\n" +
			"先校验全部行，有任何错误（按行号和列名列出）则不导入任何记录；按规范化的标准号匹配，重复导入同一文件不产生变化。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := newFlags("standards import", e)
			cfg := storageFlags(fs, e)
			if err := fs.Parse(args); err != nil {
				return err
			}
			if fs.NArg() != 1 {
				return usageError{"需要一个文件参数 need one FILE"}
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
			var progress standards.Progress
			if stdoutIsTerminal(e.Stdout) {
				progress = func(done, total int) {
					fmt.Fprintf(e.Stdout, "\r导入中 importing %d/%d", done, total)
					if done == total {
						fmt.Fprintln(e.Stdout)
					}
				}
			}
			res, err := a.std.Import(ctx, auth.CLI(os.Getenv("USER")), fs.Arg(0), data, progress)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "已处理 %d 行：新增 %d，更新 %d，未变 %d rows processed: created, updated, unchanged\n", res.Rows, res.Created, res.Updated, res.Unchanged)
			return nil
		},
	}
}
