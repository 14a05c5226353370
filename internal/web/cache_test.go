package web_test

import (
	"context"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestPublicCacheFollowsWrites: anonymous pages come from the cache, but
// any write (here: approving an amended plan) is visible at once.
func TestPublicCacheFollowsWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.client(t)
		for i := 0; i < 2; i++ {
			if _, page := c.get("/plan/tasks/8"); !strings.Contains(page, "农畜产品品牌突破300个") {
				t.Fatal("task 8 page")
			}
		}
		ctx := context.Background()
		amended := strings.Replace(readSeed(t), "农畜产品品牌突破300个", "农畜产品品牌突破350个", 1)
		res, err := f.plan.Import(ctx, auth.CLI("test"), "amended", []byte(amended), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.plan.Approve(ctx, auth.CLI("test"), res.Version.ID); err != nil {
			t.Fatal(err)
		}
		if _, page := c.get("/plan/tasks/8"); !strings.Contains(page, "农畜产品品牌突破350个") {
			t.Fatal("the cached page outlived the write")
		}
	})
}
