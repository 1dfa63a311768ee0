-- +goose Up
-- The capofila's view of member comuni's complaints about the ambito's services.
--
-- A member comune's citizen may complain about a service the ambito runs (the comune's site
-- shows it as "Servizio dell'ambito"). The complaint is filed, numbered and answered at the
-- comune unless the comune forwards it; the ambito, which runs the service, sees it read-only.
-- service_owner_id records whose Carta the service came from when the citizen chose it: the
-- tenant itself, or its ambito.
ALTER TABLE complaints ADD COLUMN service_owner_id uuid REFERENCES tenants (id) ON DELETE SET NULL;
UPDATE complaints c SET service_owner_id = s.tenant_id FROM services s WHERE s.id = c.service_id;
UPDATE complaints SET service_owner_id = tenant_id WHERE service_id IS NOT NULL AND service_owner_id IS NULL;
-- Led by tenant_id like every index of a tenant table: the view reads member by member.
CREATE INDEX complaints_of_service_owner ON complaints (tenant_id, service_owner_id, submitted_at DESC, id DESC)
    WHERE service_owner_id IS NOT NULL AND service_owner_id <> tenant_id;

-- The view is opened by a transaction-local switch (app.ambito_view = 'on') that only the
-- ambito view's reads set, so that nothing of the members leaks into the ambito's own inbox,
-- counts, author search or indicators, which read under the plain tenant policy. Read-only:
-- no insert or update policy goes with it. The members are the current ones
-- (app_readable_tenants of an ambito is itself and its current members).
CREATE POLICY ambito_view_read ON complaints FOR SELECT
    USING (current_setting('app.ambito_view', true) = 'on'
        AND service_owner_id = (SELECT app_tenant())
        AND tenant_id <> (SELECT app_tenant())
        AND tenant_id = ANY ((SELECT app_readable_tenants())::uuid[]));
CREATE POLICY ambito_view_read ON complaint_events FOR SELECT
    USING (current_setting('app.ambito_view', true) = 'on'
        AND public
        AND tenant_id <> (SELECT app_tenant())
        AND tenant_id = ANY ((SELECT app_readable_tenants())::uuid[])
        AND EXISTS (SELECT 1 FROM complaints c
                    WHERE c.tenant_id = complaint_events.tenant_id AND c.id = complaint_events.complaint_id
                      AND c.service_owner_id = (SELECT app_tenant())));

-- +goose Down
DROP POLICY ambito_view_read ON complaint_events;
DROP POLICY ambito_view_read ON complaints;
DROP INDEX complaints_of_service_owner;
ALTER TABLE complaints DROP COLUMN service_owner_id;
