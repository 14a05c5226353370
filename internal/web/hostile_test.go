package web_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"sidi/internal/auth"
	"sidi/internal/standards"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// hostileValues are what a careless or hostile caller puts in a parameter.
var hostileValues = map[string]string{
	"int64 max":      "9223372036854775807",
	"negative":       "-1",
	"1e308":          "1e308",
	"NUL":            "a\x00b",
	"invalid UTF-8":  "\xff\xfe",
	"2048-char word": strings.Repeat("w", 2048),
	"标×700":          strings.Repeat("标", 700),
	"标×150":          strings.Repeat("标", 150),
}

var (
	hanRe       = regexp.MustCompile(`\p{Han}`)
	errorPageRe = regexp.MustCompile(`(?s)<section class="error-page" role="alert">\s*<h1>[^<]*</h1>\s*<p>(.*?)</p>`)
	// paramRe finds the query parameters the handlers read.
	paramRe = regexp.MustCompile(`(?:\bq|Query\(\))\.Get\("([a-z_]+)"\)|queryInt\(r, "([a-z_]+)"\)|Query\(\)\["([a-z_]+)"\]`)
)

// queryParamNames lists every query parameter name the web handlers read,
// from their source, so a parameter added later is walked too.
func queryParamNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range paramRe.FindAllStringSubmatch(string(b), -1) {
			for _, g := range m[1:] {
				if g != "" {
					seen[g] = true
				}
			}
		}
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, must := range []string{"q", "page", "per_page", "task", "year", "family", "period", "format", "plan", "version"} {
		if !seen[must] {
			t.Fatalf("parameter %q not found in the handlers: %v", must, names)
		}
	}
	return names
}

// checkAnswer fails t when a response is a server error, took over two
// seconds, or is a client error without a message in Chinese.
func checkAnswer(t *testing.T, what string, resp *http.Response, body string, took time.Duration) {
	t.Helper()
	if resp.StatusCode >= 500 {
		t.Errorf("%s: status %d: %.300s", what, resp.StatusCode, body)
		return
	}
	if took > 2*time.Second {
		t.Errorf("%s: answered in %s", what, took)
	}
	if resp.StatusCode < 400 {
		return
	}
	msg := ""
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		var e struct {
			Error struct{ Message string } `json:"error"`
		}
		json.Unmarshal([]byte(body), &e)
		msg = e.Error.Message
	} else if m := errorPageRe.FindStringSubmatch(body); m != nil {
		msg = html.UnescapeString(m[1])
	}
	if !hanRe.MatchString(msg) {
		t.Errorf("%s: status %d without a message in Chinese: %.300s", what, resp.StatusCode, body)
	}
}

func timedGet(t *testing.T, hc *http.Client, u string) (*http.Response, string, time.Duration) {
	t.Helper()
	t0 := time.Now()
	resp, err := hc.Get(u)
	if err != nil {
		t.Fatalf("GET %.200s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b), time.Since(t0)
}

var pathParamRe = regexp.MustCompile(`\{[a-z]+\}`)

// TestPublicParamsHostile walks every public GET route of the route table
// with every query parameter the handlers read set to each hostile value,
// and every path parameter too: none answers 5xx or takes over two
// seconds, and every refusal says why in Chinese, on both engines; then
// checks a few refusals word for word (checkParamMessages).
func TestPublicParamsHostile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := standardsFixture(t, db)
		names := queryParamNames(t)
		hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		labels := make([]string, 0, len(hostileValues))
		for l := range hostileValues {
			labels = append(labels, l)
		}
		sort.Strings(labels)
		routes := 0
		for _, rt := range f.web.Routes() {
			if !rt.Public || rt.Method != "GET" {
				continue
			}
			routes++
			base := strings.TrimSuffix(pathParamRe.ReplaceAllString(rt.Pattern, "1"), "{$}")
			for _, name := range names {
				for _, l := range labels {
					u := f.srv.URL + base + "?" + url.Values{name: {hostileValues[l]}}.Encode()
					resp, body, took := timedGet(t, hc, u)
					checkAnswer(t, rt.Pattern+" ?"+name+"="+l, resp, body, took)
				}
			}
			if !pathParamRe.MatchString(rt.Pattern) {
				continue
			}
			for _, l := range labels {
				p := pathParamRe.ReplaceAllString(rt.Pattern, url.PathEscape(hostileValues[l]))
				resp, body, took := timedGet(t, hc, f.srv.URL+p)
				checkAnswer(t, rt.Pattern+" path="+l, resp, body, took)
			}
		}
		if routes < 30 {
			t.Fatalf("only %d public GET routes walked", routes)
		}
		checkParamMessages(t, f)
	})
}

// TestSearchHostileQueries: on a registry of a few thousand records, the
// queries that kept a PostgreSQL core busy for minutes (one character
// repeated 700 times, 700 characters in 300 terms) are refused at once
// with a message, and the longest and widest queries still accepted
// answer within two seconds, in the pages and the API of both searches.
func TestSearchHostileQueries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		g := standards.NewGen(3)
		const stds, decls = 3000, 600
		if err := f.set.Standards.BulkLoad(ctx, auth.CLI("test"), g, 0, stds, 1000, nil); err != nil {
			t.Fatal(err)
		}
		if err := f.set.Standards.BulkLoadDeclarations(ctx, auth.CLI("test"), g, decls, stds, 0, 1000, nil); err != nil {
			t.Fatal(err)
		}
		if db.Dialect() == store.Postgres {
			if _, err := db.Writer().ExecContext(ctx, `ANALYZE`); err != nil {
				t.Fatal(err)
			}
		}
		var titles []rune
		for i := 0; len(titles) < 100; i++ {
			titles = append(titles, []rune(g.Standard(i).Title)...)
		}
		var mixed []string // 300 terms, over 700 characters
		for i := 0; len(mixed) < 300; i++ {
			mixed = append(mixed, []string{"标", "准", "GB", "牦牛", "T", "技术", "9", "规程"}[i%8])
		}
		mixedQ := strings.Join(mixed, " ")
		for len([]rune(mixedQ)) < 700 {
			mixedQ += "标"
		}
		refused := map[string]string{
			"标×700":                strings.Repeat("标", 700),
			"700+ chars/300 terms": mixedQ,
			"标×150":                strings.Repeat("标", 150),
			"9 terms":              "标准 技术 规程 规范 要求 方法 管理 检验 牦牛",
		}
		accepted := map[string]string{
			"标×100":               strings.Repeat("标", 100),
			"标准×50":               strings.Repeat("标准", 50),
			"100 chars of titles": string(titles[:100]),
			"8 common terms":      "标准 技术 规程 规范 要求 方法 管理 检验",
		}
		hc := &http.Client{Timeout: 5 * time.Second}
		for _, path := range []string{"/standards", "/api/v1/standards", "/declarations", "/api/v1/declarations"} {
			for _, set := range []map[string]string{refused, accepted} {
				for label, q := range set {
					resp, body, took := timedGet(t, hc, f.srv.URL+path+"?q="+url.QueryEscape(q))
					what := path + " " + label
					checkAnswer(t, what, resp, body, took)
					wantRefused := set["标×700"] != ""
					if wantRefused != (resp.StatusCode >= 400) {
						t.Errorf("%s: status %d", what, resp.StatusCode)
					}
					if wantRefused && !slices.ContainsFunc([]string{"检索词过长：最多 100 个字符（当前 ", "检索词过多：最多 8 个词（当前 9 个）"}, func(s string) bool { return strings.Contains(body, s) }) {
						t.Errorf("%s: refused without saying why: %.300s", what, body)
					}
					t.Logf("%s: %d in %s", what, resp.StatusCode, took.Round(time.Millisecond))
				}
			}
		}
	})
}

// checkParamMessages: what a refused parameter answers, by example.
func checkParamMessages(t *testing.T, f *fixture) {
	c := f.client(t)
	cases := []struct {
		method, path string
		form         url.Values
		status       int
		msg          string
	}{
		{"GET", "/api/v1/standards?page=9223372036854775807", nil, 422, "参数 page 无效：须为 1 到 1000000 之间的整数（收到“9223372036854775807”）"},
		{"GET", "/standards?page=9223372036854775807", nil, 422, "参数 page 无效：须为 1 到 1000000 之间的整数"},
		{"GET", "/api/v1/declarations?page=-1", nil, 422, "参数 page 无效"},
		{"GET", "/api/v1/standards?per_page=1e308", nil, 422, "参数 per_page 无效：须为 0 到 1000 之间的整数"},
		{"GET", "/api/v1/progress?task=9223372036854775807", nil, 422, "参数 task 无效：须为 0 到 2147483647 之间的整数"},
		{"GET", "/api/v1/standards?family=a%00b", nil, 422, "参数 family 含有不允许的空字符（NUL）"},
		{"GET", "/api/v1/declarations?category=%FF", nil, 422, "参数 category 不是有效的 UTF-8 文本"},
		{"GET", "/api/v1/standards?ics=" + strings.Repeat("w", 2048), nil, 422, "参数 ics 过长：最多 200 个字符（当前 2048 个）"},
		{"GET", "/api/v1/standards?q=" + strings.Repeat("w", 2048), nil, 422, "检索词过长：最多 100 个字符（当前 2048 个）"},
		{"GET", "/api/v1/pilots?q=" + url.QueryEscape(strings.Repeat("标", 700)), nil, 422, "检索词过长：最多 100 个字符（当前 700 个）"},
		{"GET", "/api/v1/standards?%FF=1", nil, 422, "参数名 不是有效的 UTF-8 文本"},
		{"GET", "/api/v1/standards?q=a;b", nil, 200, ""},
		{"GET", "/api/v1/standards?page=2&per_page=100&q=" + url.QueryEscape(" 牦牛 "), nil, 200, ""},
		{"GET", "/api/v1/plan/tasks/9223372036854775807", nil, 404, "地址中的编号“9223372036854775807”无效"},
		{"GET", "/api/v1/standards/2147483648", nil, 404, "无效"},
		{"GET", "/api/v1/plan?plan=" + url.QueryEscape("../../etc/passwd"), nil, 404, "没有代码为“../../etc/passwd”的工作方案"},
		{"GET", "/plan?plan=" + strings.Repeat("a", 60), nil, 404, "没有代码为“" + strings.Repeat("a", 48) + "…”的工作方案"},
		{"GET", "/api/v1/indicators?plan=nope", nil, 404, "没有代码为“nope”的工作方案"},
		{"GET", "/plan?version=0", nil, 404, "版本号“0”无效"},
		{"POST", "/login", url.Values{"login": {"a\x00b"}, "password": {"x"}}, 422, "表单字段 login 含有不允许的空字符（NUL）"},
	}
	for _, tc := range cases {
		var resp *http.Response
		var body string
		if tc.method == "POST" {
			resp, body = c.postForm(tc.path, tc.form)
		} else {
			resp, body = c.get(tc.path)
		}
		if resp.StatusCode != tc.status || !strings.Contains(html.UnescapeString(body), tc.msg) {
			t.Errorf("%s %.80s: %d %.300s, want %d %q", tc.method, tc.path, resp.StatusCode, body, tc.status, tc.msg)
		}
	}
}
