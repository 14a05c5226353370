-- The title and keyword tiers of a search read search_fts with a column
-- filter (title : …, keywords : …) instead of tables of their own: every
-- document was written into three FTS5 tables, and their segment flushes
-- and merges were a third of a bulk import's CPU. search_fts already holds
-- the same tokens in its title and keywords columns, so nothing is
-- reindexed.
DROP TABLE IF EXISTS search_title;
DROP TABLE IF EXISTS search_kw;
