-- Several plans side by side (issue 17 item 5): each plan has at most one
-- approved (current) version, and pages look a plan's versions up by plan
-- and status.
CREATE UNIQUE INDEX plan_versions_one_current ON plan_versions(plan_id) WHERE status = 'approved';
CREATE INDEX plan_versions_plan_status ON plan_versions(plan_id, status, version);
