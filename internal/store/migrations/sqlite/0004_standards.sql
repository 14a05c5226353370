-- Standards information platform: registry, local-standard lifecycle,
-- release announcements, drug-standard varieties and the search index.
-- Dates are ISO text (YYYY-MM-DD) on both engines so they compare alike.
CREATE TABLE standards (
	id INTEGER PRIMARY KEY,
	code_key TEXT UNIQUE,               -- normalised code; NULL while a project has none
	code TEXT NOT NULL DEFAULT '',      -- display form
	family TEXT NOT NULL DEFAULT '',
	prefix TEXT NOT NULL DEFAULT '',
	region TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL DEFAULT 'standard' CHECK (kind IN ('standard', 'drug')),
	drug_category TEXT NOT NULL DEFAULT '',
	variety TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL,
	title_en TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('project', 'active', 'replaced', 'withdrawn')),
	stage TEXT NOT NULL DEFAULT '',
	fast_track INTEGER NOT NULL DEFAULT 0,
	issued TEXT NOT NULL DEFAULT '',
	implemented TEXT NOT NULL DEFAULT '',
	ics TEXT NOT NULL DEFAULT '',
	ccs TEXT NOT NULL DEFAULT '',
	committee TEXT NOT NULL DEFAULT '',
	department TEXT NOT NULL DEFAULT '',
	publisher TEXT NOT NULL DEFAULT '',
	drafting_units TEXT NOT NULL DEFAULT '',
	drafters TEXT NOT NULL DEFAULT '',
	filing_no TEXT NOT NULL DEFAULT '',
	filing_date TEXT NOT NULL DEFAULT '',
	scope TEXT NOT NULL DEFAULT '',
	plan_task INTEGER NOT NULL DEFAULT 0,
	demo INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX standards_family ON standards(family, region, issued);
CREATE INDEX standards_issued ON standards(issued);
CREATE INDEX standards_kind ON standards(kind, issued);

CREATE TABLE standard_tags (
	standard_id INTEGER NOT NULL REFERENCES standards(id),
	tag TEXT NOT NULL,
	PRIMARY KEY (standard_id, tag)
);
CREATE INDEX standard_tags_tag ON standard_tags(tag);

-- Typed relations: replaces (target is another standard's code) and adopts
-- (target is an international standard). "Replaced by" is the inverse.
CREATE TABLE standard_relations (
	standard_id INTEGER NOT NULL REFERENCES standards(id),
	kind TEXT NOT NULL CHECK (kind IN ('replaces', 'adopts')),
	target_key TEXT NOT NULL,
	target TEXT NOT NULL,
	PRIMARY KEY (standard_id, kind, target_key)
);
CREATE INDEX standard_relations_target ON standard_relations(target_key);

CREATE TABLE standard_stages (
	id INTEGER PRIMARY KEY,
	standard_id INTEGER NOT NULL REFERENCES standards(id),
	stage TEXT NOT NULL,
	on_date TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX standard_stages_std ON standard_stages(standard_id, id);

CREATE TABLE standard_announcements (
	id INTEGER PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	issuer TEXT NOT NULL DEFAULT '',
	issued TEXT NOT NULL,
	demo INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL
);

CREATE TABLE standard_announcement_items (
	announcement_id INTEGER NOT NULL REFERENCES standard_announcements(id),
	standard_id INTEGER NOT NULL REFERENCES standards(id),
	ordinal INTEGER NOT NULL,
	PRIMARY KEY (announcement_id, standard_id)
);
CREATE INDEX standard_announcement_items_std ON standard_announcement_items(standard_id);

-- Full-text search (internal/search): pre-tokenised text in FTS5.
CREATE TABLE search_docs (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	ref_id INTEGER NOT NULL,
	UNIQUE (kind, ref_id)
);
CREATE VIRTUAL TABLE search_fts USING fts5(title, keywords, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');
