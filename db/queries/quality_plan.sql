-- name: QualityPlanCreate :one
INSERT INTO improvement_actions (tenant_id, year, title, description, indicator, owner, due_on, start_value)
VALUES ((SELECT app_tenant()), @year, @title, @description, @indicator, @owner, @due_on, @start_value)
RETURNING *;

-- name: QualityPlanList :many
SELECT * FROM improvement_actions
WHERE tenant_id = (SELECT app_tenant()) AND year = @year
ORDER BY due_on, created_at, id;

-- name: QualityPlanGet :one
SELECT * FROM improvement_actions
WHERE tenant_id = (SELECT app_tenant()) AND id = @id;

-- name: QualityPlanUpdate :one
UPDATE improvement_actions
SET title = @title, description = @description, indicator = @indicator, owner = @owner, due_on = @due_on,
    start_value = @start_value, updated_at = now()
WHERE tenant_id = (SELECT app_tenant()) AND id = @id
RETURNING *;

-- name: QualityPlanSetStatus :one
UPDATE improvement_actions SET status = @status, updated_at = now()
WHERE tenant_id = (SELECT app_tenant()) AND id = @id
RETURNING *;

-- name: QualityPlanSetEffect :one
UPDATE improvement_actions
SET effect_value = @effect_value, effect_change = @effect_change, measured_at = now(), updated_at = now()
WHERE tenant_id = (SELECT app_tenant()) AND id = @id
RETURNING *;
