-- name: TenantGetBySlug :one
SELECT * FROM tenants WHERE slug = $1;

-- name: TenantGetByID :one
SELECT * FROM tenants WHERE id = $1;

-- name: TenantList :many
SELECT * FROM tenants ORDER BY kind DESC, slug;

-- name: TenantCreate :one
INSERT INTO tenants (slug, kind, name, istat_code, ipa_code)
VALUES ($1, $2, $3, $4, $5)
RETURNING *;

-- name: TenantSetStatus :one
UPDATE tenants SET status = $2, updated_at = now() WHERE id = $1 RETURNING *;

-- name: AmbitoCurrentOf :one
-- The ambito a comune belongs to now, with the ambito's tenant row.
SELECT t.*, m.is_capofila
FROM ambito_members m JOIN tenants t ON t.id = m.ambito_id
WHERE m.comune_id = $1 AND m.left_at IS NULL;

-- name: AmbitoMembers :many
SELECT t.*, m.is_capofila, m.joined_at
FROM ambito_members m JOIN tenants t ON t.id = m.comune_id
WHERE m.ambito_id = $1 AND m.left_at IS NULL
ORDER BY m.is_capofila DESC, t.name;

-- name: AmbitoJoin :exec
INSERT INTO ambito_members (ambito_id, comune_id, is_capofila) VALUES ($1, $2, $3);

-- name: AmbitoLeave :execrows
UPDATE ambito_members SET left_at = now()
WHERE comune_id = $1 AND left_at IS NULL;

-- name: AmbitoClearCapofila :exec
UPDATE ambito_members SET is_capofila = false
WHERE ambito_id = $1 AND left_at IS NULL AND is_capofila;

-- name: TenantProfileGet :one
-- Everything but the logo's bytes, which only GET /logo reads.
SELECT tenant_id, legal_address, postal_code, city, province, phone, email, pec, website_url,
    accessibility_url, privacy_url, social_links, (logo IS NOT NULL)::boolean AS has_logo,
    logo_updated_at, updated_at,
    -- When the standards' measured values the pages show last changed (the tenant's own and
    -- its ambito's): part of the cached pages' key, like the profile.
    (SELECT coalesce((extract(epoch FROM max(m.created_at)) * 1000000)::bigint, 0) FROM standard_measures m
     WHERE m.tenant_id = app_tenant() OR m.tenant_id = app_tenant_ambito())::bigint AS measures_stamp
FROM tenant_profiles WHERE tenant_id = app_tenant();

-- name: TenantProfileUpsert :one
INSERT INTO tenant_profiles (tenant_id, legal_address, postal_code, city, province, phone, email,
    pec, website_url, accessibility_url, privacy_url, social_links, updated_by)
VALUES (app_tenant(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (tenant_id) DO UPDATE SET
    legal_address = EXCLUDED.legal_address, postal_code = EXCLUDED.postal_code,
    city = EXCLUDED.city, province = EXCLUDED.province, phone = EXCLUDED.phone,
    email = EXCLUDED.email, pec = EXCLUDED.pec, website_url = EXCLUDED.website_url,
    accessibility_url = EXCLUDED.accessibility_url, privacy_url = EXCLUDED.privacy_url,
    social_links = EXCLUDED.social_links, updated_at = now(), updated_by = EXCLUDED.updated_by
RETURNING *;

-- name: TenantProfileSetLogo :exec
INSERT INTO tenant_profiles (tenant_id, logo, logo_content_type, logo_updated_at, updated_by)
VALUES (app_tenant(), $1, $2, now(), $3)
ON CONFLICT (tenant_id) DO UPDATE SET
    logo = EXCLUDED.logo, logo_content_type = EXCLUDED.logo_content_type,
    logo_updated_at = now(), updated_at = now(), updated_by = EXCLUDED.updated_by;

-- name: TenantLogoGet :one
SELECT logo, logo_content_type, logo_updated_at FROM tenant_profiles WHERE tenant_id = app_tenant();
