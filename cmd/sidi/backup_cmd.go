package main

import (
	"context"
	"fmt"
	"os"
	"sidi/internal/cli"
	"strings"
	"time"

	"sidi/internal/backup"
	"sidi/internal/store"
)

// backupCommands take and restore backups (internal/backup).
func backupCommands() []*Command {
	return []*Command{cmdBackup(), cmdRestore()}
}

func cmdBackup() *Command {
	return &Command{
		Name: "backup", Usage: "--out FILE [--include-key] [--force] [--data DIR | --db URL]",
		Short: "在线备份数据库与数据目录 take a consistent online backup",
		Long: "服务运行时也可备份：SQLite 以 VACUUM INTO 复制，PostgreSQL 在一个 REPEATABLE READ 快照中逐表导出；\n" +
			"同时备份数据目录中的审计检查点等文件，并写入清单（数据库版本、各表行数、审计链头、每个文件的 SHA-256）。\n" +
			"审计密钥默认不入备份，须另行保管；--include-key 可一并备份（备份文件须同等保密）。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("backup", e)
			out := fs.String("out", "", "备份文件 archive to write (.tar.gz)")
			includeKey := fs.Bool("include-key", false, "一并备份审计密钥 also archive the audit key")
			force := fs.Bool("force", false, "覆盖已有的备份文件 replace an existing archive")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if *out == "" || fs.NArg() > 0 {
				return usageError{Msg: "须给出 --out FILE，且不接受其他参数 --out FILE is required"}
			}
			if _, err := os.Lstat(*out); err == nil {
				if !*force {
					return fmt.Errorf("%s 已存在，不会覆盖（如确需覆盖请加 --force） %s exists", *out, *out)
				}
				if err := os.Remove(*out); err != nil {
					return err
				}
			}
			if *includeKey {
				fmt.Fprintln(e.Stderr, "警告 warning: 备份中含审计密钥，持有备份者可伪造审计记录，请妥善保管 the archive holds the audit key: keep it as secret as the key")
			}
			db, err := store.Open(ctx, cfg())
			if err != nil {
				return err
			}
			defer db.Close()
			start := time.Now()
			m, err := backup.Create(ctx, db, *out, backup.Options{IncludeKey: *includeKey, SidiVersion: version})
			if err != nil {
				return err
			}
			fi, err := os.Stat(*out)
			if err != nil {
				return err
			}
			var rows int64
			for _, t := range m.Tables {
				rows += t.Rows
			}
			fmt.Fprintf(e.Stdout, "已备份 backed up %s → %s：%d 张表 %d 行，%d 个文件，%d 字节，用时 %s\n审计链头 audit head: %s；登录链头 login head: %s\n",
				cfg().Describe(), *out, len(m.Tables), rows, len(m.Parts), fi.Size(), time.Since(start).Round(time.Millisecond), m.AuditHead.Short(), m.LoginHead.Short())
			if !m.IncludesKey {
				fmt.Fprintln(e.Stdout, "审计密钥未入备份，请另行保管 audit.key（或 SIDI_AUDIT_KEY） the audit key is not in the archive: keep it apart")
			}
			return nil
		},
	}
}

func cmdRestore() *Command {
	return &Command{
		Name: "restore", Usage: "FILE --data DIR | --db URL --data DIR",
		Short: "从备份恢复到空的数据目录或数据库 restore a backup into an empty target",
		Long: "只恢复到空目标（同一种数据库引擎），逐一核对清单中每个文件的 SHA-256 与各表行数，最后执行审计校验（同 sidi audit verify）。\n" +
			"备份不含审计密钥时，须先设置 SIDI_AUDIT_KEY 或把 audit.key 复制到目标数据目录。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("restore", e)
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			rest := fs.Args()
			if len(rest) == 0 {
				return usageError{Msg: "须给出备份文件 FILE is required"}
			}
			file := rest[0]
			if len(rest) > 1 {
				return usageError{Msg: "多余的参数 unexpected arguments: " + strings.Join(rest[1:], " ")}
			}
			c := cfg()
			start := time.Now()
			res, err := backup.Restore(ctx, file, c)
			if res != nil && res.Report != nil {
				for _, ch := range res.Report.Checks {
					mark := "通过 PASS"
					switch {
					case !ch.OK:
						mark = "失败 FAIL"
					case ch.Warning:
						mark = "警告 WARN"
					}
					fmt.Fprintf(e.Stdout, "%s  %s\n    %s\n", mark, ch.Label, ch.Detail)
				}
			}
			if err != nil {
				return err
			}
			var rows int64
			for _, t := range res.Manifest.Tables {
				rows += t.Rows
			}
			fmt.Fprintf(e.Stdout, "已恢复 restored %s → %s：%d 张表 %d 行，用时 %s；审计校验通过 audit verify OK（%d 条记录、%d 条登录记录）\n",
				file, c.Describe(), len(res.Manifest.Tables), rows, time.Since(start).Round(time.Millisecond), res.Report.Records, res.Report.Logins)
			return nil
		},
	}
}
