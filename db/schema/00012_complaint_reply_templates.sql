-- +goose Up
-- The tenant's reply templates: the URP starts an answer from one and adapts it.
CREATE TABLE complaint_reply_templates (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 8000),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE complaint_reply_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_reply_templates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON complaint_reply_templates FOR SELECT USING (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_insert ON complaint_reply_templates FOR INSERT WITH CHECK (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_delete ON complaint_reply_templates FOR DELETE USING (tenant_id = (SELECT app_tenant()));
GRANT SELECT, INSERT, DELETE ON complaint_reply_templates TO carta_runtime;

-- +goose Down
DROP TABLE complaint_reply_templates;
