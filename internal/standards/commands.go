package standards

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"sidi/internal/auth"
	"sidi/internal/cli"
	"sidi/internal/kit"
)

// Commands are the register's commands of the sidi binary (through its
// module): standards code, search, import (an alias of `sidi import
// standards`) and import-declarations. open opens the storage the flags
// name and gives the register's service. The benchmark (standards bench)
// stays with the binary's other bench commands.
func Commands(open cli.Open[*Service]) []*cli.Command {
	return []*cli.Command{cmdCode(), cmdSearch(open), cmdImport(), cmdImportDeclarations(open)}
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

func cmdImportDeclarations(open cli.Open[*Service]) *cli.Command {
	return &cli.Command{
		Name: "standards import-declarations", Usage: "[--data DIR | --db URL] FILE.xlsx|FILE.csv",
		Short: "从 Excel/CSV 批量导入企业标准自我声明 import enterprise self-declarations",
		Long: "第一行为表头：" + strings.Join(DeclImportColumns, "、") + "（必填），说明（可选，以“示例”开头的行跳过）。\n" +
			"每一行是一项声明中的一个产品；统一社会信用代码和标准号相同的各行为同一项声明。尚未登记的企业按企业名称自动登记。\n" +
			"先校验全部行，有任何错误（按行号、列和列名列出）则不导入任何记录，退出码为 1；\n" +
			"已有的有效声明产品相同则不变，产品不同则更新产品；重复导入同一文件不产生变化。CSV 可为 UTF-8（可带 BOM）或 GB18030。",
		Run: func(ctx context.Context, e *cli.Env, args []string) error {
			fs := cli.NewFlags("standards import-declarations", e)
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 {
				return cli.UsageError{Msg: "需要一个文件参数 need one FILE"}
			}
			data, err := cli.ReadInput(e, fs.Arg(0))
			if err != nil {
				return err
			}
			svc, closeStore, err := open(ctx, cfg())
			if err != nil {
				return err
			}
			defer closeStore()
			user := ""
			if e.Getenv != nil {
				user = e.Getenv("USER")
			}
			res, err := svc.ImportDeclarations(ctx, auth.CLI(user), filepath.Base(fs.Arg(0)), bytes.NewReader(data))
			var rowErrs kit.Errors
			if errors.As(err, &rowErrs) {
				for _, re := range rowErrs {
					fmt.Fprintln(e.Stderr, declLine(re))
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
