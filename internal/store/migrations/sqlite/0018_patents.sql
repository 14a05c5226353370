-- Issue 13 item 4: invention patents with the five high-value categories
-- (DOMAIN §9), the resident population table the per-10,000 figure divides
-- by, GB/T 29490 certificates and patent navigation projects (task 12).
CREATE TABLE patents (
	id INTEGER PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,         -- CNIPA application number, normalised 202110123456.7
	title TEXT NOT NULL,
	holder TEXT NOT NULL,
	holder_code TEXT NOT NULL,           -- 统一社会信用代码 or ''
	enterprise_id INTEGER,                -- the enterprise directory entry of holder_code
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	applied_on TEXT NOT NULL,
	granted_on TEXT NOT NULL,
	lapsed_on TEXT NOT NULL,             -- '' while in force
	strategic INTEGER NOT NULL,          -- 战略性新兴产业
	overseas INTEGER NOT NULL,           -- overseas family members
	pledge_fen INTEGER NOT NULL,          -- largest pledge financing, fen
	award TEXT NOT NULL,                 -- 中国专利奖 / national science award, '' for none
	award_ok INTEGER NOT NULL,           -- award names a qualifying prize
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX patents_valid ON patents(granted_on, lapsed_on);
CREATE INDEX patents_enterprise ON patents(enterprise_id);

-- Resident population (常住人口) at the end of a year, province (630000)
-- or prefecture, with the publication it comes from.
CREATE TABLE population (
	id INTEGER PRIMARY KEY,
	year INTEGER NOT NULL,
	region TEXT NOT NULL,
	persons INTEGER NOT NULL,
	source TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (year, region)
);

-- GB/T 29490 certificates (企业知识产权管理/合规管理体系认证).
CREATE TABLE ipm_certs (
	id INTEGER PRIMARY KEY,
	cert_no TEXT NOT NULL UNIQUE,
	body TEXT NOT NULL,
	enterprise TEXT NOT NULL,
	credit_code TEXT NOT NULL,
	enterprise_id INTEGER,
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	scope TEXT NOT NULL,
	valid_from TEXT NOT NULL,
	valid_to TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX ipm_certs_valid ON ipm_certs(valid_from, valid_to);
CREATE INDEX ipm_certs_enterprise ON ipm_certs(enterprise_id);

-- Industry patent navigation projects (产业专利导航项目).
CREATE TABLE patent_navigation (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	lead TEXT NOT NULL,
	year INTEGER NOT NULL,
	status TEXT NOT NULL,                -- planned | ongoing | accepted | ended
	region TEXT NOT NULL,
	prefecture TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
