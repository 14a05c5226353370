package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sidi/internal/store"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

// fileWriter writes files into dir for a test and returns their paths.
func fileWriter(t *testing.T, dir string) func(name, body string) string {
	return func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
}

const seedPath = "../../internal/demo/plan-2021.txt"

func TestPlanParse(t *testing.T) {
	code, out, errs := runCLI(t, "plan", "parse", seedPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Title   string `json:"title"`
		Issued  string `json:"issued"`
		Pillars []struct {
			Tasks []struct {
				Number  int      `json:"number"`
				Lead    []string `json:"lead"`
				Targets []any    `json:"targets"`
			} `json:"tasks"`
		} `json:"pillars"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	n, targets := 0, 0
	for _, p := range doc.Pillars {
		for _, tk := range p.Tasks {
			n++
			targets += len(tk.Targets)
		}
	}
	if n != 27 || targets != 18 || doc.Issued != "2021-12-22" {
		t.Fatalf("parsed %d tasks, %d targets, issued %q", n, targets, doc.Issued)
	}
}

func TestCLIErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, nil, 0o644)
	notext := filepath.Join(dir, "random.bin")
	os.WriteFile(notext, bytes.Repeat([]byte("PK\x03\x04\x00\x01\x02\xff"), 1<<18), 0o644)
	notasks := filepath.Join(dir, "notasks.txt")
	os.WriteFile(notasks, []byte("关于做好年终总结的通知\n各单位：请于月底前报送总结。\n"), 0o644)
	cases := []struct {
		args     []string
		code     int
		inStderr string
	}{
		{[]string{"plan", "parse"}, 2, "usage"},
		{[]string{"plan", "parse", empty}, 1, "文件为空"},
		{[]string{"plan", "parse", notasks}, 1, "未找到编号任务"},
		{[]string{"plan", "parse", filepath.Join(dir, "missing.txt")}, 1, "读取文件失败"},
		{[]string{"frobnicate"}, 2, "未知命令"},
		{[]string{"plan", "import", "--data", dir, notasks}, 1, "未找到编号的重点任务"},
		{[]string{"plan", "parse", notext}, 1, "文件不是文本（第 2 字节起含二进制内容），请上传方案的 .txt 文本"},
		{[]string{"plan", "import", "--data", dir, notext}, 1, "无法识别方案文本：文件不是文本（第 2 字节起含二进制内容）"},
		{[]string{"serve", "--db", "mysql://x"}, 1, "postgres://"},
		{[]string{"serve", "--trusted-proxy", "10.0.0.0/33", "--data", dir}, 1, "可信代理地址“10.0.0.0/33”无效"},
		{[]string{"serve", "--trusted-proxy", "10.0.0.0/8,proxy.local", "--data", dir}, 1, "invalid trusted proxy \"proxy.local\""},
		{[]string{"demo", "--no-serve", "--trusted-proxy", "fe80::1%eth0", "--data", dir}, 1, "可信代理地址"},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.inStderr) {
			t.Errorf("sidi %s: exit %d stderr %q; want exit %d containing %q", strings.Join(c.args, " "), code, errs, c.code, c.inStderr)
		}
	}
}

func TestTrustedProxyFromEnvironment(t *testing.T) {
	var out, errb bytes.Buffer
	e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "SIDI_TRUSTED_PROXY" {
			return "10.0.0.0/8, bogus"
		}
		return ""
	}}
	if code := run(context.Background(), e, []string{"serve", "--data", t.TempDir()}); code != 2 || !strings.Contains(errb.String(), "SIDI_TRUSTED_PROXY: 可信代理地址“bogus”无效") {
		t.Errorf("exit %d, stderr %q; want 2 naming the bad SIDI_TRUSTED_PROXY item", code, errb.String())
	}
}

func TestHelpListsEveryCommand(t *testing.T) {
	_, out, _ := runCLI(t, "help")
	for _, c := range commands() {
		if !strings.Contains(out, c.Name) {
			t.Errorf("help lacks %q", c.Name)
		}
	}
}

// TestAliasesResolve: a command kept under an old name (cli.Command.Alias)
// stands for a command that runs, never for another alias (no loop), and
// has no Run of its own; names are unique.
func TestAliasesResolve(t *testing.T) {
	byName := map[string]*Command{}
	aliases := 0
	for _, c := range commands() {
		if byName[c.Name] != nil {
			t.Errorf("two commands named %q", c.Name)
		}
		byName[c.Name] = c
	}
	for _, c := range commands() {
		if c.Alias == "" {
			if c.Run == nil {
				t.Errorf("%s: neither Run nor Alias", c.Name)
			}
			continue
		}
		aliases++
		words := strings.Fields(c.Alias)
		var target *Command
		for n := len(words); n > 0 && target == nil; n-- {
			target = byName[strings.Join(words[:n], " ")]
		}
		if c.Run != nil || target == nil || target.Run == nil {
			t.Errorf("%s: alias of %q must name a command that runs, and have no Run itself", c.Name, c.Alias)
		}
	}
	if aliases == 0 {
		t.Error("no alias found (sidi standards import is one)")
	}
}

func TestDemoIsIdempotentAndAuditable(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI(t, "demo", "--no-serve", "--data", dir)
	if code != 0 || !strings.Contains(out, "27 项任务，18 个量化目标") || !strings.Contains(out, "demo-admin") {
		t.Fatalf("first demo: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = runCLI(t, "demo", "--no-serve", "--data", dir)
	if code != 0 || !strings.Contains(out, "沿用现有数据") {
		t.Fatalf("second demo: exit %d\n%s", code, out)
	}
	_, list, _ := runCLI(t, "plan", "list", "--data", dir)
	if n := strings.Count(strings.TrimSpace(list), "\n") + 1; n != 1 {
		t.Fatalf("plan list has %d versions after two demo runs:\n%s", n, list)
	}
	// An amended text becomes a draft that shows its change, then approves.
	amended := filepath.Join(dir, "amended.txt")
	seed, _ := os.ReadFile(seedPath)
	os.WriteFile(amended, bytes.Replace(seed, []byte("农畜产品品牌突破300个"), []byte("农畜产品品牌突破400个"), 1), 0o644)
	code, out, errs = runCLI(t, "plan", "import", "--data", dir, amended)
	if code != 0 || !strings.Contains(out, "第 2 版") || !strings.Contains(out, "任务 8 · 量化目标") {
		t.Fatalf("import amended: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, _ = runCLI(t, "plan", "import", "--data", dir, amended)
	if code != 0 || !strings.Contains(out, "未作改动") {
		t.Fatalf("re-import: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "audit", "verify", "--data", dir)
	if code != 0 || !strings.Contains(out, "审计链完好") || strings.Contains(out, "FAIL") {
		t.Fatalf("audit verify: exit %d\n%s", code, out)
	}
}

func TestServeAnswers(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCLI(t, "demo", "--no-serve", "--data", dir); code != 0 {
		t.Fatal(errs)
	}
	url, out, stop := startServer(t, "serve", "--addr", "127.0.0.1:0", "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "::1,10.0.0.0/8", "--data", dir)
	req, _ := http.NewRequest("GET", url+"plan", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /plan: %d", resp.StatusCode)
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("--trusted-proxy 127.0.0.1 not applied: X-Forwarded-Proto https from it gave no HSTS")
	}
	if !strings.Contains(out.String(), "trusted proxies: 127.0.0.1/32, ::1/128, 10.0.0.0/8") {
		t.Errorf("start-up output does not list the trusted proxies: %s", out.String())
	}
	stop()
}

func TestBulletinCommand(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCLI(t, "demo", "--no-serve", "--data", dir); code != 0 {
		t.Fatal(errs)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bulletin", "--data", dir, "--period", "2025Q4", "--format", "html", "--out", filepath.Join(dir, "b.html")}, 0, "已生成"},
		{[]string{"bulletin", "--data", dir, "--period", "2025Q4", "--format", "xlsx", "--out", filepath.Join(dir, "b.xlsx")}, 0, "已生成"},
		{[]string{"bulletin", "--data", dir, "--period", "2031Q9", "--out", filepath.Join(dir, "x.html")}, 1, "没有“2031Q9”这个报送周期"},
		{[]string{"bulletin", "--data", dir, "--period", "2025Q4", "--format", "pdf", "--out", "x"}, 2, "html 或 xlsx"},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("sidi %s: exit %d, %s%s", strings.Join(c.args, " "), code, out, errs)
		}
	}
	html, _ := os.ReadFile(filepath.Join(dir, "b.html"))
	for _, w := range []string{"<style>", "2025年第4季度工作进展情况的通报", "五、下一步工作", "审计链头：第 "} {
		if !strings.Contains(string(html), w) {
			t.Errorf("bulletin HTML lacks %q", w)
		}
	}
	x, _ := os.ReadFile(filepath.Join(dir, "b.xlsx"))
	if !bytes.HasPrefix(x, []byte("PK")) {
		t.Error("bulletin XLSX is not a zip file")
	}
}

// TestMigrateStatus: --status names every migration still to apply and
// changes nothing; after `sidi migrate` it says the schema is up to date.
func TestMigrateStatus(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "migrate", "--status", "--data", dir)
	if code != 0 {
		t.Fatalf("status: %d %s", code, errOut)
	}
	ms, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	last := ms[len(ms)-1]
	if !strings.Contains(out, fmt.Sprintf("schema version 0 of %d", len(ms))) || !strings.Contains(out, fmt.Sprintf("pending: %04d %s", last.Version, last.Name)) ||
		strings.Count(out, "pending:") != len(ms) {
		t.Fatalf("status of an empty database:\n%s", out)
	}
	if code, out, _ = runCLI(t, "migrate", "--status", "--data", dir); code != 0 || strings.Count(out, "pending:") != len(ms) {
		t.Fatalf("--status applied migrations:\n%s", out)
	}
	if code, _, errOut = runCLI(t, "migrate", "--data", dir); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	if _, out, _ = runCLI(t, "migrate", "--status", "--data", dir); !strings.Contains(out, "up to date") || strings.Contains(out, "pending") {
		t.Fatalf("status after migrate:\n%s", out)
	}
}
