package search

import "sidi/internal/store"

// Vectors returns the tsvector literals PostgreSQL stores for d: all
// fields, the title and the keywords.
func Vectors(d Doc) [3]string { return Analyze(store.Postgres, d).tsv }
