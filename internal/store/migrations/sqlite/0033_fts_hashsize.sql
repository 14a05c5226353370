-- FTS5 keeps the terms of the documents a statement inserts in a hash and
-- writes them out as a new segment whenever the hash passes 'hashsize'
-- (1 MB by default), and at the end of the statement. A bulk import writes
-- 5,000 documents a statement (search.bulkStatement); with 1 MB the body's
-- positions filled the hash every few hundred documents, and merging the
-- many small segments that left was the larger part of FTS5's work
-- (docs/PERFORMANCE.md, "Imports, eighth round"). 16 MB holds a batch, so
-- a batch leaves one segment a table. The hash only grows that large in a
-- statement that writes that much; a single record's write stays small.
INSERT INTO search_fts(search_fts, rank) VALUES ('hashsize', 16777216);
INSERT INTO search_title(search_title, rank) VALUES ('hashsize', 16777216);
INSERT INTO search_kw(search_kw, rank) VALUES ('hashsize', 16777216);
