package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"sidi/internal/apperr"
	"sidi/internal/kit"
	"sidi/internal/search"
)

// Bounds of the parameters of a request, checked in one place (checkParams,
// run by wrap before any handler) so that no handler hands the database a
// value it fails on (PostgreSQL refuses NUL bytes and invalid UTF-8 in text
// and integers past its column types) or a search a word of any length.
const (
	maxParamRunes = 200  // a query parameter's value, in characters
	maxLongParam  = 2000 // the few that carry a URL or a message
)

// longParams may be longer than maxParamRunes: where to go after logging
// in, and the message a redirect shows.
var longParams = map[string]bool{"next": true, "msg": true}

// intRange is what an integer query parameter may hold.
type intRange struct{ lo, hi int64 }

// intParams are the integer query parameters the pages and the API read,
// by name; an empty value means the parameter's default. Identifiers stop
// at PostgreSQL's integer. Those whose handlers check them with a message
// of their own (year, dept) are left to them.
var intParams = map[string]intRange{
	"page":     {1, 1000000},
	"per_page": {0, 1000},
	"size":     {0, 1000},
	"limit":    {0, 1000},
	"offset":   {0, 1000000},
	"task":     {0, maxID},
	"edit":     {0, maxID},
}

const maxID = 1<<31 - 1

// checkParams refuses, with a message naming the parameter, a request
// whose query (or posted form) holds a NUL byte or invalid UTF-8, a query
// value longer than its bound (the free text q: the search's bound,
// search.CheckLength), or an integer parameter that is not a whole number
// within its range.
func checkParams(r *http.Request) error {
	// The pairs the handlers see: r.URL.Query leaves out the malformed.
	for name, vs := range r.URL.Query() {
		if err := checkText("参数名", name, maxParamRunes); err != nil {
			return err
		}
		limit := maxParamRunes
		switch {
		case longParams[name]:
			limit = maxLongParam
		case name == "q":
			limit = -1 // search.CheckLength below
		}
		for _, v := range vs {
			if err := checkText("参数 "+name, v, limit); err != nil {
				return err
			}
			if name == "q" {
				if err := search.CheckLength(v); err != nil {
					return err
				}
			}
			if rg, ok := intParams[name]; ok {
				if err := checkInt(name, v, rg); err != nil {
					return err
				}
			}
		}
	}
	if isUnsafe(r.Method) {
		ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if ct == "application/json" {
			return checkJSONBody(r)
		}
		if ct == "application/x-www-form-urlencoded" {
			if err := r.ParseForm(); err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return err // 413, with the limit
				}
				return apperr.Invalid("提交的表单无法读取（%s），请刷新页面后重试", kit.ClipRunes(err.Error(), 30))
			}
			for name, vs := range r.PostForm {
				if err := checkText("表单字段名", name, -1); err != nil {
					return err
				}
				for _, v := range vs {
					if err := checkText("表单字段 "+name, v, -1); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// checkText refuses NUL bytes, invalid UTF-8 and, when limit ≥ 0, more
// than limit characters.
func checkText(what, v string, limit int) error {
	switch {
	case !utf8.ValidString(v):
		return apperr.Invalid("%s 不是有效的 UTF-8 文本，请检查后重试", safeName(what))
	case strings.IndexByte(v, 0) >= 0:
		return apperr.Invalid("%s 含有不允许的空字符（NUL），请检查后重试", safeName(what))
	case limit >= 0 && len(v) > limit: // bytes ≥ characters
		if n := utf8.RuneCountInString(v); n > limit {
			return apperr.Invalid("%s 过长：最多 %d 个字符（当前 %d 个）", safeName(what), limit, n)
		}
	}
	return nil
}

// checkInt refuses a value of an integer parameter that is not a whole
// number in rg; "" is the parameter's default.
func checkInt(name, v string, rg intRange) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < rg.lo || n > rg.hi {
		return apperr.Invalid("参数 %s 无效：须为 %d 到 %d 之间的整数（收到“%s”）", name, rg.lo, rg.hi, kit.ClipRunes(v, 30))
	}
	return nil
}

// safeName is what names a parameter in a message: the name itself may be
// the faulty part (then it is left out).
func safeName(what string) string {
	if !utf8.ValidString(what) || strings.IndexByte(what, 0) >= 0 || utf8.RuneCountInString(what) > 60 {
		if strings.HasPrefix(what, "表单") {
			return "表单字段"
		}
		return "参数"
	}
	return what
}

// checkJSONBody refuses a JSON request body with NUL in a string or a
// name (JSON may write it as \u0000; PostgreSQL cannot store it in text and
// it has no business in Sidi's data), naming where it stands. The body is
// read once (it is bounded by the server's body limit) and handed on as
// read; a body that is not JSON is left for the handler to refuse.
func checkJSONBody(r *http.Request) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err // 413, with the limit
		}
		return apperr.Invalid("请求体无法读取（%s），请重试", kit.ClipRunes(err.Error(), 30))
	}
	r.Body = io.NopCloser(bytes.NewReader(b))
	if !bytes.Contains(b, []byte(`\u0000`)) && bytes.IndexByte(b, 0) < 0 {
		return nil // the common case: no NUL can be in it
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	if where := nulIn(v, ""); where != "" {
		return apperr.Invalid("请求体的%s 含有不允许的空字符（NUL），请检查后重试", where)
	}
	return nil
}

// nulIn returns where in a decoded JSON value a string or a name holds
// NUL ("字段 a.b[2]", "字段名"), or "".
func nulIn(v any, path string) string {
	switch x := v.(type) {
	case string:
		if strings.IndexByte(x, 0) >= 0 {
			if path == "" {
				return "内容"
			}
			return "字段 " + path
		}
	case []any:
		for i, e := range x {
			if w := nulIn(e, fmt.Sprintf("%s[%d]", path, i)); w != "" {
				return w
			}
		}
	case map[string]any:
		for k, e := range x {
			if strings.IndexByte(k, 0) >= 0 {
				return "字段名"
			}
			p := k
			if path != "" {
				p = path + "." + k
			}
			if w := nulIn(e, safeName(p)); w != "" {
				return w
			}
		}
	}
	return ""
}
