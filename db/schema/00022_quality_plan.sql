-- +goose Up
-- The improvement plan (Piano di miglioramento): each year's actions, with the indicator each
-- should move, who answers for it, the due day and the status; the indicator's value the year
-- before (taken when the action is created) and the effect measured on the action's own year.
-- Published on the citizen site (all but the cancelled ones): no personal data in it.
CREATE TABLE improvement_actions (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    year          int NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description   text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    indicator     text NOT NULL CHECK (length(indicator) BETWEEN 1 AND 60),
    owner         text NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
    due_on        date NOT NULL,
    status        text NOT NULL DEFAULT 'da_avviare'
                  CHECK (status IN ('da_avviare', 'in_corso', 'completata', 'annullata')),
    start_value   text NOT NULL DEFAULT '',
    effect_value  text NOT NULL DEFAULT '',
    effect_change text NOT NULL DEFAULT '',
    measured_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX improvement_actions_by_year ON improvement_actions (tenant_id, year, due_on);

ALTER TABLE improvement_actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE improvement_actions FORCE ROW LEVEL SECURITY;
-- Its own tenant only: an ambito does not read its members' plans.
CREATE POLICY tenant_read ON improvement_actions FOR SELECT USING (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_insert ON improvement_actions FOR INSERT WITH CHECK (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_update ON improvement_actions FOR UPDATE USING (tenant_id = (SELECT app_tenant())) WITH CHECK (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_delete ON improvement_actions FOR DELETE USING (tenant_id = (SELECT app_tenant()));
GRANT SELECT, INSERT, UPDATE ON improvement_actions TO carta_runtime;

-- +goose Down
DROP TABLE improvement_actions;
