package main

import (
	"bufio"
	"context"
	"fmt"
	"golang.org/x/term"
	"io"
	"os"
	"os/user"
	"sidi/internal/cli"
	"strings"

	"sidi/internal/apperr"
	"sidi/internal/auth"
)

// userCommands are the account commands (sidi user …).
func userCommands() []*Command {
	return []*Command{cmdUserBootstrap(), cmdUserAdd(), cmdUserList(), cmdUserRemoveDemo()}
}

// operator is the command-line principal: the operating-system user who
// runs sidi, who already holds the database and so every right.
func operator(e *Env) auth.Principal {
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if name == "" && e.Getenv != nil {
		name = e.Getenv("USER")
	}
	return auth.CLI(name)
}

// isTerminal reports whether r is an interactive terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// readPassword takes a password from the first line of standard input, so
// it never appears in the process list or the shell history. On a terminal
// it asks for it without echoing what is typed.
func readPassword(e *Env, prompt string) (string, error) {
	if e.Stdin == nil {
		return "", usageError{Msg: "请通过标准输入提供密码 password must come on standard input"}
	}
	if f, ok := e.Stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprintf(e.Stderr, "%s: ", prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.Stderr)
		if err != nil {
			return "", fmt.Errorf("读取密码失败 read password: %w", err)
		}
		if len(b) == 0 {
			return "", usageError{Msg: "密码不能为空 the password must not be empty"}
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(e.Stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("读取密码失败 read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usageError{Msg: "标准输入的第一行须为密码 the first line of standard input must be the password，例如 e.g. printf '%s\\n' \"$PW\" | sidi user …"}
	}
	return pw, nil
}

func cmdUserBootstrap() *Command {
	return &Command{
		Name: "user bootstrap", Usage: "--login L --name N [--data DIR | --db URL] < password",
		Short: "创建第一个系统管理员（仅在尚无任何账号时）create the first administrator",
		Long: "在尚无任何用户账号时创建第一个系统管理员（省市场监管局，数据权限“全部”）。密码从标准输入的第一行读取，\n" +
			"不接受命令行参数。已有账号时拒绝执行，请由现有管理员在“系统管理 › 用户管理”中创建账号。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("user bootstrap", e)
			login := fs.String("login", "", "登录名 login name")
			name := fs.String("name", "", "姓名 full name")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if *login == "" || *name == "" || fs.NArg() != 0 {
				return usageError{Msg: "需要 --login 和 --name need --login and --name"}
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			// Refuse before asking for a password nobody will use; Bootstrap
			// checks again inside its transaction.
			if has, err := a.Auth.HasUsers(ctx); err != nil {
				return err
			} else if has {
				return apperr.Conflict("系统已有用户账号，不能再次初始化管理员；请由现有系统管理员在“系统管理 › 用户管理”中创建账号")
			}
			pw, err := readPassword(e, "请输入管理员密码 password")
			if err != nil {
				return err
			}
			u, err := a.Auth.Bootstrap(ctx, *login, *name, pw)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "已创建系统管理员 created administrator %s（%s · %s），请登录后在“系统管理”中创建其他账号\n", u.Login, u.Name, u.DeptName)
			return nil
		},
	}
}

// parseRoles splits "reporter,approver".
func parseRoles(s string) []auth.Role {
	var out []auth.Role
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, auth.Role(p))
		}
	}
	return out
}

func cmdUserAdd() *Command {
	return &Command{
		Name: "user add", Usage: "--login L --name N --dept D --role R[,R] [--scope own|subtree|all] [--data DIR | --db URL] < password",
		Short: "新增用户账号 add a user account",
		Long: "D 为部门编码（如 qh-samr、630100）或部门全称、简称、别名（如 省发改委）。角色可选：" +
			"admin（系统管理员）、supervisor（督办人员）、reporter（部门填报员）、approver（部门审核人）、inspector（执法检查人员）、enterprise（企业用户）。\n" +
			"初始密码从标准输入的第一行读取，不接受命令行参数；用户首次登录须修改密码。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("user add", e)
			login := fs.String("login", "", "登录名 login name")
			name := fs.String("name", "", "姓名 full name")
			dept := fs.String("dept", "", "部门编码或名称 department code or name")
			roles := fs.String("role", "", "角色，多个用逗号分隔 roles, comma-separated")
			scope := fs.String("scope", "own", "数据权限 data scope: own|subtree|all")
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if *login == "" || *name == "" || *dept == "" || *roles == "" || fs.NArg() != 0 {
				return usageError{Msg: "需要 --login、--name、--dept 和 --role need --login, --name, --dept and --role"}
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			d, err := a.Org.Find(ctx, *dept)
			if err != nil {
				return err
			}
			pw, err := readPassword(e, "请输入初始密码 initial password")
			if err != nil {
				return err
			}
			u, err := a.Auth.CreateUser(ctx, operator(e), auth.NewUser{Login: *login, Name: *name, DeptID: d.ID,
				Roles: parseRoles(*roles), Scope: auth.Scope(*scope), Password: pw})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stdout, "已创建用户 created %s（%s · %s · %s · %s），首次登录须修改密码\n",
				u.Login, u.Name, u.DeptName, roleList(u.Roles), u.Scope.Label())
			return nil
		},
	}
}

func roleList(roles []auth.Role) string {
	parts := make([]string, len(roles))
	for i, r := range roles {
		parts[i] = r.Label()
	}
	return strings.Join(parts, "、")
}

func cmdUserList() *Command {
	return &Command{
		Name: "user list", Usage: "[--data DIR | --db URL]",
		Short: "列出用户账号 list user accounts",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("user list", e)
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			p := operator(e)
			for off := 0; ; off += 500 {
				us, total, err := a.Auth.ListUsers(ctx, p, auth.UserFilter{Offset: off, Limit: 500})
				if err != nil {
					return err
				}
				for _, u := range us {
					fmt.Fprintf(e.Stdout, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Login, u.Name, u.DeptName, roleList(u.Roles), u.Scope.Label(), u.Status.Label())
				}
				if len(us) < 500 || off+len(us) >= total {
					break
				}
			}
			return nil
		},
	}
}

func cmdUserRemoveDemo() *Command {
	return &Command{
		Name: "user remove-demo", Usage: "[--data DIR | --db URL]",
		Short: "停用演示账号 disable the demo accounts",
		Long: "停用 sidi demo 创建的全部演示账号（其密码是公开的），并结束它们的登录会话、吊销它们的 API 令牌，逐一记入审计日志。\n" +
			"正式运行前请执行一次；再次执行不会有任何改动。",
		Run: func(ctx context.Context, e *Env, args []string) error {
			fs := cli.NewFlags("user remove-demo", e)
			cfg := cli.Storage(fs, e)
			if err := cli.ParseArgs(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 0 {
				return usageError{Msg: "多余的参数 unexpected arguments"}
			}
			a, err := openApp(ctx, cfg())
			if err != nil {
				return err
			}
			defer a.Close()
			done, err := a.Auth.RemoveDemoAccounts(ctx, operator(e))
			if err != nil {
				return err
			}
			if len(done) == 0 {
				fmt.Fprintln(e.Stdout, "没有需要停用的演示账号 no demo accounts to disable")
				return nil
			}
			fmt.Fprintf(e.Stdout, "已停用 %d 个演示账号 disabled demo accounts: %s\n", len(done), strings.Join(done, ", "))
			return nil
		},
	}
}
