-- The unified social credit code of the enterprise a complaint is about or
-- comes from (issue 14 items 1–2): optional, its check character verified,
-- linked to the enterprise directory so the enterprise page lists them.
ALTER TABLE fair_oversight ADD COLUMN credit_code TEXT NOT NULL DEFAULT '';
ALTER TABLE fair_oversight ADD COLUMN enterprise_id BIGINT;
CREATE INDEX fair_oversight_enterprise ON fair_oversight(enterprise_id);
ALTER TABLE fee_cases ADD COLUMN credit_code TEXT NOT NULL DEFAULT '';
ALTER TABLE fee_cases ADD COLUMN enterprise_id BIGINT;
CREATE INDEX fee_cases_enterprise ON fee_cases(enterprise_id);
