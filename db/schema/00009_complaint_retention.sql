-- +goose Up
-- A closed complaint keeps its author's data for the tenant's retention, then a daily job
-- removes them (the numbers, dates, service, status and outcome stay for the indicators).
ALTER TABLE tenant_profiles
    ADD COLUMN complaint_retention_months integer NOT NULL DEFAULT 60 CHECK (complaint_retention_months BETWEEN 6 AND 240);
ALTER TABLE complaints ADD COLUMN anonymised_at timestamptz;
CREATE INDEX complaints_closed ON complaints (tenant_id, closed_at) WHERE anonymised_at IS NULL;
CREATE POLICY tenant_delete ON complaint_links FOR DELETE USING (tenant_id = (SELECT app_tenant()));
GRANT DELETE ON complaint_links TO carta_runtime;
-- (complaint_events has its update policy since 00007; the runtime may now blank notes.)
GRANT UPDATE (note) ON complaint_events TO carta_runtime;

-- +goose Down
REVOKE UPDATE (note) ON complaint_events FROM carta_runtime;
REVOKE DELETE ON complaint_links FROM carta_runtime;
DROP POLICY tenant_delete ON complaint_links;
DROP INDEX complaints_closed;
ALTER TABLE complaints DROP COLUMN anonymised_at;
ALTER TABLE tenant_profiles DROP COLUMN complaint_retention_months;
