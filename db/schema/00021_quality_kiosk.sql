-- +goose Up
-- The counter kiosk ("Mettiamoci la faccia"): a tablet at an office, opened by a link staff
-- issue (only the token's hash is stored), where citizens touch one of three faces and, when
-- dissatisfied, a reason. Nothing says who touched.
CREATE TABLE kiosks (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    office_id   uuid NOT NULL,
    office_name text NOT NULL CHECK (length(office_name) BETWEEN 1 AND 300),
    token_hash  bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash)
);

CREATE TABLE kiosk_ratings (
    tenant_id   uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    kiosk_id    uuid NOT NULL,
    office_id   uuid NOT NULL,
    office_name text NOT NULL,
    face        text NOT NULL CHECK (face IN ('soddisfatto', 'neutro', 'insoddisfatto')),
    reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 40),
    rated_on    date NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, kiosk_id) REFERENCES kiosks (tenant_id, id) ON DELETE CASCADE,
    CHECK ((face = 'insoddisfatto') = (reason <> ''))
);
CREATE INDEX kiosk_ratings_by_day ON kiosk_ratings (tenant_id, rated_on);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['kiosks', 'kiosk_ratings'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_read ON %I FOR SELECT USING (tenant_id = (SELECT app_tenant()))', t);
        EXECUTE format('CREATE POLICY tenant_insert ON %I FOR INSERT WITH CHECK (tenant_id = (SELECT app_tenant()))', t);
        EXECUTE format('CREATE POLICY tenant_update ON %I FOR UPDATE USING (tenant_id = (SELECT app_tenant())) WITH CHECK (tenant_id = (SELECT app_tenant()))', t);
        EXECUTE format('CREATE POLICY tenant_delete ON %I FOR DELETE USING (tenant_id = (SELECT app_tenant()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd
GRANT SELECT, INSERT, UPDATE ON kiosks TO carta_runtime;
GRANT SELECT, INSERT ON kiosk_ratings TO carta_runtime;

-- +goose Down
DROP TABLE kiosk_ratings;
DROP TABLE kiosks;
