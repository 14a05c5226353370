package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sidi/internal/auth"
	"sidi/internal/equipment"
	"sidi/internal/inspect"
	"sidi/internal/ip/trademark"
	"sidi/internal/kit"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/web"
)

// Who may call the import pages (import_pages.go): the routes admit the
// roles some kind declares (the market-supervision inspector keeps the
// sampling batches and the special equipment); a kind narrows that to its
// own roles. The matrix asks for trademarks, an editors' kind.
var importers = []string{admin, supervisor, inspector}

func init() {
	for k, v := range map[string][]string{
		"GET /import":                     importers,
		"GET /import/{kind}":              editorsOnly,
		"POST /import/{kind}":             editorsOnly,
		"GET /import/{kind}/template":     editorsOnly,
		"GET /import/{kind}/rejects/{id}": editorsOnly,
		"GET /export/{kind}":              editorsOnly,
	} {
		expectedAccess[k] = v
	}
	for _, who := range importers {
		wantMenu[who] = append(slices.Clone(wantMenu[who]), "/import")
	}
}

// importKindAccess is who may import a kind on its page: the registers
// whose own import pages folded onto /import/{kind} admit there whom their
// pages admitted (TestAuthorizationMatrix asks each kind by GET and POST).
var importKindAccess = map[string][]string{
	"trademarks":            editorsOnly,
	"equipment":             equipmentKeepers,
	"sampling_batches":      samplingStaff,
	"certificates":          nqiEditors,
	"measurement-standards": nqiEditors,
	"instruments":           nqiEditors,
	"instrument-types":      nqiEditors,
}

// movedImports are the registers' old import pages, kept for bookmarks:
// each leads to its kind's page (TestAuthorizationMatrix follows them).
var movedImports = map[string]string{
	"/equipment/import":                      "/import/equipment",
	"/sampling/import":                       "/import/sampling_batches",
	"/nqi/import":                            "/import/certificates",
	"/nqi/import?kind=measurement-standards": "/import/measurement-standards",
	"/nqi/import?kind=instruments":           "/import/instruments",
	"/nqi/import?kind=instrument-types":      "/import/instrument-types",
}

// importForm is an upload of the import page: the file, the mode and the
// CSRF token (none when csrf is empty).
func importForm(t *testing.T, csrf, mode, name string, data []byte) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if csrf != "" {
		mw.WriteField("csrf_token", csrf)
	}
	if mode != "" {
		mw.WriteField("mode", mode)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return mw.FormDataContentType(), &buf
}

func (c *client) upload(path, csrf, mode, name string, data []byte) (*http.Response, string) {
	c.t.Helper()
	ct, body := importForm(c.t, csrf, mode, name, data)
	return c.do("POST", path, body, map[string]string{"Content-Type": ct})
}

// imported uploads a file that gets as far as the import (a redirect to
// its outcome) and returns the outcome page.
func (c *client) imported(path, csrf, mode, name string, data []byte) (*http.Response, string) {
	c.t.Helper()
	resp, page := c.upload(path, csrf, mode, name, data)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, path+"?result=") {
		c.t.Fatalf("upload to %s: %d %s %s", path, resp.StatusCode, loc, page)
	}
	return c.get(loc)
}

// errorAt reports whether an import page lists a failure at the row and
// column (named, with its letter when the kind gives one).
func errorAt(page string, row int, column string) bool {
	return regexp.MustCompile(fmt.Sprintf(`<td class="num">%d</td><td>(?:[A-Z]+ 列（)?%s`, row, regexp.QuoteMeta(column))).MatchString(page)
}

func countRows(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// marks is a small trademark extract in the header (the rows of
// the register's own tests).
const marks = "注册号,商标名称,国际分类,注册人,统一社会信用代码,行政区划代码,申请日期,注册日期,专用权期限至,商标类型,马德里国际注册号,状态\n" +
	"12345678,昆仑雪,29;30,青海昆仑食品有限公司,91630100MA752XUH3X,630102,2014-01-02,2015-03-14,2025-03-13,普通,,有效\n" +
	"23456789,柴达木枸杞,29,海西州枸杞协会,,632800,2009-05-01,2010-06-07,2030-06-06,证明,,有效\n" +
	"34567890,雪域牦牛,29,青海雪域乳业有限公司,,630100,2018-01-01,2019-02-03,2029-02-02,普通,1234567,\n"

var rejectsLink = regexp.MustCompile(`href="(/import/business_starts/rejects/[0-9a-f]+)"`)

// TestImportPages drives the generic import page on both engines: the
// kinds a caller sees follow their roles, templates carry the kind's
// header, CSV and XLSX uploads land (audited as the uploader), a bad file
// is refused by row and column with nothing written, skipped rows can be
// downloaded by their uploader only, a dry run writes nothing, and a
// missing CSRF token, an unknown kind and an oversize file are refused.
func TestImportPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)

		t.Run("kinds by role", func(t *testing.T) {
			resp, _ := f.client(t).get("/import")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
				t.Fatalf("anonymous: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			kindsOf := func(login string) []string {
				resp, page := f.as(t, login).get("/import")
				if resp.StatusCode != http.StatusOK {
					return nil
				}
				var out []string
				for _, m := range regexp.MustCompile(`<th scope="row"><a href="/import/([a-z_-]+)">`).FindAllStringSubmatch(page, -1) {
					out = append(out, m[1])
				}
				return out
			}
			all := kindsOf("demo-admin")
			for _, k := range []string{"trademarks", "patents", "gi-products", "ip-outlets", "entities", "business_starts", "fee_items", "sampling_batches", "equipment", "standards"} {
				if !slices.Contains(all, k) {
					t.Errorf("admin does not see %s: %v", k, all)
				}
			}
			if len(all) != len(f.web.ImportKinds) {
				t.Errorf("admin sees %d kinds of %d", len(all), len(f.web.ImportKinds))
			}
			insp := kindsOf("demo-inspector")
			if len(insp) == 0 || len(insp) >= len(all) || !slices.Contains(insp, "sampling_batches") || slices.Contains(insp, "trademarks") {
				t.Errorf("the inspector sees %v", insp)
			}
			if got := kindsOf("demo-reporter-drc"); got != nil {
				t.Errorf("the reporter sees %v", got)
			}
			// An inspector outside the market regulator keeps sampling
			// batches in its own scope, but not the special-equipment
			// register (its kind's department reach).
			if _, err := f.auth.CreateUser(context.Background(), auth.CLI("test"), auth.NewUser{Login: "drc.inspector", Name: "发改委检查员",
				DeptID: deptID(t, f, "qh-drc"), Roles: []auth.Role{auth.RoleInspector}, Password: "Inspect#2025x"}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Writer().Exec(`UPDATE users SET must_change_password = $1 WHERE login = 'drc.inspector'`, false); err != nil {
				t.Fatal(err)
			}
			other := f.client(t)
			other.login("drc.inspector", "Inspect#2025x")
			resp, page := other.get("/import")
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, `href="/import/sampling_batches"`) || strings.Contains(page, `href="/import/equipment"`) {
				t.Errorf("the 发改委 inspector: %d", resp.StatusCode)
			}
			if resp, _ := other.get("/import/equipment"); resp.StatusCode != http.StatusForbidden {
				t.Errorf("the 发改委 inspector opens the equipment import: %d", resp.StatusCode)
			}
			if resp, _ := f.as(t, "demo-inspector").get("/import/trademarks"); resp.StatusCode != http.StatusForbidden {
				t.Errorf("inspector opens the trademark import: %d", resp.StatusCode)
			}
			if resp, _ := f.as(t, "demo-admin").get("/import/no-such-kind"); resp.StatusCode != http.StatusNotFound {
				t.Errorf("unknown kind: %d", resp.StatusCode)
			}
		})

		c := f.as(t, "demo-admin")
		tok := c.csrf("/import/trademarks")

		t.Run("templates", func(t *testing.T) {
			want := kit.Header(trademark.ImportColumns)
			resp, body := c.get("/import/trademarks/template?format=csv")
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("csv template: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if got := strings.TrimSpace(strings.TrimPrefix(body, "\uFEFF")); got != strings.Join(want, ",") {
				t.Errorf("csv template header %q, want %q", got, strings.Join(want, ","))
			}
			resp, body = c.get("/import/trademarks/template?format=xlsx")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("xlsx template: %d", resp.StatusCode)
			}
			x, err := excelize.OpenReader(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := x.GetRows(x.GetSheetName(0))
			if err != nil || len(rows) != 1 || !slices.Equal(rows[0], want) {
				t.Errorf("xlsx template rows %v %v, want %v", rows, err, want)
			}
			if resp, _ := c.get("/import/trademarks/template?format=pdf"); resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("pdf template: %d", resp.StatusCode)
			}
		})

		t.Run("csv lands and is audited", func(t *testing.T) {
			resp, page := c.imported("/import/trademarks", tok, "all", "商标.csv", []byte(marks))
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, "新增 3") {
				t.Fatalf("upload: %d %s", resp.StatusCode, page)
			}
			if n := countRows(t, db, `SELECT COUNT(*) FROM trademarks`); n != 3 {
				t.Errorf("%d marks stored", n)
			}
			if n := countRows(t, db, `SELECT COUNT(*) FROM audit_log WHERE entity = 'import' AND entity_id = 'trademarks' AND actor = 'demo-admin'`); n != 1 {
				t.Errorf("%d audit entries by demo-admin", n)
			}
			resp, page = c.imported("/import/trademarks", tok, "all", "商标.csv", []byte(marks))
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, "未变 3") {
				t.Errorf("the same file again: %d", resp.StatusCode)
			}
			resp, body := c.get("/export/trademarks?format=csv")
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "23456789") || !strings.Contains(body, "柴达木枸杞") {
				t.Errorf("export: %d %q", resp.StatusCode, body)
			}
		})

		t.Run("xlsx lands", func(t *testing.T) {
			var buf bytes.Buffer
			tf, err := kit.NewTableFile("xlsx", &buf)
			if err != nil {
				t.Fatal(err)
			}
			tf.Write(kit.Header(inspect.EntityColumns))
			tf.Write([]string{inspect.GenCode(1, "630104"), "西宁城西示例商贸有限公司", "630104", "有限责任公司", "A"})
			tf.Write([]string{inspect.GenCode(2, "632801"), "格尔木示例盐化有限公司", "632801", "有限责任公司", "C"})
			if err := tf.Close(); err != nil {
				t.Fatal(err)
			}
			resp, page := c.imported("/import/entities", tok, "all", "名录库.xlsx", buf.Bytes())
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, "新增 2") {
				t.Fatalf("xlsx upload: %d %s", resp.StatusCode, page)
			}
			if n := countRows(t, db, `SELECT COUNT(*) FROM inspect_entities`); n != 2 {
				t.Errorf("%d entities stored", n)
			}
		})

		bad, err := os.ReadFile("../environment/bizenv/testdata/starts_bad.csv")
		if err != nil {
			t.Fatal(err)
		}
		sample, err := os.ReadFile("../environment/bizenv/testdata/starts_sample.csv")
		if err != nil {
			t.Fatal(err)
		}
		starts := `SELECT COUNT(*) FROM biz_starts`

		t.Run("refused whole", func(t *testing.T) {
			resp, page := c.imported("/import/business_starts", tok, "all", "开办.csv", bad)
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, "未导入任何记录") ||
				!strings.Contains(page, `<td class="num">2</td><td>E 列（行政区划代码）</td>`) {
				t.Errorf("bad file: %d %s", resp.StatusCode, page)
			}
			if n := countRows(t, db, starts); n != 0 {
				t.Errorf("a refused file wrote %d rows", n)
			}
		})

		t.Run("dry run", func(t *testing.T) {
			resp, page := c.imported("/import/business_starts", tok, "check", "开办.csv", sample)
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, "仅校验，未写入任何记录：共 3 行，正确 3 行") {
				t.Errorf("dry run: %d %s", resp.StatusCode, page)
			}
			if n := countRows(t, db, starts); n != 0 {
				t.Errorf("a dry run wrote %d rows", n)
			}
		})

		t.Run("skip invalid with rejects", func(t *testing.T) {
			mixed := append(bytes.TrimRight(slices.Clone(sample), "\n"), []byte("\nQH-BAD-9,坏行九,,有限责任公司,110101,2025-03-03 09:00,2025-03-03 10:00,,,,,,\n")...)
			resp, page := c.imported("/import/business_starts", tok, "skip", "开办.csv", mixed)
			if resp.StatusCode != http.StatusOK || !strings.Contains(page, "新增 3") || !strings.Contains(page, "跳过错误行 1") {
				t.Fatalf("skip: %d %s", resp.StatusCode, page)
			}
			if n := countRows(t, db, starts); n != 3 {
				t.Errorf("%d rows stored", n)
			}
			m := rejectsLink.FindStringSubmatch(page)
			if m == nil {
				t.Fatal("no rejects link")
			}
			resp, body := c.get(m[1])
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, "行号,列,原因") || !strings.Contains(body, "5,行政区划代码,") || !strings.Contains(body, "QH-BAD-9") {
				t.Errorf("rejects: %d %q", resp.StatusCode, body)
			}
			other := f.as(t, "demo-supervisor")
			if resp, _ := other.get(m[1]); resp.StatusCode != http.StatusNotFound {
				t.Errorf("another user reads the rejects: %d", resp.StatusCode)
			}
			result := "/import/business_starts?result=" + m[1][strings.LastIndex(m[1], "/")+1:]
			if resp, _ := other.get(result); resp.StatusCode != http.StatusNotFound {
				t.Errorf("another user reads the outcome: %d", resp.StatusCode)
			}
			if resp, page := c.get(result); resp.StatusCode != http.StatusOK || !strings.Contains(page, "跳过错误行 1") {
				t.Errorf("the outcome again: %d", resp.StatusCode)
			}
			if n := countRows(t, db, starts); n != 3 {
				t.Errorf("reloading the outcome imported again: %d rows", n)
			}
		})

		t.Run("refusals", func(t *testing.T) {
			before := countRows(t, db, `SELECT COUNT(*) FROM audit_log`)
			more := strings.Replace(marks, "12345678", "87654321", 1)
			if resp, _ := c.upload("/import/trademarks", "", "all", "商标.csv", []byte(more)); resp.StatusCode != http.StatusForbidden {
				t.Errorf("no CSRF token: %d", resp.StatusCode)
			}
			if resp, page := c.upload("/import/trademarks", tok, "all", "商标.pdf", []byte(more)); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "不是 .csv 或 .xlsx 文件") {
				t.Errorf("pdf: %d", resp.StatusCode)
			}
			if resp, page := c.upload("/import/trademarks", tok, "all", "商标.csv", []byte("名称,数量\n昆仑雪,1\n")); resp.StatusCode != http.StatusUnprocessableEntity ||
				!regexp.MustCompile(`<pre class="error" role="alert">[^<]*表头缺少必填列“注册号”`).MatchString(page) || strings.Contains(page, "导入完成") {
				t.Errorf("a file without the kind's header: %d %s", resp.StatusCode, page)
			}
			if resp, _ := c.upload("/import/no-such-kind", tok, "all", "x.csv", []byte(more)); resp.StatusCode != http.StatusNotFound {
				t.Errorf("unknown kind: %d", resp.StatusCode)
			}
			if n := countRows(t, db, `SELECT COUNT(*) FROM audit_log`); n != before {
				t.Errorf("refused uploads wrote %d audit entries", n-before)
			}
			if n := countRows(t, db, `SELECT COUNT(*) FROM trademarks WHERE reg_no = '87654321'`); n != 0 {
				t.Error("a refused upload wrote a mark")
			}
		})

		t.Run("oversize", func(t *testing.T) {
			d := f.web.Deps
			d.MaxBody = 64 << 10
			small := httptest.NewServer(web.New(d).Handler())
			defer small.Close()
			s := f.client(t)
			s.base = small.URL
			s.login("demo-admin", demoPassword(t, f, "demo-admin"))
			stok := s.csrf("/import/trademarks")
			big := []byte(marks + strings.Repeat(fmt.Sprintf("%s\n", strings.Repeat(",", 11)), 5000)) // 60 KB of empty rows
			resp, page := s.upload("/import/trademarks", stok, "all", "商标.csv", big)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "超过 48 KB 的上限，未导入") {
				t.Errorf("over the import limit: %d %s", resp.StatusCode, page)
			}
			huge := append(slices.Clone(big), bytes.Repeat([]byte(",,,,,,,,,,,\n"), 4000)...)
			resp, page = s.upload("/import/trademarks", stok, "all", "商标.csv", huge)
			if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(page, "提交的内容过大") {
				t.Errorf("over the body limit: %d", resp.StatusCode)
			}
		})
	})
}

// TestImportKindRowLimit: a kind whose rows are written one at a time
// takes fewer rows from a web upload than the page's own limit (the
// special-equipment register: 20,000), and its page says so and leads
// back to the register.
func TestImportKindRowLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ins := f.as(t, "demo-inspector")
		_, page := ins.get("/import/equipment")
		if !strings.Contains(page, "不超过 ") || !strings.Contains(page, "、20000 行") {
			t.Error("the equipment import page does not state its 20000-row limit")
		}
		// It leads back to the register (ImportKind.Page).
		if !strings.Contains(page, `<nav class="crumbs" aria-label="位置"><a href="/equipment">特种设备</a> › 导入</nav>`) {
			t.Error("the equipment import page does not lead back to the register")
		}
		var b strings.Builder
		b.WriteString(strings.Join(kit.Header(equipment.ImportColumns), ",") + "\n")
		for i := 0; i <= 20_000; i++ {
			b.WriteString("x\n")
		}
		resp, page := ins.upload("/import/equipment", ins.csrf("/import/equipment"), "all", "设备.csv", []byte(b.String()))
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "文件超过 20000 行数据") {
			t.Errorf("a 20,001-row upload: %d %s", resp.StatusCode, page)
		}
	})
}
