-- Spreadsheet import and export of the draft services (internal/catalogio). Every query names
-- the own tenant through app_tenant(): an ambito may READ its member comuni's drafts under
-- row-level security, but imports and exports only ever concern its own services.

-- name: CatalogioImportLock :exec
-- One import at a time per tenant: two concurrent imports would each pick the same free slugs.
SELECT pg_advisory_xact_lock(hashtextextended('catalogio:' || app_tenant()::text, 0));

-- name: CatalogioCategoryList :many
SELECT id, code, name FROM categories
WHERE tenant_id = app_tenant()
ORDER BY position, code;

-- name: CatalogioOfficeList :many
SELECT id, slug, name FROM offices
WHERE tenant_id = app_tenant()
ORDER BY position, slug;

-- name: CatalogioPersonList :many
SELECT id, name, email FROM people
WHERE tenant_id = app_tenant()
ORDER BY position, name, id;

-- name: CatalogioServiceList :many
SELECT id, slug, status, status_reason, category_id, macro_level, nomenclator_code, title,
    short_description, description, audience, coverage, how_to, needed_intro, needed_items,
    obtained, timing, cost_kind, cost_text, office_id, digital_label, digital_url, booking_url,
    booking_text, constraints_text, special_cases, more_info, conditions_text, contacts_text,
    responsible_unit, responsible_person_id, providers, topics, national_category, keywords,
    position
FROM services
WHERE tenant_id = app_tenant()
ORDER BY position, title, slug;

-- name: CatalogioServiceInsert :exec
INSERT INTO services (tenant_id, slug, status, status_reason, category_id, macro_level,
    nomenclator_code, title, short_description, description, audience, coverage, how_to,
    needed_intro, needed_items, obtained, timing, cost_kind, cost_text, office_id, digital_label,
    digital_url, booking_url, booking_text, constraints_text, special_cases, more_info,
    conditions_text, contacts_text, responsible_unit, responsible_person_id, providers, topics,
    national_category, keywords, position, updated_by)
VALUES (app_tenant(), @slug, @status, @status_reason, @category_id, @macro_level,
    @nomenclator_code, @title, @short_description, @description, @audience, @coverage, @how_to,
    @needed_intro, @needed_items, @obtained, @timing, @cost_kind, @cost_text, @office_id,
    @digital_label, @digital_url, @booking_url, @booking_text, @constraints_text, @special_cases,
    @more_info, @conditions_text, @contacts_text, @responsible_unit, @responsible_person_id,
    @providers, @topics, @national_category, @keywords, @position, @updated_by);

-- name: CatalogioServiceUpdate :execrows
UPDATE services SET status = @status, status_reason = @status_reason,
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
