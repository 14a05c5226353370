-- Departments: canonical bodies with aliases; renamed bodies keep history
-- through successor_id rather than being overwritten.
CREATE TABLE departments (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL UNIQUE,
	short_name TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL,
	parent_id INTEGER REFERENCES departments(id),
	region_code TEXT NOT NULL DEFAULT '',
	sort_order INTEGER NOT NULL DEFAULT 0,
	status TEXT NOT NULL DEFAULT 'active',
	successor_id INTEGER REFERENCES departments(id),
	note TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX departments_parent ON departments(parent_id);

CREATE TABLE department_aliases (
	alias TEXT PRIMARY KEY,
	department_id INTEGER NOT NULL REFERENCES departments(id)
);

CREATE TABLE plans (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	title TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE plan_versions (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES plans(id),
	version INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'approved', 'superseded', 'discarded')),
	source_name TEXT NOT NULL,
	source_sha256 TEXT NOT NULL,
	source_text TEXT NOT NULL,
	document TEXT NOT NULL,
	base_version_id INTEGER REFERENCES plan_versions(id),
	created_by TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	approved_by TEXT,
	approved_at TIMESTAMP,
	note TEXT NOT NULL DEFAULT '',
	UNIQUE (plan_id, version)
);

CREATE TABLE plan_goals (
	id INTEGER PRIMARY KEY,
	version_id INTEGER NOT NULL REFERENCES plan_versions(id),
	ordinal INTEGER NOT NULL,
	title TEXT NOT NULL,
	text TEXT NOT NULL,
	UNIQUE (version_id, ordinal)
);

CREATE TABLE plan_pillars (
	id INTEGER PRIMARY KEY,
	version_id INTEGER NOT NULL REFERENCES plan_versions(id),
	number INTEGER NOT NULL,
	title TEXT NOT NULL,
	UNIQUE (version_id, number)
);

CREATE TABLE plan_tasks (
	id INTEGER PRIMARY KEY,
	version_id INTEGER NOT NULL REFERENCES plan_versions(id),
	pillar_id INTEGER NOT NULL REFERENCES plan_pillars(id),
	number INTEGER NOT NULL,
	title TEXT NOT NULL,
	text TEXT NOT NULL,
	UNIQUE (version_id, number)
);

CREATE TABLE plan_responsibilities (
	id INTEGER PRIMARY KEY,
	task_id INTEGER NOT NULL REFERENCES plan_tasks(id),
	clause INTEGER NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('lead', 'co')),
	name_written TEXT NOT NULL,
	department_id INTEGER NOT NULL REFERENCES departments(id),
	via TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plan_responsibilities_dept ON plan_responsibilities(department_id);
CREATE INDEX plan_responsibilities_task ON plan_responsibilities(task_id);

CREATE TABLE plan_targets (
	id INTEGER PRIMARY KEY,
	task_id INTEGER NOT NULL REFERENCES plan_tasks(id),
	ordinal INTEGER NOT NULL,
	year INTEGER NOT NULL,
	text TEXT NOT NULL,
	comparator TEXT NOT NULL,
	value REAL NOT NULL,
	max_value REAL,
	unit TEXT NOT NULL,
	UNIQUE (task_id, ordinal)
);

CREATE TABLE plan_deliverables (
	id INTEGER PRIMARY KEY,
	task_id INTEGER NOT NULL REFERENCES plan_tasks(id),
	ordinal INTEGER NOT NULL,
	title TEXT NOT NULL,
	UNIQUE (task_id, ordinal)
);

CREATE TABLE plan_requirements (
	id INTEGER PRIMARY KEY,
	version_id INTEGER NOT NULL REFERENCES plan_versions(id),
	number INTEGER NOT NULL,
	title TEXT NOT NULL,
	text TEXT NOT NULL
);

-- Append-only, hash-chained change log. The application never updates or
-- deletes a row; the triggers make sure nobody else does through SQL either.
CREATE TABLE audit_log (
	seq INTEGER PRIMARY KEY,
	at TEXT NOT NULL,
	actor_id INTEGER,
	actor TEXT NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	entity TEXT NOT NULL,
	entity_id TEXT NOT NULL,
	action TEXT NOT NULL,
	before TEXT NOT NULL,
	after TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
