package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"sidi/internal/auth"
	"sidi/internal/bases"
	"sidi/internal/standards"
	"sidi/internal/standards/pilots"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
	"sidi/internal/training"
)

// exportFixture is a running Sidi with every register's demo data.
func exportFixture(t *testing.T, db *store.DB) (*fixture, int) {
	t.Helper()
	f, year := leadersFixture(t, db) // standards, declarations and leader lists
	ctx, p := context.Background(), auth.CLI("test")
	if _, err := pilots.SeedDemo(ctx, f.set.Pilots, p); err != nil {
		t.Fatal(err)
	}
	if _, err := bases.SeedDemo(ctx, f.set.Bases, p); err != nil {
		t.Fatal(err)
	}
	if _, err := training.SeedDemo(ctx, f.set.Training, p); err != nil {
		t.Fatal(err)
	}
	return f, year
}

// rfc5987 percent-encodes a file name as the server does.
func rfc5987(name string) string {
	var b strings.Builder
	for _, c := range []byte(name) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// download fetches an export and returns its table: the header first, then
// the rows, as text. It checks the status, type and file name (名称-日期.ext).
func download(t *testing.T, c *client, path, name string) [][]string {
	t.Helper()
	resp, body := c.get(path)
	format := "csv"
	if strings.Contains(path, "format=xlsx") {
		format = "xlsx"
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %.300s", path, resp.StatusCode, body)
	}
	day := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	cd := resp.Header.Get("Content-Disposition")
	if !strings.HasPrefix(cd, `attachment; filename="`) || !strings.HasSuffix(cd, "; filename*=UTF-8''"+rfc5987(name+"-"+day+"."+format)) {
		t.Fatalf("GET %s: Content-Disposition %q, want the name %s-%s.%s", path, cd, name, day, format)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("GET %s: Cache-Control %q", path, cc)
	}
	if format == "csv" {
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Fatalf("GET %s: Content-Type %q", path, ct)
		}
		if !strings.HasPrefix(body, "\uFEFF") {
			t.Fatalf("GET %s: no UTF-8 byte-order mark", path)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return rows
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("GET %s: not a workbook: %v", path, err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	if len(sheets) != 1 {
		t.Fatalf("GET %s: sheets %v", path, sheets)
	}
	rows, err := x.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// column returns the index of a header.
func column(t *testing.T, rows [][]string, header string) int {
	t.Helper()
	for i, h := range rows[0] {
		if h == header {
			return i
		}
	}
	t.Fatalf("no column %q in %v", header, rows[0])
	return -1
}

// rowWith returns the first row with a cell containing s, or nil.
func rowWith(rows [][]string, s string) []string {
	for _, r := range rows[1:] {
		for _, c := range r {
			if strings.Contains(c, s) {
				return r
			}
		}
	}
	return nil
}

var hrefRe = regexp.MustCompile(`href="([^"]+)"`)

// hasExportLink reports whether a page links to path as format with every
// parameter of query.
func hasExportLink(body, path, format, query string) bool {
	want, _ := url.ParseQuery(query)
	for _, m := range hrefRe.FindAllStringSubmatch(body, -1) {
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil || u.Path != path || u.Query().Get("format") != format {
			continue
		}
		ok := true
		for k := range want {
			ok = ok && u.Query().Get(k) == want.Get(k)
		}
		if ok {
			return true
		}
	}
	return false
}

// TestExportHelper checks the shared export on the training list: the
// byte-order mark, formula neutralisation in CSV, text kept as text in the
// workbook, a bold frozen header and numbers stored as numbers.
func TestExportHelper(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		var dept int64
		if err := db.Reader().QueryRow(`SELECT id FROM departments WHERE code = 'qh-samr'`).Scan(&dept); err != nil {
			t.Fatal(err)
		}
		evil := `=HYPERLINK("http://example.com","点我")`
		if _, err := f.set.Training.Create(ctx, auth.CLI("test"), training.Input{Title: evil, Topic: "-2+3 减负", DeptID: dept, StartsOn: "2024-05-06",
			Mode: "offline", Place: "@SUM(1)", Category: "managers", Trainees: 1234, Hours: 2.5}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.set.Training.Create(ctx, auth.CLI("test"), training.Input{Title: "+86 热线服务规范培训", DeptID: dept, StartsOn: "2024-05-07",
			Mode: "online", Category: "enterprise", Trainees: 40, Hours: 3}); err != nil {
			t.Fatal(err)
		}
		c := f.client(t)

		rows := download(t, c, "/training?format=csv", "标准化培训")
		want := []string{"培训名称", "培训主题", "开始日期", "结束日期", "主办部门", "方式", "地点", "培训对象", "人数", "学时", "“四地”专题", "演示数据"}
		if strings.Join(rows[0], "|") != strings.Join(want, "|") || len(rows) != 3 {
			t.Fatalf("csv: %v", rows)
		}
		r := rowWith(rows, "HYPERLINK")
		if r == nil || r[0] != "'"+evil || r[1] != "'-2+3 减负" || r[6] != "'@SUM(1)" || r[8] != "1234" || r[9] != "2.5" || r[11] != "" {
			t.Errorf("csv row: %q", r)
		}
		if r := rowWith(rows, "热线"); r == nil || r[0] != "'+86 热线服务规范培训" {
			t.Errorf("csv row: %q", r)
		}
		resp, body := c.get("/training?format=csv")
		if !bytes.HasPrefix([]byte(body), []byte{0xEF, 0xBB, 0xBF}) || !strings.Contains(body, "\r\n") {
			t.Error("csv: no BOM or no CRLF")
		}
		if !strings.Contains(resp.Header.Get("Content-Disposition"), `filename="training-`) {
			t.Errorf("csv: no ASCII fallback name: %s", resp.Header.Get("Content-Disposition"))
		}

		_, body = c.get("/training?format=xlsx")
		x, err := excelize.OpenReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		sheet := x.GetSheetName(0)
		if sheet != "标准化培训" {
			t.Errorf("sheet %q", sheet)
		}
		xrows, err := x.GetRows(sheet)
		if err != nil || strings.Join(xrows[0], "|") != strings.Join(want, "|") {
			t.Fatalf("xlsx header: %v %v", err, xrows)
		}
		at := 0
		for i, r := range xrows {
			if len(r) > 0 && r[0] == evil {
				at = i + 1
			}
		}
		if at == 0 {
			t.Fatalf("xlsx: the formula-like title is not kept as written: %v", xrows)
		}
		if fm, _ := x.GetCellFormula(sheet, fmt.Sprintf("A%d", at)); fm != "" {
			t.Errorf("xlsx: A%d is a formula %q", at, fm)
		}
		if ty, _ := x.GetCellType(sheet, fmt.Sprintf("A%d", at)); ty != excelize.CellTypeInlineString && ty != excelize.CellTypeSharedString {
			t.Errorf("xlsx: A%d type %v, want text", at, ty)
		}
		for _, cell := range []string{"I", "J"} {
			ref := fmt.Sprintf("%s%d", cell, at)
			ty, _ := x.GetCellType(sheet, ref)
			v, _ := x.GetCellValue(sheet, ref)
			if ty != excelize.CellTypeNumber && ty != excelize.CellTypeUnset {
				t.Errorf("xlsx: %s type %v, want a number", ref, ty)
			}
			if _, err := strconv.ParseFloat(v, 64); err != nil || (cell == "I" && v != "1234") || (cell == "J" && v != "2.5") {
				t.Errorf("xlsx: %s = %q", ref, v)
			}
		}
		st, _ := x.GetCellStyle(sheet, "A1")
		if style, err := x.GetStyle(st); err != nil || style.Font == nil || !style.Font.Bold {
			t.Errorf("xlsx: header not bold: %v %+v", err, style)
		}
		panes, err := x.GetPanes(sheet)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("xlsx: header not frozen: %v %+v", err, panes)
		}
		if wd, _ := x.GetColWidth(sheet, "A"); wd < 20 || wd > 60 {
			t.Errorf("xlsx: column A width %v", wd)
		}

		// An unknown format is refused in Chinese.
		resp, body = c.get("/training?format=pdf")
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "不支持的导出格式“pdf”") {
			t.Errorf("format=pdf: %d %.200s", resp.StatusCode, body)
		}
	})
}

// TestExportListPages downloads each public list with a filter, in both
// formats, and checks a row the filter keeps and one it drops.
func TestExportListPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, year := exportFixture(t, db)
		pub := f.client(t)
		q := url.QueryEscape
		cases := []struct {
			page, query, name string
			header            []string // columns that must be there
			keep, drop        string
			demoCol           string // a column that marks the kept row as demo data
		}{
			{"/standards", "q=" + q("牦牛"), "标准查询结果", []string{"标准号", "标准名称", "状态", "发布日期", "主管部门"}, "牦牛肉干加工技术规程", "黄牛与藏羊", "演示数据"},
			{"/standards", "tag=" + q("盐湖"), "标准查询结果", []string{"“四地”领域"}, "DB6328/T 9008—2024", "牦牛肉干", "演示数据"},
			{"/declarations", "q=" + q("牦牛"), "企业标准自我声明", []string{"标准号", "企业", "统一社会信用代码", "声明日期"}, "演示-青海高原牦牛食品有限公司", "演示-柴达木红枸杞有限公司", "演示数据"},
			{"/pilots", "field=" + q("盐湖"), "标准化试点", []string{"试点名称", "承担单位", "当前环节", "立项日期", "责任部门"}, "钾肥", "牦牛全产业链", "演示数据"},
			{"/pilots", "", "标准化试点", []string{"试点名称"}, "牦牛全产业链", "冷水鱼", "演示数据"}, // applications stay hidden from the public
			{"/projects", "q=" + q("牦牛"), "科技项目标准产出", []string{"项目编号", "项目名称", "预期标准", "已发布"}, "牦牛肉品质评价与标准体系构建（演示）", "盐湖卤水提锂", "演示数据"},
			{"/bases", "kind=yak&prefecture=632200", "标准化生产基地", []string{"名称", "类型", "县（市、区）", "存栏（头/只）", "认定日期"}, "祁连县千头牦牛标准化生产基地（演示）", "藏羊规模养殖场（演示）", "演示数据"},
			{"/training", "year=2022", "标准化培训", []string{"培训名称", "主办部门", "人数", "学时"}, "第一期", "第二期", "演示数据"},
			{"/leaders", fmt.Sprintf("year=%d", year-1), fmt.Sprintf("%d年度企业标准领跑者名单", year-1), []string{"产品领域", "名次", "企业", "统一社会信用代码"},
				"演示-青海高原牦牛食品有限公司", "演示-果洛高原食品有限公司", "演示数据"},
		}
		for _, tc := range cases {
			for _, format := range []string{"xlsx", "csv"} {
				path := tc.page + "?format=" + format
				if tc.query != "" {
					path += "&" + tc.query
				}
				rows := download(t, pub, path, tc.name)
				for _, h := range tc.header {
					column(t, rows, h)
				}
				kept := rowWith(rows, tc.keep)
				if kept == nil {
					t.Errorf("%s: lacks %q: %v", path, tc.keep, rows)
					continue
				}
				if rowWith(rows, tc.drop) != nil {
					t.Errorf("%s: has %q, which the filter drops", path, tc.drop)
				}
				if i := column(t, rows, tc.demoCol); i >= len(kept) || kept[i] != "演示" {
					t.Errorf("%s: the demo row is not marked 演示: %q", path, kept)
				}
			}
			// The page links to both downloads with its filters.
			page := tc.page
			if tc.query != "" {
				page += "?" + tc.query
			}
			_, body := pub.get(page)
			for _, format := range []string{"xlsx", "csv"} {
				if !hasExportLink(body, tc.page, format, tc.query) {
					t.Errorf("%s: no %s export link keeping the query", page, format)
				}
			}
			if resp, body := pub.get(tc.page + "?format=doc"); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "不支持的导出格式") {
				t.Errorf("%s?format=doc: %d", tc.page, resp.StatusCode)
			}
		}

		// A search export holds every ranked result, not only the page asked for.
		var res struct {
			Total int `json:"total"`
		}
		if st := pub.getJSON("/api/v1/standards", &res); st != http.StatusOK || res.Total <= 5 {
			t.Fatalf("standards: %d %d", st, res.Total)
		}
		if rows := download(t, pub, "/standards?format=csv&per_page=5&page=2", "标准查询结果"); len(rows)-1 != res.Total {
			t.Errorf("search export: %d rows, want all %d results", len(rows)-1, res.Total)
		}
		// The leader list without a year exports the year the page shows.
		_, body := pub.get("/leaders")
		if !hasExportLink(body, "/leaders", "xlsx", fmt.Sprintf("year=%d", year-1)) {
			t.Error("/leaders: the export link does not name the year shown")
		}
		// Staff see their applications on the page and in the export.
		sup := f.client(t)
		sup.login("demo-supervisor", demoPassword(t, f, "demo-supervisor"))
		if rows := download(t, sup, "/pilots?format=csv", "标准化试点"); rowWith(rows, "冷水鱼") == nil {
			t.Error("supervisor's pilot export lacks the application 冷水鱼")
		}
	})
}

// TestExportSearchCap checks that a search export holds the ranked
// results up to the search's limit of 500, says so below them, and that a
// short result carries no note.
func TestExportSearchCap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var b strings.Builder
		b.WriteString("标准号,标准名称,标准状态,发布日期,实施日期\n")
		for i := range standards.Limit + 10 {
			fmt.Fprintf(&b, "DB63/T %d—2024,导出测试规程第%d部分,现行,2024-01-01,2024-02-01\n", 8000+i, i+1)
		}
		if _, err := f.set.Standards.Import(context.Background(), auth.CLI("test"), "many.csv", []byte(b.String()), nil); err != nil {
			t.Fatal(err)
		}
		c := f.client(t)
		for _, format := range []string{"csv", "xlsx"} {
			rows := download(t, c, "/standards?format="+format, "标准查询结果")
			note := fmt.Sprintf("结果超过 %d 条，仅导出排名前 %d 条", standards.Limit, standards.Limit)
			if len(rows) != 1+standards.Limit+2 || !strings.HasPrefix(rows[len(rows)-1][0], note) || strings.Join(rows[len(rows)-2], "") != "" {
				t.Errorf("%s: %d rows, ending %q", format, len(rows), rows[len(rows)-2:])
			}
		}
		rows := download(t, c, "/standards?format=csv&q="+url.QueryEscape("DB63/T 8001—2024"), "标准查询结果")
		if len(rows) != 2 || rows[1][0] != "DB63/T 8001—2024" || rows[1][1] != "导出测试规程第2部分" || rows[1][len(rows[1])-1] != "" {
			t.Errorf("one result: %q", rows)
		}
	})
}
