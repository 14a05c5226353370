package web

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"sidi/internal/auth"
	"sidi/internal/kit"
)

func TestKindLabel(t *testing.T) {
	for _, c := range []struct{ title, want string }{
		{"商标注册 trademarks", "商标注册"},
		{"地理标志保护产品 GI protected products", "地理标志保护产品"},
		{"GB/T 29490 企业知识产权管理体系认证 certificates", "GB/T 29490 企业知识产权管理体系认证"},
		{"质量奖评审评分（GB/T 19580） award review scores", "质量奖评审评分（GB/T 19580）"},
		{"认证证书（有机产品、自愿性、绿色建材）certificates", "认证证书（有机产品、自愿性、绿色建材）"},
		{"随机抽查事项清单 inspection items (一单)", "随机抽查事项清单"},
		{"holidays", "holidays"},
	} {
		if got := kindLabel(kit.ImportKind[auth.Principal]{Title: c.title}); got != c.want {
			t.Errorf("kindLabel(%q) = %q, want %q", c.title, got, c.want)
		}
	}
}

// TestRejectStoreBounds: a rejects file is its uploader's only, expires,
// and the store never holds more than its total (the oldest go first).
func TestRejectStoreBounds(t *testing.T) {
	var st rejectStore
	now := time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC)
	chunk := bytes.Repeat([]byte("x"), rejectsMaxBytes)
	first, err := st.put(1, "trademarks", importResult{}, chunk, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := st.get(2, "trademarks", first, now); ok {
		t.Error("another user reads the file")
	}
	if _, ok := st.get(1, "patents", first, now); ok {
		t.Error("the file is read under another kind")
	}
	if _, ok := st.get(1, "trademarks", first, now.Add(rejectsTTL-time.Second)); !ok {
		t.Error("the file is gone before its time")
	}
	for i := 0; i < rejectsTotalBytes/rejectsMaxBytes+3; i++ {
		if _, err := st.put(1, "trademarks", importResult{}, chunk, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if st.total > rejectsTotalBytes {
		t.Errorf("store holds %d bytes", st.total)
	}
	if _, ok := st.get(1, "trademarks", first, now.Add(time.Minute)); ok {
		t.Error("the oldest file stays past the total")
	}
	st.get(1, "trademarks", "", now.Add(time.Minute+rejectsTTL+time.Second))
	if st.total != 0 || len(st.items) != 0 {
		t.Errorf("expired files stay: %d bytes, %d files", st.total, len(st.items))
	}

	// The capped writer keeps whole lines only.
	c := &cappedBuffer{max: 16}
	c.Write([]byte("行号,列\n"))
	c.Write([]byte("3,名称,很长的一行\n"))
	if got := string(c.bytes()); !c.cut || got != "\uFEFF行号,列\n" || strings.Contains(got, "3,") {
		t.Errorf("capped rejects %q (cut %v)", got, c.cut)
	}
	c = &cappedBuffer{max: 4}
	c.Write([]byte("行号,列\n"))
	if got := string(c.bytes()); got != "\uFEFF" {
		t.Errorf("a cut first line is kept: %q", got)
	}
}
