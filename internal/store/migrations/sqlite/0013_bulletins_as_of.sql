-- Issued bulletins are documents (党政机关公文格式 GB/T 9704): issuing one
-- freezes it with its 文号, issue date and issuing unit, and stores the HTML
-- and the workbook whole, byte for byte, with their SHA-256. A later
-- correction is a new issue that names the one it corrects; nothing here is
-- ever updated or deleted.
ALTER TABLE progress_settings ADD COLUMN doc_no_pattern TEXT NOT NULL DEFAULT '青市监督办〔{年}〕{号}号';

-- The date the progress pages show by default ('' = today). A demo pins a
-- date inside the plan's period so its warnings mean something after the
-- plan has ended; the pages say when they show a pinned date.
ALTER TABLE progress_settings ADD COLUMN default_as_of TEXT NOT NULL DEFAULT '';

CREATE TABLE bulletin_issues (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans(id),
	period_id INTEGER NOT NULL REFERENCES reporting_periods(id),
	doc_no TEXT NOT NULL UNIQUE,            -- 文号, e.g. 青市监督办〔2025〕4号
	doc_year INTEGER NOT NULL,
	doc_seq INTEGER NOT NULL,               -- the number within the year
	issued_on TEXT NOT NULL,                -- 印发日期 (YYYY-MM-DD)
	issuer TEXT NOT NULL,                   -- 印发单位
	as_of TEXT NOT NULL,                    -- data cut-off
	corrects_id INTEGER REFERENCES bulletin_issues(id),
	correction TEXT NOT NULL DEFAULT '',    -- what the correction changes and why
	html BLOB NOT NULL,
	html_sha256 TEXT NOT NULL,
	xlsx BLOB NOT NULL,
	xlsx_sha256 TEXT NOT NULL,
	audit_head TEXT NOT NULL,
	issued_by TEXT NOT NULL,
	issued_at TIMESTAMP NOT NULL,
	UNIQUE (doc_year, doc_seq)
);
CREATE INDEX bulletin_issues_period ON bulletin_issues(plan_id, period_id, id);
