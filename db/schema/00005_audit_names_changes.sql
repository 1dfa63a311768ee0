-- +goose Up
-- The audit trail names the object it touched and what changed, as they were at write time,
-- so that an entry still reads right after the object is renamed or deleted.
ALTER TABLE audit_log
    ADD COLUMN object_name text NOT NULL DEFAULT '' CHECK (length(object_name) <= 300),
    ADD COLUMN changes jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(changes) = 'array');
-- The ente admin filters the trail by who acted.
CREATE INDEX audit_log_tenant_actor ON audit_log (tenant_id, actor_id, id DESC);

-- +goose Down
DROP INDEX audit_log_tenant_actor;
ALTER TABLE audit_log DROP COLUMN changes, DROP COLUMN object_name;
