-- +goose Up
-- The measured values of the Carta's quality standards: for a standard of a published service,
-- over a period, the value staff measured (or the product computed from its own data) and
-- whether the standard was met. The service page shows the last one; the annual report and the
-- improvement plan read them. Public information, like the published Carta: a member comune
-- reads its ambito's (its pages show the ambito's services), the ambito its members'.
CREATE TABLE standard_measures (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    service_id   uuid NOT NULL,
    standard_id  uuid NOT NULL,
    period_from  date NOT NULL,
    period_to    date NOT NULL CHECK (period_to >= period_from),
    value        double precision NOT NULL,
    unit         text NOT NULL DEFAULT '' CHECK (length(unit) <= 40),
    met          boolean,
    source       text NOT NULL DEFAULT 'staff' CHECK (source IN ('staff', 'calcolato')),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX standard_measures_recent ON standard_measures (tenant_id, created_at DESC);
CREATE INDEX standard_measures_latest ON standard_measures (tenant_id, standard_id, period_to DESC, created_at DESC);
ALTER TABLE standard_measures ENABLE ROW LEVEL SECURITY;
ALTER TABLE standard_measures FORCE ROW LEVEL SECURITY;
CREATE POLICY published_read ON standard_measures FOR SELECT
    USING (tenant_id = ANY ((SELECT app_readable_tenants())::uuid[]) OR tenant_id = (SELECT app_tenant_ambito()));
CREATE POLICY tenant_insert ON standard_measures FOR INSERT WITH CHECK (tenant_id = (SELECT app_tenant()));
-- Append-only: a wrong value is corrected by a newer measure of the same period.
GRANT SELECT, INSERT ON standard_measures TO carta_runtime;

-- +goose Down
DROP TABLE standard_measures;
