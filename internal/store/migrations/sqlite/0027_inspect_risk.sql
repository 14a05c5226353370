-- Credit-risk classification (issue 14 item 8, DOMAIN.md §4) and the last
-- team per entity (the draw's avoidance of "last time", kept up to date by
-- each draw instead of read from every earlier assignment).

-- One row per entity ever drawn: the team of its latest draw (kind draw;
-- an avoidance redraw updates it when it replaces a member of that team).
CREATE TABLE inspect_last_teams (
	credit_code TEXT PRIMARY KEY,
	draw_id BIGINT NOT NULL,
	team TEXT NOT NULL                    -- certificate numbers joined by ";"
);
INSERT INTO inspect_last_teams(credit_code, draw_id, team)
SELECT a.credit_code, a.draw_id, a.team FROM inspect_assignments a
WHERE a.draw_id = (SELECT MAX(a2.draw_id) FROM inspect_assignments a2 JOIN inspect_draws d2 ON d2.id = a2.draw_id
	WHERE a2.credit_code = a.credit_code AND d2.status = 'drawn' AND d2.kind = 'draw');

-- The class computed by the credit-risk recompute; when not empty it
-- overrides the imported 风险等级 (risk) in the draws.
ALTER TABLE inspect_entities ADD COLUMN risk_computed TEXT NOT NULL DEFAULT '';

-- Versioned scoring schemes: body is the JSON of the indicators (code,
-- name, source, weight, cap) and the class thresholds. Each edit adds a
-- version; the highest version is in force.
CREATE TABLE inspect_risk_schemes (
	version INTEGER PRIMARY KEY,
	body TEXT NOT NULL,
	note TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL
);

-- Imported indicator values for data Sidi does not hold (one per entity
-- and indicator; a later import replaces the value).
CREATE TABLE inspect_risk_values (
	credit_code TEXT NOT NULL,
	indicator TEXT NOT NULL,
	value DOUBLE PRECISION NOT NULL,
	period TEXT NOT NULL,                 -- YYYY-MM the value describes
	updated_at TEXT NOT NULL,
	PRIMARY KEY (credit_code, indicator)
);

-- Recompute runs (monthly, or on demand from the web or the CLI).
CREATE TABLE inspect_risk_runs (
	id INTEGER PRIMARY KEY,
	scheme_version INTEGER NOT NULL,
	cause TEXT NOT NULL,                  -- monthly | manual
	month TEXT NOT NULL,                  -- YYYY-MM (China time)
	entities INTEGER NOT NULL,
	changed INTEGER NOT NULL,
	created_by TEXT NOT NULL,
	started_at TEXT NOT NULL,
	finished_at TEXT NOT NULL
);

-- The latest score of each entity, with its explanation (JSON: each
-- indicator's value and contribution).
CREATE TABLE inspect_risk_scores (
	credit_code TEXT PRIMARY KEY,
	run_id INTEGER NOT NULL,
	scheme_version INTEGER NOT NULL,
	score DOUBLE PRECISION NOT NULL,
	class TEXT NOT NULL,
	explanation TEXT NOT NULL,
	computed_at TEXT NOT NULL
);

-- Class changes found by a recompute: the warnings (to-do until handled).
CREATE TABLE inspect_risk_changes (
	id INTEGER PRIMARY KEY,
	run_id INTEGER NOT NULL,
	credit_code TEXT NOT NULL,
	from_class TEXT NOT NULL,             -- the class in force before (computed, else imported)
	to_class TEXT NOT NULL,
	score DOUBLE PRECISION NOT NULL,
	created_at TEXT NOT NULL,
	handled_by TEXT NOT NULL,
	handled_at TEXT NOT NULL              -- '' until acknowledged
);
CREATE INDEX inspect_risk_changes_open ON inspect_risk_changes(handled_at, id);

-- Draw records are stored gzip-compressed (a million candidates make a
-- 30 MB record); record keeps the text of earlier draws.
ALTER TABLE inspect_draws ADD COLUMN record_gz BLOB;

-- Cross-region cases: a drawn entity located here (inspect_entities.region)
-- but registered in another prefecture (the credit code's characters 3–8)
-- is handed over to (handover) or inspected with the assistance of
-- (assist) that prefecture's bureau. status: requested → accepted →
-- done, or declined.
CREATE TABLE inspect_crossregion (
	id INTEGER PRIMARY KEY,
	draw_id BIGINT NOT NULL,
	credit_code TEXT NOT NULL,
	here TEXT NOT NULL,                   -- prefecture where the entity is (6 digits)
	home TEXT NOT NULL,                   -- prefecture where it is registered
	mode TEXT NOT NULL,                   -- handover | assist
	status TEXT NOT NULL,
	note TEXT NOT NULL,
	reply TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (draw_id, credit_code)
);

-- Joint inspections (联合抽查): each item names the department that
-- carries it out; a draw whose items belong to several departments is one
-- visit by all of them, and each department enters its item's result.
ALTER TABLE inspect_items ADD COLUMN dept TEXT NOT NULL DEFAULT '';
CREATE TABLE inspect_item_results (
	draw_id BIGINT NOT NULL,
	credit_code TEXT NOT NULL,
	item_code TEXT NOT NULL,
	outcome TEXT NOT NULL,
	detail TEXT NOT NULL,
	entered_by TEXT NOT NULL,
	entered_at TEXT NOT NULL,
	PRIMARY KEY (draw_id, credit_code, item_code)
);
