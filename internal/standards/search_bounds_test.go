package standards_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"sidi/internal/apperr"
	"sidi/internal/standards"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestSearchBounds: a page far past the last (up to the largest int) gives
// an empty page, never a panic, and an overlong query is refused with a
// message, in the standards and the declarations search alike.
func TestSearchBounds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc := seeded(t, db)
		for _, page := range []int{2, 1000, math.MaxInt32, math.MaxInt64 / 20, math.MaxInt64} {
			res, err := svc.Search(ctx, standards.Params{Q: "牦牛", Page: page, PerPage: 20})
			if err != nil || len(res.Hits) != 0 || res.Total != 3 {
				t.Errorf("standards page %d: %d hits of %d, %v", page, len(res.Hits), res.Total, err)
			}
			res, err = svc.Search(ctx, standards.Params{Page: page, PerPage: 100})
			if err != nil || len(res.Hits) != 0 || res.Total == 0 {
				t.Errorf("standards list page %d: %d hits of %d, %v", page, len(res.Hits), res.Total, err)
			}
			dres, err := svc.SearchDeclarations(ctx, standards.DeclParams{Page: page, PerPage: 100})
			if err != nil || len(dres.Hits) != 0 {
				t.Errorf("declarations page %d: %d hits of %d, %v", page, len(dres.Hits), dres.Total, err)
			}
		}
		for _, q := range []string{strings.Repeat("标", 700), strings.Repeat("牦牛 ", 60), "一 二 三 四 五 六 七 八 九"} {
			_, err := svc.Search(ctx, standards.Params{Q: q})
			if !errors.Is(err, apperr.ErrInvalid) || !strings.HasPrefix(apperr.Message(err), "检索词过") {
				t.Errorf("standards %.10q: %v", q, err)
			}
			_, err = svc.SearchDeclarations(ctx, standards.DeclParams{Q: q})
			if !errors.Is(err, apperr.ErrInvalid) || !strings.HasPrefix(apperr.Message(err), "检索词过") {
				t.Errorf("declarations %.10q: %v", q, err)
			}
		}
		// At the bounds: answered.
		if res, err := svc.Search(ctx, standards.Params{Q: strings.Repeat("牛", 100)}); err != nil || res.Total != 0 {
			t.Errorf("100 characters: %d, %v", res.Total, err)
		}
	})
}
