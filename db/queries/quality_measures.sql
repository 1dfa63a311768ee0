-- name: QualityMeasureAdd :one
-- The measured values of the standards (internal/quality/measures.go).
INSERT INTO standard_measures (tenant_id, service_id, standard_id, period_from, period_to, value, unit, met, source, note)
VALUES ((SELECT app_tenant()), @service_id, @standard_id, @period_from, @period_to, @value, @unit, @met, @source, @note)
RETURNING *;

-- name: QualityMeasuresOf :many
-- The measures of the current tenant's standards, newest period first.
SELECT * FROM standard_measures
WHERE tenant_id = (SELECT app_tenant()) AND service_id = @service_id
ORDER BY period_to DESC, created_at DESC
LIMIT 200;

-- name: QualityMeasuresLatest :many
-- The last measure of each standard among ids, of the tenant that owns them (the page's own
-- tenant, or its ambito for an ambito service).
SELECT DISTINCT ON (m.standard_id) m.* FROM standard_measures m
WHERE m.tenant_id = @owner AND m.standard_id = ANY(@standard_ids::uuid[])
ORDER BY m.standard_id, m.period_to DESC, m.created_at DESC;
