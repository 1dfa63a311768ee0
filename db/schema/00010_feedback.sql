-- +goose Up
-- Suggestions and reports of unmet needs (seed 002): lighter than a complaint, no identity
-- required and no duty to answer within 30 days; they reach the office concerned and are
-- counted in the indicators.
CREATE TABLE feedback (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    kind          text NOT NULL CHECK (kind IN ('suggerimento', 'bisogno')),
    service_id    uuid,
    service_title text NOT NULL DEFAULT '' CHECK (length(service_title) <= 300),
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    email         text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    created_at    timestamptz NOT NULL DEFAULT now(),
    read_at       timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX feedback_recent ON feedback (tenant_id, created_at DESC);
ALTER TABLE feedback ENABLE ROW LEVEL SECURITY;
ALTER TABLE feedback FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON feedback FOR SELECT USING (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_insert ON feedback FOR INSERT WITH CHECK (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_update ON feedback FOR UPDATE
    USING (tenant_id = (SELECT app_tenant())) WITH CHECK (tenant_id = (SELECT app_tenant()));
GRANT SELECT, INSERT, UPDATE ON feedback TO carta_runtime;

-- +goose Down
DROP TABLE feedback;
