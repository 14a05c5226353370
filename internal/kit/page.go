package kit

import (
	"fmt"
	"math"

	"sidi/internal/apperr"
)

// Paging is the page size policy of one list: the size when the request
// names none, and the most it may ask for. A larger size is refused, not
// quietly reduced, so a client never mistakes a short page for the end.
type Paging struct {
	Default, Max int
}

// Page is one checked page of a list: number from 1, size from 1 to the
// list's maximum.
type Page struct {
	Number int `json:"page"`
	Size   int `json:"per_page"`
}

// Page checks a requested page and size (0 means the first page, the
// default size) and refuses, with a Chinese message, a size out of range or
// a negative page. A page past the last is not an error: it is empty.
func (pg Paging) Page(number, size int) (Page, error) {
	if number == 0 {
		number = 1
	}
	if size == 0 {
		size = pg.Default
	}
	if number < 1 {
		return Page{}, apperr.Invalid("页码 %d 无效，应为从 1 起的整数", number)
	}
	if size < 1 || size > pg.Max {
		return Page{}, apperr.Invalid("每页条数 %d 超出范围，应为 1—%d", size, pg.Max)
	}
	return Page{Number: number, Size: size}, nil
}

// Offset is how many rows come before the page (at most math.MaxInt: a
// page far past the end does not overflow).
func (p Page) Offset() int {
	if p.Number-1 > math.MaxInt/p.Size {
		return math.MaxInt
	}
	return (p.Number - 1) * p.Size
}

// Pages is how many pages total rows fill (0 for none).
func (p Page) Pages(total int) int { return (total + p.Size - 1) / p.Size }

// Bounds are the indexes [lo, hi) of the page within total rows held in
// memory (a ranked search); empty past the last page.
func (p Page) Bounds(total int) (lo, hi int) {
	lo = min(p.Offset(), total)
	return lo, min(lo+p.Size, total)
}

// SQL is the query's " LIMIT $n OFFSET $m", its values added to a.
func (p Page) SQL(a *Args) string { return p.Window().SQL(a) }

func (p Page) String() string { return fmt.Sprintf("第 %d 页（每页 %d 条）", p.Number, p.Size) }

// Window is a checked offset and limit, for the lists an API pages by
// ?offset=&limit= and for exports that fetch a list in chunks.
type Window struct {
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// Window checks a requested offset and limit (0 means the default size)
// and refuses what is out of range.
func (pg Paging) Window(offset, limit int) (Window, error) {
	if limit == 0 {
		limit = pg.Default
	}
	if offset < 0 {
		return Window{}, apperr.Invalid("起始位置 %d 无效，应为从 0 起的整数", offset)
	}
	if limit < 1 || limit > pg.Max {
		return Window{}, apperr.Invalid("条数 %d 超出范围，应为 1—%d", limit, pg.Max)
	}
	return Window{Offset: offset, Limit: limit}, nil
}

// Window is the page as an offset and a limit.
func (p Page) Window() Window { return Window{Offset: p.Offset(), Limit: p.Size} }

// SQL is the query's " LIMIT $n OFFSET $m", its values added to a.
func (w Window) SQL(a *Args) string {
	return " LIMIT " + a.Add(w.Limit) + " OFFSET " + a.Add(w.Offset)
}
