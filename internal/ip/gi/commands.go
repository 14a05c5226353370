package gi

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"sidi/internal/auth"
	"sidi/internal/cli"
)

// Commands are the register's commands of the sidi binary (through its
// module): brand-archive.
func Commands(open cli.Open[*Service]) []*cli.Command {
	return []*cli.Command{cmdBrandArchive(open)}
}

// cmdBrandArchive archives a document with a brand of the catalogue.
func cmdBrandArchive(open cli.Open[*Service]) *cli.Command {
	return &cli.Command{
		Name: "brand-archive", Usage: "BRAND_ID FILE [--title TITLE] [--data DIR | --db URL]",
		Short: "把文件存入品牌档案（按 SHA-256）archive a document with a brand",
		Long:  "把 FILE 存入品牌目录中编号为 BRAND_ID 的品牌的档案，以内容的 SHA-256 标识；同一内容再次存入不会重复。标题默认为文件名。",
		Run: func(ctx context.Context, e *cli.Env, args []string) error {
			fs := cli.NewFlags("brand-archive", e)
			title := fs.String("title", "", "文件标题（默认文件名）document title")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 2 {
				return cli.UsageError{Msg: "需要品牌编号和文件 need BRAND_ID and FILE"}
			}
			id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
			if err != nil || id < 1 {
				return cli.UsageError{Msg: fmt.Sprintf("品牌编号“%s”无效", fs.Arg(0))}
			}
			st, err := os.Stat(fs.Arg(1))
			if err != nil {
				return fmt.Errorf("读取 %s 失败: %w", fs.Arg(1), err)
			}
			if st.Size() > MaxDocument {
				return fmt.Errorf("文件超过 %d MB", MaxDocument>>20)
			}
			content, err := os.ReadFile(fs.Arg(1))
			if err != nil {
				return fmt.Errorf("读取 %s 失败: %w", fs.Arg(1), err)
			}
			if *title == "" {
				*title = filepath.Base(fs.Arg(1))
			}
			svc, closeStore, err := open(ctx, cfg())
			if err != nil {
				return err
			}
			defer closeStore()
			d, err := svc.Archive(ctx, auth.CLI("brand-archive"), id, *title, content)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "已存入品牌档案 archived: %s（%d 字节）sha256 %s\n", d.Title, d.Size, d.SHA256)
			return nil
		},
	}
}
