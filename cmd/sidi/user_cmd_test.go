package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"sidi/internal/audit"
	"sidi/internal/auth"
	"sidi/internal/org"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// runIn runs sidi with stdin as standard input.
func runIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

// eachStorage runs fn with the storage flags of a fresh database on every
// engine this machine offers.
func eachStorage(t *testing.T, fn func(t *testing.T, flags []string, cfg store.Config)) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			cfg := storetest.Config(t, d)
			flags := []string{"--data", cfg.DataDir}
			if cfg.URL != "" {
				flags = append(flags, "--db", cfg.URL)
			}
			fn(t, flags, cfg)
		})
	}
}

func TestUserCommands(t *testing.T) {
	eachStorage(t, func(t *testing.T, storage []string, cfg store.Config) {
		with := func(args ...string) []string { return append(args, storage...) }
		const adminPW = "Qinghai@2025"
		steps := []struct {
			name     string
			stdin    string
			args     []string
			code     int
			inStdout string
			inStderr string
		}{
			{"list of an empty system", "", with("user", "list"), 0, "", ""},
			{"bootstrap without a password", "", with("user", "bootstrap", "--login", "root", "--name", "王管理"), 2, "", "标准输入"},
			{"bootstrap with a weak password", "abc\n", with("user", "bootstrap", "--login", "root", "--name", "王管理"), 1, "", "密码不符合安全要求"},
			{"bootstrap without a name", adminPW + "\n", with("user", "bootstrap", "--login", "root"), 2, "", "--name"},
			{"password is never a flag", adminPW + "\n", with("user", "bootstrap", "--login", "root", "--name", "王管理", "--password", adminPW), 1, "", "flag provided but not defined: -password"},
			{"bootstrap", adminPW + "\n", with("user", "bootstrap", "--login", "root", "--name", "王管理"), 0, "已创建系统管理员", ""},
			{"bootstrap twice", adminPW + "\n", with("user", "bootstrap", "--login", "root2", "--name", "李管理"), 1, "", "系统已有用户账号"},
			{"add by code", "Fgw#2025pass\n", with("user", "add", "--login", "zhang.fgw", "--name", "张填报", "--dept", "qh-drc", "--role", "reporter,approver"), 0, "青海省发展和改革委员会", ""},
			{"add by alias", "Xining#2025\n", with("user", "add", "--login", "li.xn", "--name", "李西宁", "--dept", "西宁市", "--role", "reporter", "--scope", "subtree"), 0, "本部门及以下数据", ""},
			{"add by renamed name", "Renmin#2025\n", with("user", "add", "--login", "pbc", "--name", "赵人行", "--dept", "人行西宁中心支行", "--role", "reporter"), 0, "中国人民银行青海省分行", ""},
			{"group name", "Fgw#2025pass\n", with("user", "add", "--login", "grp", "--name", "某", "--dept", "各市州政府", "--role", "reporter"), 1, "", "代表 8 个部门"},
			{"unknown department", "Fgw#2025pass\n", with("user", "add", "--login", "xx1", "--name", "某", "--dept", "省宇宙局", "--role", "reporter"), 1, "", "部门目录中没有"},
			{"unknown role", "Fgw#2025pass\n", with("user", "add", "--login", "xx2", "--name", "某", "--dept", "qh-samr", "--role", "boss"), 1, "", "未知角色"},
			{"unknown scope", "Fgw#2025pass\n", with("user", "add", "--login", "xx3", "--name", "某", "--dept", "qh-samr", "--role", "reporter", "--scope", "world"), 1, "", "未知数据权限"},
			{"bad login", "Fgw#2025pass\n", with("user", "add", "--login", "Zhang San", "--name", "某", "--dept", "qh-samr", "--role", "reporter"), 1, "", "登录名须为"},
			{"taken login", "Fgw#2025pass\n", with("user", "add", "--login", "zhang.fgw", "--name", "某", "--dept", "qh-samr", "--role", "reporter"), 1, "", "已被使用"},
			{"no role", "Fgw#2025pass\n", with("user", "add", "--login", "xx4", "--name", "某", "--dept", "qh-samr"), 2, "", "--role"},
			{"add without a password", "", with("user", "add", "--login", "xx5", "--name", "某", "--dept", "qh-samr", "--role", "reporter"), 2, "", "标准输入"},
		}
		for _, s := range steps {
			code, out, errs := runIn(t, s.stdin, s.args...)
			if code != s.code || !strings.Contains(out, s.inStdout) || !strings.Contains(errs, s.inStderr) {
				t.Fatalf("%s: exit %d\nstdout %q\nstderr %q\nwant exit %d, stdout containing %q, stderr containing %q",
					s.name, code, out, errs, s.code, s.inStdout, s.inStderr)
			}
			if strings.Contains(out+errs, adminPW) {
				t.Fatalf("%s: the password was echoed", s.name)
			}
		}
		code, out, _ := runIn(t, "", with("user", "list")...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(lines) != 4 {
			t.Fatalf("user list: exit %d, %d lines:\n%s", code, len(lines), out)
		}
		for _, want := range []string{"root\t王管理\t青海省市场监督管理局\t系统管理员\t全部数据\t正常", "zhang.fgw\t张填报\t青海省发展和改革委员会\t部门填报员、部门审核人\t本部门数据", "li.xn\t李西宁\t西宁市人民政府"} {
			if !strings.Contains(out, want) {
				t.Errorf("user list lacks %q:\n%s", want, out)
			}
		}

		// The accounts work, and the log says who made them.
		ctx := context.Background()
		db, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		as := auth.NewService(db, org.NewService(db))
		if sess, _, err := as.Login(ctx, "root", adminPW, "127.0.0.1", "test"); err != nil || sess.MustChangePassword {
			t.Fatalf("bootstrap administrator cannot log in as chosen: %v %+v", err, sess)
		}
		if sess, _, err := as.Login(ctx, "zhang.fgw", "Fgw#2025pass", "127.0.0.1", "test"); err != nil || !sess.MustChangePassword {
			t.Fatalf("added user: %v %+v (must change the initial password)", err, sess)
		}
		recs, _, err := audit.List(ctx, db.Reader(), audit.Filter{Entity: "user", Action: "create"})
		if err != nil || len(recs) != 3 {
			t.Fatalf("audit of user add: %d records, %v", len(recs), err)
		}
		for _, r := range recs {
			if !strings.HasPrefix(r.Actor, "cli:") {
				t.Errorf("user created by %q, want the command-line operator", r.Actor)
			}
		}
		if code, out, _ := runIn(t, "", with("audit", "verify")...); code != 0 || !strings.Contains(out, "审计链完好") {
			t.Fatalf("audit verify after user commands: %d %s", code, out)
		}
	})
}

func TestUserHelp(t *testing.T) {
	code, out, _ := runIn(t, "", "help", "user", "add")
	if code != 0 || !strings.Contains(out, "qh-samr") || !strings.Contains(out, "标准输入") {
		t.Fatalf("help user add: %d\n%s", code, out)
	}
}
