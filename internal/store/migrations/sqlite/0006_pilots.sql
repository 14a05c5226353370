-- Standardization pilots (工作方案任务 3) and S&T projects that produce
-- standards, with standard rewards (任务 2). Dates are ISO text
-- (YYYY-MM-DD) on both engines so they compare alike; money is integer fen.
CREATE TABLE pilots (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	org_name TEXT NOT NULL,                -- 承担单位
	org_credit_code TEXT NOT NULL DEFAULT '',
	prefecture TEXT NOT NULL,              -- region code of the prefecture (630100 …)
	field TEXT NOT NULL,                   -- a "four places" tag of the standards registry
	level TEXT NOT NULL CHECK (level IN ('national', 'provincial')),
	dept_id INTEGER NOT NULL REFERENCES departments(id),
	summary TEXT NOT NULL DEFAULT '',
	outcomes TEXT NOT NULL DEFAULT '',     -- 可复制可推广经验
	contact TEXT NOT NULL DEFAULT '',      -- staff only
	stage TEXT NOT NULL,
	applied_on TEXT NOT NULL,
	approved_on TEXT NOT NULL DEFAULT '',
	accepted_on TEXT NOT NULL DEFAULT '',  -- acceptance passed
	revoked_on TEXT NOT NULL DEFAULT '',
	demo INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (name, org_name)
);
CREATE INDEX pilots_dept ON pilots(dept_id);
CREATE INDEX pilots_approved ON pilots(approved_on);

CREATE TABLE pilot_stages (
	id INTEGER PRIMARY KEY,
	pilot_id INTEGER NOT NULL REFERENCES pilots(id),
	stage TEXT NOT NULL,
	on_date TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX pilot_stages_pilot ON pilot_stages(pilot_id, id);

CREATE TABLE pilot_milestones (
	id INTEGER PRIMARY KEY,
	pilot_id INTEGER NOT NULL REFERENCES pilots(id),
	title TEXT NOT NULL,
	due_on TEXT NOT NULL,
	done_on TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX pilot_milestones_pilot ON pilot_milestones(pilot_id, due_on);

CREATE TABLE pilot_standards (
	pilot_id INTEGER NOT NULL REFERENCES pilots(id),
	standard_id INTEGER NOT NULL REFERENCES standards(id),
	role TEXT NOT NULL CHECK (role IN ('produced', 'applies')),
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (pilot_id, standard_id, role)
);
CREATE INDEX pilot_standards_std ON pilot_standards(standard_id);

CREATE TABLE sci_projects (
	id INTEGER PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,           -- 项目编号
	name TEXT NOT NULL,
	programme TEXT NOT NULL,               -- 计划类别
	lead_org TEXT NOT NULL,
	dept_id INTEGER NOT NULL REFERENCES departments(id),
	start_year INTEGER NOT NULL,
	end_year INTEGER NOT NULL,
	expected_outputs INTEGER NOT NULL DEFAULT 0, -- standards the project is to produce
	demo INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX sci_projects_dept ON sci_projects(dept_id);

-- A standard a project produces: by registry id, or by code (matched to the
-- registry when that code is registered later), or by title while planned.
-- Whether it is published is read from the registry, never stored here.
CREATE TABLE sci_project_standards (
	id INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES sci_projects(id),
	standard_id INTEGER REFERENCES standards(id),
	code_key TEXT NOT NULL DEFAULT '',
	code TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL DEFAULT '',
	family TEXT NOT NULL CHECK (family IN ('national', 'sector', 'local', 'group', 'international')),
	intl_issued TEXT NOT NULL DEFAULT '',      -- international standards only: the registry does not hold them
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX sci_project_standards_proj ON sci_project_standards(project_id);
CREATE INDEX sci_project_standards_std ON sci_project_standards(standard_id);
CREATE INDEX sci_project_standards_key ON sci_project_standards(code_key);

CREATE TABLE standard_rewards (
	id INTEGER PRIMARY KEY,
	project_id INTEGER REFERENCES sci_projects(id),
	dept_id INTEGER NOT NULL REFERENCES departments(id), -- the department that grants it
	enterprise TEXT NOT NULL,
	credit_code TEXT NOT NULL DEFAULT '',
	standard_code TEXT NOT NULL,
	level TEXT NOT NULL CHECK (level IN ('international', 'national', 'sector', 'local')),
	role TEXT NOT NULL CHECK (role IN ('formulate', 'revise')),
	amount_fen BIGINT NOT NULL CHECK (amount_fen >= 0),
	policy TEXT NOT NULL,
	awarded_on TEXT NOT NULL,
	demo INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX standard_rewards_awarded ON standard_rewards(awarded_on);
CREATE INDEX standard_rewards_project ON standard_rewards(project_id);
