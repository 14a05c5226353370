-- The entity library's credit code and the sampling register's batch number
-- stay unique, through named unique indexes instead of inline UNIQUE
-- constraints (whose automatic indexes SQLite cannot drop): a first load
-- into an empty table (kit.DeferIndexes) drops the indexes in its
-- transaction and builds them once over the loaded rows, which checks the
-- keys' uniqueness again before the commit. The tables are rebuilt (SQLite
-- cannot drop a constraint); nothing references them by foreign key.
CREATE TABLE inspect_entities_new (
	id INTEGER PRIMARY KEY,
	credit_code TEXT NOT NULL,
	name TEXT NOT NULL,
	region TEXT NOT NULL,                 -- 行政区划代码
	type TEXT NOT NULL,                   -- 类型
	risk TEXT NOT NULL,                   -- 风险等级
	updated_at TEXT NOT NULL,
	risk_computed TEXT NOT NULL DEFAULT ''
);
INSERT INTO inspect_entities_new(id, credit_code, name, region, type, risk, updated_at, risk_computed)
	SELECT id, credit_code, name, region, type, risk, updated_at, risk_computed FROM inspect_entities;
DROP TABLE inspect_entities;
ALTER TABLE inspect_entities_new RENAME TO inspect_entities;
CREATE UNIQUE INDEX inspect_entities_credit_code ON inspect_entities(credit_code);
CREATE INDEX inspect_entities_name ON inspect_entities(name);

CREATE TABLE sampling_batches_new (
	id INTEGER PRIMARY KEY,
	batch_no TEXT NOT NULL,                -- 抽样单编号
	task_id INTEGER,
	dept_id INTEGER,                       -- the task's department (NULL: province-wide)
	year INTEGER NOT NULL,
	level TEXT NOT NULL,
	product TEXT NOT NULL,
	key_product TEXT NOT NULL,             -- '' | saltlake | pv
	enterprise_name TEXT NOT NULL,
	credit_code TEXT NOT NULL,
	enterprise_id INTEGER,
	sampling_unit TEXT NOT NULL,           -- 抽样单位
	sampled_on TEXT NOT NULL,
	testing_body TEXT NOT NULL,            -- 检验机构
	report_no TEXT NOT NULL,               -- 检验报告编号
	outcome TEXT NOT NULL,
	result_on TEXT NOT NULL,               -- 检验结果通知日期
	failed_items TEXT NOT NULL,            -- 不合格项目
	retest_on TEXT NOT NULL,               -- 复检申请日期
	retest_reason TEXT NOT NULL,           -- 逾期复检理由
	notice_on TEXT NOT NULL,               -- 不合格公告日期
	done_on TEXT NOT NULL,
	demo INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
INSERT INTO sampling_batches_new(id, batch_no, task_id, dept_id, year, level, product, key_product, enterprise_name, credit_code, enterprise_id,
	sampling_unit, sampled_on, testing_body, report_no, outcome, result_on, failed_items, retest_on, retest_reason, notice_on, done_on, demo, created_at, updated_at)
	SELECT id, batch_no, task_id, dept_id, year, level, product, key_product, enterprise_name, credit_code, enterprise_id,
	sampling_unit, sampled_on, testing_body, report_no, outcome, result_on, failed_items, retest_on, retest_reason, notice_on, done_on, demo, created_at, updated_at
	FROM sampling_batches;
DROP TABLE sampling_batches;
ALTER TABLE sampling_batches_new RENAME TO sampling_batches;
CREATE UNIQUE INDEX sampling_batches_batch_no ON sampling_batches(batch_no);
CREATE INDEX sampling_batches_done ON sampling_batches(done_on, outcome);
CREATE INDEX sampling_batches_enterprise ON sampling_batches(enterprise_id);
CREATE INDEX sampling_batches_notice ON sampling_batches(notice_on) WHERE notice_on <> '';
