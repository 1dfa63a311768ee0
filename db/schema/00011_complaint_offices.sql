-- +goose Up
-- The offices a complaint is assigned to. With more than one, the coordination table (tavolo
-- di coordinamento): each office adds its contribution to the history, and the URP composes
-- the single reply.
CREATE TABLE complaint_assignments (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    complaint_id uuid NOT NULL,
    office_id    uuid NOT NULL,
    office_name  text NOT NULL CHECK (length(office_name) <= 300),
    assigned_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, complaint_id, office_id),
    FOREIGN KEY (tenant_id, complaint_id) REFERENCES complaints (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE complaint_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_assignments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON complaint_assignments FOR SELECT USING (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_insert ON complaint_assignments FOR INSERT WITH CHECK (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_delete ON complaint_assignments FOR DELETE USING (tenant_id = (SELECT app_tenant()));
GRANT SELECT, INSERT, DELETE ON complaint_assignments TO carta_runtime;
-- Which office a contribution comes from.
ALTER TABLE complaint_events ADD COLUMN office_name text NOT NULL DEFAULT '' CHECK (length(office_name) <= 300);

-- +goose Down
ALTER TABLE complaint_events DROP COLUMN office_name;
DROP TABLE complaint_assignments;
