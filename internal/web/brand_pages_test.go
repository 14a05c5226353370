package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"sidi/internal/auth"
	"sidi/internal/store"
	"sidi/internal/store/storetest"
)

// TestBrandPages: a member of the public finds a regional brand by Chinese
// search, sees who may use it today and downloads its archived document,
// whose content matches the SHA-256 the page shows.
func TestBrandPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedDemo(t, auth.CLI("test"))
		c := f.client(t)
		resp, body := c.get("/brands?q=" + "%E9%AB%98%E5%8E%9F%E7%BA%A2") // 高原红
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "演示高原红枸杞") {
			t.Fatalf("search: %d", resp.StatusCode)
		}
		var id int64
		if err := db.Reader().QueryRow(`SELECT id FROM brands WHERE kind = 'regional' ORDER BY id LIMIT 1`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		resp, body = c.get(fmt.Sprintf("/brands/%d", id))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "格尔木演示枸杞有限公司") || strings.Contains(body, "德令哈演示枸杞公司") {
			t.Fatalf("record page: %d (users valid today only)", resp.StatusCode)
		}
		m := regexp.MustCompile(`href="(/brands/\d+/documents/([0-9a-f]{64}))"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no archived document linked")
		}
		resp, doc := c.get(m[1])
		sum := sha256.Sum256([]byte(doc))
		if resp.StatusCode != http.StatusOK || hex.EncodeToString(sum[:]) != m[2] || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("download: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
		if resp, _ := c.get(fmt.Sprintf("/brands/%d/documents/%s", id, strings.Repeat("0", 64))); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown document: %d", resp.StatusCode)
		}
	})
}
