-- Placeholder on branch pgpost only: 0032 is reserved for branch sqlfts and
-- migration numbers must run without gaps. Drop this file when merging
-- (store.Migrations refuses two files numbered 0032).
SELECT 1;
