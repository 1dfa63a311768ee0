-- The draft catalogue of the transaction's tenant (internal/catalog). Every statement names
-- app_tenant() explicitly: for an ambito, row-level security also lets reads see its member
-- comuni's drafts, which never belong in the ambito's own catalogue.

-- ---- categories ----

-- name: CatalogCategoryList :many
SELECT * FROM categories WHERE tenant_id = app_tenant() ORDER BY position, name;

-- name: CatalogCategoryGet :one
SELECT * FROM categories WHERE tenant_id = app_tenant() AND id = $1;

-- name: CatalogCategoryCodeTaken :one
SELECT EXISTS (SELECT 1 FROM categories
    WHERE tenant_id = app_tenant() AND code = $1 AND id <> sqlc.arg(exclude_id)::uuid);

-- name: CatalogCategoryEnsure :execrows
-- A national category, added when missing (EnsureDefaults).
INSERT INTO categories (tenant_id, code, name, description, position, is_national)
VALUES (app_tenant(), $1, $2, $3, $4, true)
ON CONFLICT (tenant_id, code) DO NOTHING;

-- name: CatalogCategoryInsert :one
INSERT INTO categories (tenant_id, code, name, description, position, is_national)
VALUES (app_tenant(), $1, $2, $3,
    (SELECT coalesce(max(position), 0) + 1 FROM categories WHERE tenant_id = app_tenant()), false)
RETURNING id;

-- name: CatalogCategoryUpdate :execrows
UPDATE categories SET code = $2, name = $3, description = $4
WHERE tenant_id = app_tenant() AND id = $1 AND NOT is_national;

-- name: CatalogCategoryDelete :execrows
DELETE FROM categories WHERE tenant_id = app_tenant() AND id = $1 AND NOT is_national;

-- name: CatalogCategoryUsage :one
SELECT count(*) FROM services WHERE tenant_id = app_tenant() AND category_id = $1;

-- ---- general part ----

-- name: CatalogSectionList :many
SELECT * FROM carta_sections WHERE tenant_id = app_tenant() ORDER BY position, title;

-- name: CatalogSectionGet :one
SELECT * FROM carta_sections WHERE tenant_id = app_tenant() AND id = $1;

-- name: CatalogSectionEnsure :execrows
INSERT INTO carta_sections (tenant_id, key, title, body, position)
VALUES (app_tenant(), $1, $2, $3, $4)
ON CONFLICT (tenant_id, key) DO NOTHING;

-- name: CatalogSectionKeyTaken :one
SELECT EXISTS (SELECT 1 FROM carta_sections WHERE tenant_id = app_tenant() AND key = $1);

-- name: CatalogSectionInsert :one
INSERT INTO carta_sections (tenant_id, key, title, body, position)
VALUES (app_tenant(), $1, $2, $3,
    (SELECT coalesce(max(position), 0) + 1 FROM carta_sections WHERE tenant_id = app_tenant()))
RETURNING id;

-- name: CatalogSectionUpdate :execrows
UPDATE carta_sections SET title = $2, body = $3, updated_at = now()
WHERE tenant_id = app_tenant() AND id = $1;

-- name: CatalogSectionSetPosition :exec
UPDATE carta_sections SET position = $2 WHERE tenant_id = app_tenant() AND id = $1;

-- name: CatalogSectionDelete :execrows
DELETE FROM carta_sections WHERE tenant_id = app_tenant() AND id = $1;

-- ---- offices ----

-- name: CatalogOfficeList :many
SELECT * FROM offices WHERE tenant_id = app_tenant() ORDER BY position, name;

-- name: CatalogOfficeGet :one
SELECT * FROM offices WHERE tenant_id = app_tenant() AND id = $1;

-- name: CatalogOfficeSlugTaken :one
SELECT EXISTS (SELECT 1 FROM offices
    WHERE tenant_id = app_tenant() AND slug = $1 AND id <> sqlc.arg(exclude_id)::uuid);

-- name: CatalogOfficeInsert :one
INSERT INTO offices (tenant_id, slug, name, description, address, postal_code, city, phone, email,
    pec, notes, is_main_desk, position)
VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
    (SELECT coalesce(max(position), 0) + 1 FROM offices WHERE tenant_id = app_tenant()))
RETURNING id;

-- name: CatalogOfficeUpdate :execrows
UPDATE offices SET slug = $2, name = $3, description = $4, address = $5, postal_code = $6,
    city = $7, phone = $8, email = $9, pec = $10, notes = $11, is_main_desk = $12, updated_at = now()
WHERE tenant_id = app_tenant() AND id = $1;

-- name: CatalogOfficeClearMainDesk :exec
-- Only one main desk per tenant: cleared on the others before one is set.
UPDATE offices SET is_main_desk = false, updated_at = now()
WHERE tenant_id = app_tenant() AND is_main_desk AND id <> $1;

-- name: CatalogOfficeDelete :execrows
DELETE FROM offices WHERE tenant_id = app_tenant() AND id = $1;

-- name: CatalogOfficeHoursAll :many
SELECT * FROM office_hours WHERE tenant_id = app_tenant() ORDER BY office_id, weekday, opens;

-- name: CatalogOfficeHoursDelete :exec
DELETE FROM office_hours WHERE tenant_id = app_tenant() AND office_id = $1;

-- name: CatalogOfficeHoursInsert :exec
INSERT INTO office_hours (tenant_id, office_id, weekday, opens, closes)
VALUES (app_tenant(), $1, $2, $3, $4);

-- name: CatalogExceptionList :many
SELECT * FROM office_exceptions WHERE tenant_id = app_tenant() ORDER BY date_from, date_to, id;

-- name: CatalogExceptionInsert :one
INSERT INTO office_exceptions (tenant_id, office_id, date_from, date_to, closed, opens, closes, reason)
VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7)
RETURNING id;

-- name: CatalogExceptionDelete :execrows
DELETE FROM office_exceptions WHERE tenant_id = app_tenant() AND id = $1;

-- ---- people ----

-- name: CatalogPersonList :many
SELECT * FROM people WHERE tenant_id = app_tenant() ORDER BY position, name;

-- name: CatalogPersonGet :one
SELECT * FROM people WHERE tenant_id = app_tenant() AND id = $1;

-- name: CatalogPersonInsert :one
INSERT INTO people (tenant_id, name, role_title, area, email, phone, office_id, position)
VALUES (app_tenant(), $1, $2, $3, $4, $5, $6,
    (SELECT coalesce(max(position), 0) + 1 FROM people WHERE tenant_id = app_tenant()))
RETURNING id;

-- name: CatalogPersonUpdate :execrows
UPDATE people SET name = $2, role_title = $3, area = $4, email = $5, phone = $6, office_id = $7
WHERE tenant_id = app_tenant() AND id = $1;

-- name: CatalogPersonDelete :execrows
DELETE FROM people WHERE tenant_id = app_tenant() AND id = $1;

-- ---- services ----

-- name: CatalogServiceList :many
SELECT s.*, coalesce(c.code, '')::text AS category_code
FROM services s
LEFT JOIN categories c ON c.tenant_id = s.tenant_id AND c.id = s.category_id
WHERE s.tenant_id = app_tenant()
ORDER BY s.position, s.title;

-- name: CatalogServiceGet :one
SELECT s.*, coalesce(c.code, '')::text AS category_code
FROM services s
LEFT JOIN categories c ON c.tenant_id = s.tenant_id AND c.id = s.category_id
WHERE s.tenant_id = app_tenant() AND s.id = $1;

-- name: CatalogServiceSlugTaken :one
SELECT EXISTS (SELECT 1 FROM services
    WHERE tenant_id = app_tenant() AND slug = $1 AND id <> sqlc.arg(exclude_id)::uuid);

-- name: CatalogServiceInsert :one
INSERT INTO services (tenant_id, slug, status, status_reason, category_id, macro_level,
    nomenclator_code, title, short_description, description, audience, coverage, how_to,
    needed_intro, needed_items, obtained, timing, cost_kind, cost_text, office_id, digital_label,
    digital_url, booking_url, booking_text, constraints_text, special_cases, more_info,
    conditions_text, contacts_text, responsible_unit, responsible_person_id, providers, topics,
    national_category, keywords, position, updated_by)
VALUES (app_tenant(), @slug, @status, @status_reason, @category_id, @macro_level,
    @nomenclator_code, @title, @short_description, @description, @audience, @coverage, @how_to,
    @needed_intro, @needed_items, @obtained, @timing, @cost_kind, @cost_text, @office_id, @digital_label,
    @digital_url, @booking_url, @booking_text, @constraints_text, @special_cases, @more_info,
    @conditions_text, @contacts_text, @responsible_unit, @responsible_person_id, @providers, @topics,
    @national_category, @keywords,
    (SELECT coalesce(max(position), 0) + 1 FROM services WHERE tenant_id = app_tenant()), @updated_by)
RETURNING id;

-- name: CatalogServiceUpdate :execrows
UPDATE services SET slug = @slug, status = @status, status_reason = @status_reason,
    category_id = @category_id, macro_level = @macro_level, nomenclator_code = @nomenclator_code,
    title = @title, short_description = @short_description, description = @description,
    audience = @audience, coverage = @coverage, how_to = @how_to, needed_intro = @needed_intro,
    needed_items = @needed_items, obtained = @obtained, timing = @timing, cost_kind = @cost_kind,
    cost_text = @cost_text, office_id = @office_id, digital_label = @digital_label,
    digital_url = @digital_url, booking_url = @booking_url, booking_text = @booking_text,
    constraints_text = @constraints_text, special_cases = @special_cases, more_info = @more_info,
    conditions_text = @conditions_text, contacts_text = @contacts_text,
    responsible_unit = @responsible_unit, responsible_person_id = @responsible_person_id,
    providers = @providers, topics = @topics, national_category = @national_category,
    keywords = @keywords, updated_at = now(), updated_by = @updated_by
WHERE tenant_id = app_tenant() AND id = @id;

-- name: CatalogServiceSetStatus :execrows
UPDATE services SET status = $2, status_reason = $3, updated_at = now(), updated_by = $4
WHERE tenant_id = app_tenant() AND id = $1;

-- name: CatalogServiceSetPosition :exec
UPDATE services SET position = $2 WHERE tenant_id = app_tenant() AND id = $1;

-- name: CatalogServiceDelete :execrows
DELETE FROM services WHERE tenant_id = app_tenant() AND id = $1;

-- name: CatalogServiceEverPublished :one
-- Whether any published version of the tenant carries the service: then it is archived, never
-- deleted, so that the history stays complete.
SELECT EXISTS (SELECT 1 FROM carta_versions
    WHERE tenant_id = app_tenant()
      AND snapshot -> 'services' @> jsonb_build_array(jsonb_build_object('id', sqlc.arg(id)::uuid::text)));

-- name: CatalogDeadlinesAll :many
SELECT * FROM service_deadlines WHERE tenant_id = app_tenant() ORDER BY service_id, position, id;

-- name: CatalogDeadlinesDelete :exec
DELETE FROM service_deadlines WHERE tenant_id = app_tenant() AND service_id = $1;

-- name: CatalogDeadlineInsert :exec
INSERT INTO service_deadlines (tenant_id, service_id, label, due_on, description, position)
VALUES (app_tenant(), $1, $2, $3, $4, $5);

-- name: CatalogStandardsAll :many
SELECT * FROM service_standards WHERE tenant_id = app_tenant() ORDER BY service_id, position, id;

-- name: CatalogStandardUpsert :exec
-- Standards keep their id across edits: measured values (quality work) refer to it.
INSERT INTO service_standards (tenant_id, service_id, id, dimension, description, indicator,
    formula, target, unit, higher_is_better, position)
VALUES (app_tenant(), @service_id, @id, @dimension, @description, @indicator, @formula, @target,
    @unit, @higher_is_better, @position)
ON CONFLICT (tenant_id, id) DO UPDATE SET dimension = EXCLUDED.dimension,
    description = EXCLUDED.description, indicator = EXCLUDED.indicator,
    formula = EXCLUDED.formula, target = EXCLUDED.target, unit = EXCLUDED.unit,
    higher_is_better = EXCLUDED.higher_is_better, position = EXCLUDED.position
WHERE service_standards.service_id = EXCLUDED.service_id;

-- name: CatalogStandardsPrune :exec
DELETE FROM service_standards
WHERE tenant_id = app_tenant() AND service_id = $1 AND NOT (id = ANY (sqlc.arg(keep)::uuid[]));

-- ---- documents ----

-- name: CatalogDocumentList :many
-- Attached documents, without their bytes.
SELECT id, service_id, kind, title, filename, content_type, size_bytes, sha256, position, created_at
FROM documents
WHERE tenant_id = app_tenant() AND detached_at IS NULL
ORDER BY service_id NULLS FIRST, position, created_at;

-- name: CatalogDocumentGet :one
SELECT id, service_id, kind, title, filename, content_type, size_bytes, sha256, position, created_at, detached_at
FROM documents WHERE tenant_id = app_tenant() AND id = $1;

-- name: CatalogDocumentContent :one
-- Detached documents too: an older published version may link to them.
SELECT id, service_id, kind, title, filename, content_type, size_bytes, sha256, data
FROM documents WHERE tenant_id = app_tenant() AND id = $1;

-- name: CatalogDocumentInsert :one
INSERT INTO documents (tenant_id, service_id, kind, title, filename, content_type, size_bytes,
    sha256, data, position, created_by)
VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7, $8,
    (SELECT coalesce(max(position), 0) + 1 FROM documents WHERE tenant_id = app_tenant() AND service_id = $1),
    $9)
RETURNING id;

-- name: CatalogDocumentEverPublished :one
SELECT EXISTS (SELECT 1 FROM carta_versions
    WHERE tenant_id = app_tenant()
      AND jsonb_path_exists(snapshot, '$.** ? (@.id == $id && @.sha256 != null)',
          jsonb_build_object('id', sqlc.arg(id)::uuid::text)));

-- name: CatalogDocumentDetach :execrows
UPDATE documents SET detached_at = now()
WHERE tenant_id = app_tenant() AND id = $1 AND detached_at IS NULL;

-- name: CatalogDocumentDelete :execrows
DELETE FROM documents WHERE tenant_id = app_tenant() AND id = $1;

-- ---- ambito services hidden by a member comune ----

-- name: CatalogHideList :many
SELECT h.ambito_service_id, h.reason, h.hidden_at,
    coalesce(u.display_name, '')::text AS hidden_by_name, coalesce(u.email, '')::text AS hidden_by_email
FROM ambito_service_hides h
LEFT JOIN users u ON u.id = h.hidden_by
WHERE h.tenant_id = app_tenant()
ORDER BY h.hidden_at;

-- name: CatalogHideSet :exec
INSERT INTO ambito_service_hides (tenant_id, ambito_service_id, reason, hidden_by)
VALUES (app_tenant(), $1, $2, $3)
ON CONFLICT (tenant_id, ambito_service_id) DO UPDATE
SET reason = EXCLUDED.reason, hidden_by = EXCLUDED.hidden_by, hidden_at = now();

-- name: CatalogHideDelete :execrows
DELETE FROM ambito_service_hides WHERE tenant_id = app_tenant() AND ambito_service_id = $1;
