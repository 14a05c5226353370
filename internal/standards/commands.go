package standards

import (
	"context"
	"fmt"
	"strings"

	"sidi/internal/cli"
)

// Commands are the register's commands of the sidi binary (through its
// module): standards code, search, import (an alias of `sidi import
// standards`) and import-declarations. open opens the storage the flags
// name and gives the register's service. The benchmark (standards bench)
// stays with the binary's other bench commands.
func Commands(open cli.Open[*Service]) []*cli.Command {
	return []*cli.Command{cmdCode(), cmdSearch(open), cmdImport(), cmdImportDeclarations()}
}

func cmdCode() *cli.Command {
	return &cli.Command{
		Name: "standards code", Usage: "CODE…",
		Short: "解析并规范化标准号 parse and normalise standard codes (JSON lines)",
		Long:  "每个参数输出一行 JSON：input, normalized, display, family, prefix, region, number, year, amendment, adopted, valid, error（编号与年代号连写等可修正的错误另有 suggestion）。\n支持全角字符、各种破折号、缺少空格、编号与年号之间的空格、GBT 写法、三字母行业代号（JGJ、CJJ、JTG、GBJ 等）、两位年号、/XG 修改单和 /ISO 采用标记。无法识别时 valid 为 false，退出码为 1。",
		Run: func(ctx context.Context, e *cli.Env, args []string) error {
			fs := cli.NewFlags("standards code", e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() == 0 {
				return cli.UsageError{Msg: "至少需要一个标准号 need at least one CODE"}
			}
			enc := cli.JSONLines(e.Stdout)
			bad := 0
			for _, a := range fs.Args() {
				c := ParseCode(a)
				if !c.Valid {
					bad++
				}
				if err := enc.Encode(c); err != nil {
					return fmt.Errorf("standards code: %w", err)
				}
			}
			if bad > 0 {
				return fmt.Errorf("%d 个标准号无法识别 %d code(s) invalid", bad, bad)
			}
			return nil
		},
	}
}

// searchHit is one line of `sidi standards search`.
type searchHit struct {
	Code   string `json:"code"`
	Title  string `json:"title"`
	Score  int    `json:"score"`
	Status string `json:"status"`
	ID     int64  `json:"id"`
}

func cmdSearch(open cli.Open[*Service]) *cli.Command {
	return &cli.Command{
		Name: "standards search", Usage: "[--limit N] [--data DIR | --db URL] QUERY",
		Short: "检索标准并输出 JSON search standards (JSON: code, title, score)",
		Run: func(ctx context.Context, e *cli.Env, args []string) error {
			fs := cli.NewFlags("standards search", e)
			limit := fs.Int("limit", 20, "最多显示条数 maximum hits (1–100)")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() == 0 {
				return cli.UsageError{Msg: "需要检索词 need a QUERY"}
			}
			if err := cli.IntRange("limit", *limit, 1, 100); err != nil {
				return err
			}
			q := strings.Join(fs.Args(), " ")
			svc, closeStore, err := open(ctx, cfg())
			if err != nil {
				return err
			}
			defer closeStore()
			res, err := svc.Search(ctx, Params{Q: q, PerPage: *limit})
			if err != nil {
				return err
			}
			out := struct {
				Query string      `json:"query"`
				Total int         `json:"total"`
				Hits  []searchHit `json:"hits"`
			}{Query: q, Total: res.Total, Hits: []searchHit{}}
			for _, h := range res.Hits {
				out.Hits = append(out.Hits, searchHit{h.Code, h.Title, h.Score, h.StatusLabel(), h.ID})
			}
			return cli.PrintJSON(e.Stdout, out)
		},
	}
}

// cmdImport keeps the register's old name of `sidi import standards`.
func cmdImport() *cli.Command {
	return &cli.Command{
		Name: "standards import", Usage: "[--skip-invalid] [--rejects FILE] [--data DIR | --db URL] FILE.xlsx|FILE.csv",
		Short: "从 Excel/CSV 导入标准（同 sidi import standards）import standards from .xlsx or .csv",
		Long: "第一行为表头：标准号、标准名称、标准状态、发布日期、实施日期（必填），ICS、CCS、归口单位、起草单位、代替标准（可选）。\n" +
			"先校验全部行，有任何错误（按行号和列名列出）则不导入任何记录；按规范化的标准号匹配，重复导入同一文件不产生变化。\n" +
			"即 sidi import standards FILE 的别名。",
		Alias: "import standards",
	}
}

// cmdImportDeclarations keeps the old name of `sidi import declarations`.
func cmdImportDeclarations() *cli.Command {
	return &cli.Command{
		Name: "standards import-declarations", Usage: "[--skip-invalid] [--rejects FILE] [--dry-run] [--data DIR | --db URL] FILE.xlsx|FILE.csv",
		Short: "从 Excel/CSV 批量导入企业标准自我声明（同 sidi import declarations）import enterprise self-declarations",
		Long: "第一行为表头：" + strings.Join(DeclImportColumns, "、") + "（必填），说明（可选，以“示例”开头的行跳过）。\n" +
			strings.Join(declImportNotes(), "\n") + "\n" +
			"即 sidi import declarations FILE 的别名。",
		Alias: "import declarations",
	}
}
