-- Nothing to change on SQLite: FTS5 keeps its own token dictionary. The
-- PostgreSQL migration of the same number stores the postings' tokens as
-- ids of a token table.
SELECT 1;
