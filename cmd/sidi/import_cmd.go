package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"sidi/internal/cli"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"sidi/internal/auth"
	"sidi/internal/kit"
	"sidi/internal/services"
	"sidi/internal/store"
)

// The one command line of every register's import and export: the kinds
// come from services.(*Set).ImportKinds.
func importCommands() []*Command {
	return []*Command{cmdKinds(), cmdImport(), cmdExport(), cmdImportBench(), cmdTrademarkBench(), cmdSamplingBench()}
}

func cmdKinds() *Command {
	return &Command{
		Name: "kinds", Usage: "[--json]",
		Short: "列出可导入的数据类型及其表头 list the importable kinds and their header rows",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("kinds", e)
			asJSON := fs.Bool("json", false, "以 JSON 输出 print JSON")
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 0 {
				return usageError{Msg: "kinds 不接受参数 takes no arguments"}
			}
			kinds := (*services.Set)(nil).ImportKinds()
			if *asJSON {
				type kind struct {
					kit.ImportKind[auth.Principal]
					Header []string `json:"header"`
					Export bool     `json:"export"`
				}
				out := make([]kind, len(kinds))
				for i, k := range kinds {
					out[i] = kind{k, kit.Header(k.Columns), k.Export != nil}
				}
				return cli.PrintJSON(e.Stdout, out)
			}
			for _, k := range kinds {
				fmt.Fprintf(e.Stdout, "%s\t%s\n", k.Name, k.Title)
				var cols []string
				for _, c := range k.Columns {
					s := c.Name
					if c.Required {
						s += "*"
					}
					if len(c.Aliases) > 0 {
						s += "（又作 " + strings.Join(c.Aliases, "、") + "）"
					}
					cols = append(cols, s)
				}
				fmt.Fprintf(e.Stdout, "\t表头 header: %s\n", strings.Join(kit.Header(k.Columns), ","))
				fmt.Fprintf(e.Stdout, "\t列 columns (* 必填 required): %s\n", strings.Join(cols, "，"))
				for _, d := range k.Description {
					fmt.Fprintf(e.Stdout, "\t· %s\n", d)
				}
			}
			return nil
		},
	}
}

// importKind finds the kind named on the command line.
func importKind(a *services.Set, name string) (kit.ImportKind[auth.Principal], error) {
	if k, ok := a.ImportKind(name); ok {
		return k, nil
	}
	var names []string
	for _, k := range (*services.Set)(nil).ImportKinds() {
		names = append(names, k.Name)
	}
	return kit.ImportKind[auth.Principal]{}, usageError{Msg: fmt.Sprintf("未知的类型“%s”，可用：%s unknown kind", name, strings.Join(names, "、"))}
}

// knownKind refuses an unknown kind before the database is opened.
func knownKind(name string) error {
	_, err := importKind(nil, name)
	return err
}

// stderrProgress draws a progress bar on stderr when it is a terminal.
func stderrProgress(w io.Writer) func(done, total int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	start := time.Now()
	return func(done, total int) {
		const width = 30
		fill := width
		if total > 0 {
			fill = done * width / total
		}
		rate := float64(done) / max(time.Since(start).Seconds(), 0.001)
		if total <= 0 { // a one-pass first load: the total is known at the end
			fmt.Fprintf(w, "\r%d 行 rows  %.0f 行/秒 rows/s", done, rate)
			return
		}
		fmt.Fprintf(w, "\r[%s%s] %d/%d 行 rows  %.0f 行/秒 rows/s", strings.Repeat("#", fill), strings.Repeat(".", width-fill), done, total, rate)
		if done >= total {
			fmt.Fprintln(w)
		}
	}
}

func cmdImport() *Command {
	return &Command{
		Name: "import", Usage: "KIND FILE [--skip-invalid] [--rejects FILE] [--dry-run] [--batch N] [--data DIR | --db URL]",
		Short: "从 CSV/Excel 导入一类数据 import a kind from .csv or .xlsx (see sidi kinds)",
		Long: "先校验全部行；有任何错误则不写入任何记录，在标准错误输出按行号、列名列出错误，退出码为 1。\n" +
			"--skip-invalid 时写入正确的行，错误的行写入 --rejects 指定的 CSV（行号、列、原因、原始内容）。\n" +
			"--dry-run 只校验（包括与数据库中已有记录的核对），不写入任何记录。\n" +
			"分批写入，每批一个事务、一条审计记录（文件 SHA-256、行号范围、记录编号、写入内容的 SHA-256）；重复导入同一文件不产生变化。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("import", e)
			skip := fs.Bool("skip-invalid", false, "跳过错误行，导入其余行 import the valid rows, leave out the invalid ones")
			rejects := fs.String("rejects", "", "错误行写入此 CSV 文件 write the invalid rows to this CSV")
			dry := fs.Bool("dry-run", false, "只校验，不写入 check the file, write nothing")
			batch := fs.Int("batch", 5000, "每个事务写入的行数（100–50000）rows per transaction")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if err := cli.IntRange("batch", *batch, 100, 50000); err != nil {
				return err
			}
			if fs.NArg() != 2 {
				return usageError{Msg: "需要类型和文件两个参数 need KIND FILE（类型见 sidi kinds）"}
			}
			return runImport(ctx, e, cfg, fs.Arg(0), fs.Arg(1), kit.ImportOptions{SkipInvalid: *skip, Batch: *batch, DryRun: *dry}, *rejects)
		},
	}
}

// runImport imports file as kind: the command `sidi import` and its
// aliases `sidi standards import` and `sidi standards import-declarations`.
func runImport(ctx context.Context, e *Env, cfg func() store.Config, kind, file string, opt kit.ImportOptions, rejects string) error {
	if err := knownKind(kind); err != nil {
		return err
	}
	src := kit.FileSource(file)
	if file == "-" {
		data, err := cli.ReadInput(e, file)
		if err != nil {
			return err
		}
		src = kit.BytesSource("stdin.csv", data)
	} else if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("读取文件失败 read %s: %w", file, err)
	}
	a, err := openApp(ctx, cfg())
	if err != nil {
		return err
	}
	defer a.Close()
	k, err := importKind(a.Set, kind)
	if err != nil {
		return err
	}
	if rejects != "" {
		f, err := os.Create(rejects)
		if err != nil {
			return fmt.Errorf("创建错误行文件失败 create %s: %w", rejects, err)
		}
		defer f.Close()
		f.WriteString("\uFEFF")
		opt.Rejects = f
	}
	opt.Progress = stderrProgress(e.Stderr)
	start := time.Now()
	rep, err := k.Import(ctx, auth.CLI(e.Getenv("USER")), src, opt)
	var refused *kit.ImportRefused
	if errors.As(err, &refused) {
		const shown = 20
		for _, fe := range refused.Report.Errors[:min(shown, len(refused.Report.Errors))] {
			fmt.Fprintln(e.Stderr, fe.String())
		}
		if n := len(refused.Report.Errors); n > shown {
			fmt.Fprintf(e.Stderr, "……共 %d 处错误 errors in all\n", n)
		}
		if rejects != "" {
			fmt.Fprintf(e.Stderr, "错误行已写入 rejected rows written to %s\n", rejects)
		}
		return fmt.Errorf("导入失败：%d 行有错误，未导入任何记录（可用 --skip-invalid 只导入正确的行）import refused, nothing written", refused.Report.Rejected)
	}
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	if opt.DryRun {
		fmt.Fprintf(e.Stdout, "仅校验，未写入：共 %d 行%s，正确 %d 行，错误 %d 行\n"+
			"dry run, nothing written: rows read, valid, rejected\n", rep.Rows, reportRecords(k, rep), rep.Rows-rep.Rejected, rep.Rejected)
		return nil
	}
	fmt.Fprintf(e.Stdout, "已处理 %d 行%s：新增 %d，更新 %d，未变 %d，跳过错误行 %d%s；%d 批，%.1f 秒（%.0f 行/秒）\n"+
		"rows processed: created, updated, unchanged, rejected; batches, seconds (rows/s)\n",
		rep.Rows, reportRecords(k, rep), rep.Created, rep.Updated, rep.Unchanged, rep.Rejected, reportCounts(rep), rep.Batches, secs, float64(rep.Rows)/max(secs, 0.001))
	if rep.Rejected > 0 {
		fmt.Fprintf(e.Stderr, "有 %d 行错误未导入 %d rows rejected", rep.Rejected, rep.Rejected)
		if rejects != "" {
			fmt.Fprintf(e.Stderr, "，见 see %s", rejects)
		}
		fmt.Fprintln(e.Stderr)
	}
	// Registers indexed after their writes (the trademark catalogue): the
	// records are searchable when the command ends, a running server would
	// otherwise index them in the background.
	start = time.Now()
	indexed, err := a.DrainSearch(ctx)
	for _, k := range slices.Sorted(maps.Keys(indexed)) {
		fmt.Fprintf(e.Stdout, "检索索引 search index: %s %d 条 records, %.1f 秒 s\n", k, indexed[k], time.Since(start).Seconds())
	}
	return err
}

// reportRecords says how many records a kind whose records span rows
// found, and the example rows skipped: "（1 项声明，跳过示例 1 行）".
func reportRecords(k kit.ImportKind[auth.Principal], rep kit.ImportReport) string {
	var parts []string
	if k.Records != "" {
		parts = append(parts, fmt.Sprintf("%d %s", rep.Records, k.Records))
	}
	if rep.Skipped > 0 {
		parts = append(parts, fmt.Sprintf("跳过示例 %d 行", rep.Skipped))
	}
	if len(parts) == 0 {
		return ""
	}
	return "（" + strings.Join(parts, "，") + "）"
}

// reportCounts lists a kind's own counts: "；新登记企业 1".
func reportCounts(rep kit.ImportReport) string {
	var b strings.Builder
	for _, c := range rep.Counts {
		fmt.Fprintf(&b, "；%s %d", c.Label, c.N)
	}
	return b.String()
}

func cmdExport() *Command {
	return &Command{
		Name: "export", Usage: "KIND [--format csv|xlsx] --out FILE [--data DIR | --db URL]",
		Short: "导出一类数据为导入格式的 CSV/Excel export a kind as an import file",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("export", e)
			format := fs.String("format", "", "csv 或 xlsx（默认按 --out 的扩展名，否则 csv）")
			out := fs.String("out", "", "输出文件（- 为标准输出）output file")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 || *out == "" {
				return usageError{Msg: "需要类型参数和 --out need KIND and --out FILE"}
			}
			if *format == "" {
				*format = "csv"
				if strings.EqualFold(filepath.Ext(*out), ".xlsx") {
					*format = "xlsx"
				}
			}
			if !slices.Contains(kit.ExportFormats, *format) {
				return usageError{Msg: fmt.Sprintf("--format 只能是 csv 或 xlsx，不能是“%s”", *format)}
			}
			if err := knownKind(fs.Arg(0)); err != nil {
				return err
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			k, err := importKind(a.Set, fs.Arg(0))
			if err != nil {
				return err
			}
			if k.Export == nil {
				return usageError{Msg: fmt.Sprintf("类型“%s”暂不支持导出 kind has no export", k.Name)}
			}
			var w io.Writer = e.Stdout
			var tmp *os.File
			if *out != "-" {
				if tmp, err = os.CreateTemp(filepath.Dir(*out), ".export-*"); err != nil {
					return fmt.Errorf("写入 %s 失败: %w", *out, err)
				}
				defer os.Remove(tmp.Name())
				defer tmp.Close()
				w = tmp
			}
			tf, err := kit.NewTableFile(*format, w)
			if err != nil {
				return err
			}
			rows := 0
			err = k.Export(ctx, auth.CLI(e.Getenv("USER")), countingWriter{tf, &rows})
			if err == nil {
				err = tf.Close()
			}
			if err != nil {
				return err
			}
			if tmp != nil {
				if err := tmp.Close(); err != nil {
					return fmt.Errorf("写入 %s 失败: %w", *out, err)
				}
				if err := os.Rename(tmp.Name(), *out); err != nil {
					return fmt.Errorf("写入 %s 失败: %w", *out, err)
				}
				fmt.Fprintf(e.Stdout, "已导出 %d 行到 %s exported rows\n", max(rows-1, 0), *out)
			}
			return nil
		},
	}
}

type countingWriter struct {
	kit.TableWriter
	n *int
}

func (c countingWriter) Write(cells []string) error {
	*c.n++
	return c.TableWriter.Write(cells)
}
