package web

import (
	"bytes"
	"fmt"
	"net/http"
	"sync"

	"sidi/internal/audit"
)

// pageCache keeps rendered public pages for anonymous visitors. Entries are
// keyed by the audit log's head: every write in Sidi appends an audit
// record, so a cached page can never outlive the data it shows. The cache
// only ever holds pages of one head; a newer head empties it.
type pageCache struct {
	mu      sync.Mutex
	head    int64
	entries map[string]cachedPage
}

type cachedPage struct {
	contentType string
	body        []byte
}

const pageCacheMax = 512

func (c *pageCache) get(head int64, key string) (cachedPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.head != head {
		return cachedPage{}, false
	}
	p, ok := c.entries[key]
	return p, ok
}

func (c *pageCache) put(head int64, key string, p cachedPage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.head != head || c.entries == nil || len(c.entries) >= pageCacheMax {
		c.head, c.entries = head, map[string]cachedPage{}
	}
	c.entries[key] = p
}

// bufferWriter captures a response so it can be cached after it is sent.
type bufferWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (b *bufferWriter) WriteHeader(code int) { b.status = code; b.ResponseWriter.WriteHeader(code) }
func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	b.buf.Write(p)
	return b.ResponseWriter.Write(p)
}

// serveCached answers from the cache, or runs h and caches a 200 answer
// (one finished within the public deadline).
// It reports whether the request was handled.
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request, h func(http.ResponseWriter) error) (bool, error) {
	head, err := audit.Head(r.Context(), s.DB.Reader())
	if err != nil {
		return false, err
	}
	key := fmt.Sprintf("%s|%s", s.now().In(cst).Format("2006-01-02"), r.URL.RequestURI())
	if p, ok := s.cache.get(head, key); ok {
		w.Header().Set("Content-Type", p.contentType)
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(p.body)
		return true, nil
	}
	bw := &bufferWriter{ResponseWriter: w}
	if err := h(bw); err != nil {
		return true, err
	}
	// A page rendered after its deadline passed may lack what a query
	// could not read in time: it is sent, not kept.
	if bw.status == http.StatusOK && !timedOut(r) {
		s.cache.put(head, key, cachedPage{contentType: w.Header().Get("Content-Type"), body: bytes.Clone(bw.buf.Bytes())})
	}
	return true, nil
}
