package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"sidi/internal/auth"
	"sidi/internal/ip/gi"
)

// cmdBrandArchive archives a document with a brand of the catalogue.
func cmdBrandArchive() *Command {
	return &Command{
		Name: "brand-archive", Usage: "BRAND_ID FILE [--title TITLE] [--data DIR | --db URL]",
		Short: "把文件存入品牌档案（按 SHA-256）archive a document with a brand",
		Long:  "把 FILE 存入品牌目录中编号为 BRAND_ID 的品牌的档案，以内容的 SHA-256 标识；同一内容再次存入不会重复。标题默认为文件名。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := newFlags("brand-archive", e)
			title := fs.String("title", "", "文件标题（默认文件名）document title")
			cfg := storageFlags(fs, e)
			if err := parseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 2 {
				return usageError{"需要品牌编号和文件 need BRAND_ID and FILE"}
			}
			id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
			if err != nil || id < 1 {
				return usageError{fmt.Sprintf("品牌编号“%s”无效", fs.Arg(0))}
			}
			st, err := os.Stat(fs.Arg(1))
			if err != nil {
				return fmt.Errorf("读取 %s 失败: %w", fs.Arg(1), err)
			}
			if st.Size() > gi.MaxDocument {
				return fmt.Errorf("文件超过 %d MB", gi.MaxDocument>>20)
			}
			content, err := os.ReadFile(fs.Arg(1))
			if err != nil {
				return fmt.Errorf("读取 %s 失败: %w", fs.Arg(1), err)
			}
			if *title == "" {
				*title = filepath.Base(fs.Arg(1))
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			d, err := a.GI.Archive(ctx, auth.CLI("brand-archive"), id, *title, content)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "已存入品牌档案 archived: %s（%d 字节）sha256 %s\n", d.Title, d.Size, d.SHA256)
			return nil
		},
	}
}
