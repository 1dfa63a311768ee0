-- +goose Up
-- Forwarding a complaint between a comune and its ambito (the capofila's URP).
--
-- The original stays where it was filed: it keeps its protocol number, the citizen's private
-- links and its history, and records where it went (forwarded_to) with the status
-- non_di_competenza, so that the origin's reminders and actions stop. The destination holds a
-- copy with the same year, number, submitted_at and due_on — the number the citizen knows —
-- and a pointer to the original (origin_tenant_id, origin_id). The copy takes no number of the
-- destination's counter, so each tenant's own numbers stay gapless; its uniqueness is per
-- origin instead. The citizen's follow page, on the origin's site, shows the copy's progress.
ALTER TABLE complaints
    ADD COLUMN origin_tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
    ADD COLUMN origin_id        uuid,
    ADD COLUMN forwarded_to     uuid REFERENCES tenants (id) ON DELETE SET NULL,
    ADD COLUMN arrived_at       timestamptz,
    ADD CONSTRAINT complaints_origin_pair CHECK ((origin_tenant_id IS NULL) = (origin_id IS NULL)),
    ADD CONSTRAINT complaints_origin_elsewhere CHECK (origin_tenant_id IS NULL OR origin_tenant_id <> tenant_id),
    ADD CONSTRAINT complaints_forwarded_elsewhere CHECK (forwarded_to IS NULL OR forwarded_to <> tenant_id);
ALTER TABLE complaints DROP CONSTRAINT complaints_tenant_id_year_number_key;
CREATE UNIQUE INDEX complaints_own_number ON complaints (tenant_id, year, number) WHERE origin_tenant_id IS NULL;
CREATE UNIQUE INDEX complaints_received_number ON complaints (tenant_id, origin_tenant_id, year, number)
    WHERE origin_tenant_id IS NOT NULL;
CREATE UNIQUE INDEX complaints_received_origin ON complaints (tenant_id, origin_tenant_id, origin_id)
    WHERE origin_tenant_id IS NOT NULL;

-- Only legal partners: a copy comes from the tenant's own ambito or from one of its current
-- member comuni, and a complaint goes only to them. Restrictive, so it narrows every
-- permissive policy.
CREATE POLICY forward_partners_insert ON complaints AS RESTRICTIVE FOR INSERT
    WITH CHECK (origin_tenant_id IS NULL
        OR origin_tenant_id = (SELECT app_tenant_ambito())
        OR (origin_tenant_id = ANY ((SELECT app_readable_tenants())::uuid[]) AND origin_tenant_id <> (SELECT app_tenant())));
CREATE POLICY forward_partners_update ON complaints AS RESTRICTIVE FOR UPDATE
    USING (true)
    WITH CHECK (forwarded_to IS NULL
        OR forwarded_to = (SELECT app_tenant_ambito())
        OR (forwarded_to = ANY ((SELECT app_readable_tenants())::uuid[]) AND forwarded_to <> (SELECT app_tenant())));

-- +goose Down
DROP POLICY forward_partners_update ON complaints;
DROP POLICY forward_partners_insert ON complaints;
DROP INDEX complaints_received_origin;
DROP INDEX complaints_received_number;
DROP INDEX complaints_own_number;
ALTER TABLE complaints ADD CONSTRAINT complaints_tenant_id_year_number_key UNIQUE (tenant_id, year, number);
ALTER TABLE complaints DROP CONSTRAINT complaints_forwarded_elsewhere, DROP CONSTRAINT complaints_origin_elsewhere,
    DROP CONSTRAINT complaints_origin_pair, DROP COLUMN arrived_at, DROP COLUMN forwarded_to,
    DROP COLUMN origin_id, DROP COLUMN origin_tenant_id;
