-- Search (internal/search), new layout:
-- * each document has a rank (the order among equal matches) and facet
--   labels that ranked results carry;
-- * the FTS rowid is kind<<56 | rank<<32 | ref_id, so that one kind is one
--   rowid range and reading it backwards gives the rank order;
-- * titles and keywords are indexed once more on their own (search_title,
--   search_kw, same rowids), so that the first two tiers of a search read
--   only their field.
-- The tables are rebuilt empty; the standards registry reindexes itself on
-- first use. PostgreSQL's search_docs_rank index has no counterpart here:
-- the rowid order is the rank order.
DROP TABLE search_fts;
DROP TABLE search_docs;
CREATE TABLE search_docs (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	ref_id INTEGER NOT NULL,
	rank INTEGER NOT NULL DEFAULT 0,
	facets TEXT NOT NULL DEFAULT '',
	UNIQUE (kind, ref_id)
);
CREATE VIRTUAL TABLE search_fts USING fts5(title, keywords, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE search_title USING fts5(title, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE search_kw USING fts5(keywords, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');

-- Enterprise self-declaration (标准化法 art. 27): enterprises by their
-- unified social credit code, the enterprise users who act for them, and
-- the standards they declare for their products.
CREATE TABLE enterprises (
	id INTEGER PRIMARY KEY,
	credit_code TEXT NOT NULL UNIQUE,   -- 统一社会信用代码, 18 characters (GB 32100)
	name TEXT NOT NULL,
	region TEXT NOT NULL DEFAULT '',    -- the code's administrative division (characters 3–8)
	address TEXT NOT NULL DEFAULT '',
	contact TEXT NOT NULL DEFAULT '',
	demo INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE user_enterprise (
	user_id INTEGER NOT NULL REFERENCES users(id),
	enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (user_id, enterprise_id)
);
CREATE INDEX user_enterprise_ent ON user_enterprise(enterprise_id);

CREATE TABLE declarations (
	id INTEGER PRIMARY KEY,
	enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
	standard_key TEXT NOT NULL,          -- normalised code
	standard_code TEXT NOT NULL,         -- display form
	standard_title TEXT NOT NULL,
	standard_family TEXT NOT NULL,
	standard_id INTEGER REFERENCES standards(id), -- the registry record, when there is one
	own INTEGER NOT NULL DEFAULT 0,      -- the enterprise's own standard (Q/…)
	national_ref TEXT NOT NULL DEFAULT '',
	below_national INTEGER NOT NULL DEFAULT 0, -- indicators fewer or lower than the recommended national standard
	below_note TEXT NOT NULL DEFAULT '',
	committed INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL CHECK (status IN ('current', 'withdrawn')),
	declared_on TEXT NOT NULL,
	reviewed_on TEXT NOT NULL DEFAULT '',
	review_due TEXT NOT NULL,
	withdrawn_on TEXT NOT NULL DEFAULT '',
	demo INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX declarations_ent ON declarations(enterprise_id, standard_key);
CREATE INDEX declarations_due ON declarations(status, review_due);
CREATE INDEX declarations_declared ON declarations(status, declared_on);
CREATE INDEX declarations_ent_declared ON declarations(enterprise_id, status, declared_on);
CREATE INDEX declarations_std ON declarations(standard_id, status);

CREATE TABLE declaration_products (
	declaration_id INTEGER NOT NULL REFERENCES declarations(id),
	ordinal INTEGER NOT NULL,
	name TEXT NOT NULL,
	model TEXT NOT NULL,
	category TEXT NOT NULL,
	PRIMARY KEY (declaration_id, ordinal)
);
CREATE INDEX declaration_products_category ON declaration_products(category);

CREATE TABLE declaration_indicators (
	declaration_id INTEGER NOT NULL REFERENCES declarations(id),
	ordinal INTEGER NOT NULL,
	name TEXT NOT NULL,
	unit TEXT NOT NULL,
	value TEXT NOT NULL,
	value_num DOUBLE PRECISION,          -- the value as a number, when it is one
	test_method TEXT NOT NULL,
	direction TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
	national TEXT NOT NULL DEFAULT '',   -- the recommended national standard's value, when given
	PRIMARY KEY (declaration_id, ordinal)
);

-- 领跑者 (国市监标准〔2018〕84号): per product field an assessment scheme
-- names core indicators with their direction, the national baseline and
-- the tier cut points; declared enterprise standards are ranked in tiers,
-- the top tier is shortlisted, publicly noticed, and the leaders published.
CREATE TABLE leader_schemes (
	id INTEGER PRIMARY KEY,
	year INTEGER NOT NULL,
	field TEXT NOT NULL,                 -- product category of the declarations it ranks
	name TEXT NOT NULL,
	max_leaders INTEGER NOT NULL,
	notice_days INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'ranked', 'notice', 'published')),
	ranked_on TEXT NOT NULL DEFAULT '',
	notice_from TEXT NOT NULL DEFAULT '',
	notice_to TEXT NOT NULL DEFAULT '',
	published_on TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (year, field)
);

CREATE TABLE leader_indicators (
	scheme_id INTEGER NOT NULL REFERENCES leader_schemes(id),
	ordinal INTEGER NOT NULL,
	name TEXT NOT NULL,
	unit TEXT NOT NULL,
	direction TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
	baseline DOUBLE PRECISION NOT NULL,  -- the national or industry requirement
	cuts TEXT NOT NULL,                  -- tier cut points, best first, ';'-separated
	PRIMARY KEY (scheme_id, ordinal)
);

CREATE TABLE leader_entries (
	scheme_id INTEGER NOT NULL REFERENCES leader_schemes(id),
	declaration_id INTEGER NOT NULL REFERENCES declarations(id),
	enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
	eligible INTEGER NOT NULL,
	reason TEXT NOT NULL DEFAULT '',     -- why not eligible
	tier INTEGER NOT NULL DEFAULT 0,     -- 1 is the best; 0 when not eligible
	margin DOUBLE PRECISION NOT NULL DEFAULT 0,
	rank INTEGER NOT NULL DEFAULT 0,
	shortlisted INTEGER NOT NULL DEFAULT 0,
	removed_reason TEXT NOT NULL DEFAULT '', -- taken off the shortlist during the notice
	leader INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (scheme_id, declaration_id)
);
