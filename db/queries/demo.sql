-- Demo content of `carta dev` (development mode only).

-- name: DemoOfficeCount :one
SELECT count(*) FROM offices WHERE tenant_id = app_tenant();

-- name: DemoOfficeInsert :one
INSERT INTO offices (tenant_id, slug, name, description, address, postal_code, city, phone, email, pec, is_main_desk, position)
VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
RETURNING id;

-- name: DemoOfficeHourInsert :exec
INSERT INTO office_hours (tenant_id, office_id, weekday, opens, closes)
VALUES (app_tenant(), $1, $2, $3, $4);

-- name: DemoOfficeExceptionInsert :exec
INSERT INTO office_exceptions (tenant_id, office_id, date_from, date_to, closed, reason)
VALUES (app_tenant(), NULL, $1, $2, true, $3);

-- name: DemoPersonInsert :exec
INSERT INTO people (tenant_id, name, role_title, area, email, phone, office_id, position)
VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7);

-- name: DemoServiceIDBySlug :one
SELECT id FROM services WHERE tenant_id = app_tenant() AND slug = $1;

-- name: DemoStandardInsert :exec
INSERT INTO service_standards (tenant_id, service_id, dimension, description, indicator, formula, target, unit, higher_is_better, position)
VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: DemoDeadlineInsert :exec
INSERT INTO service_deadlines (tenant_id, service_id, label, due_on, description, position)
VALUES (app_tenant(), $1, $2, $3, $4, $5);
