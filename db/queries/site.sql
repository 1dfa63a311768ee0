-- name: SiteSearch :many
-- Published services of the given tenants (a comune and its ambito: row-level security lets a
-- member read its ambito's index) matching a citizen's words. Italian full-text search with
-- accents folded (carta_it) ranks first, title weighted A; trigram word similarity on the
-- unaccented title and keywords catches typos the stemmer cannot ("asistenza domicliare").
SELECT s.tenant_id, s.service_id, s.slug, s.title, s.summary, s.category_code,
       (ts_rank_cd(s.document, q.tsq) * 2 + word_similarity(q.plain, s.plain))::float8 AS rank
FROM service_search s,
     (SELECT websearch_to_tsquery('carta_it', sqlc.arg(query)::text) AS tsq,
             lower(unaccent(sqlc.arg(query)::text)) AS plain) q
WHERE s.tenant_id = ANY (sqlc.arg(tenant_ids)::uuid[])
  AND (s.document @@ q.tsq OR word_similarity(q.plain, s.plain) >= sqlc.arg(min_similarity)::float4)
ORDER BY rank DESC, s.title, s.service_id
LIMIT sqlc.arg(max_rows);

-- name: SitePublishedDocument :many
-- Every published description of document id in the tenant's versions (the Carta's own
-- documents and its services'), newest first: a file is served only when some published
-- version names it, so a draft's uploads never leak.
SELECT v.number, d.doc::jsonb AS doc
FROM carta_versions v
CROSS JOIN LATERAL jsonb_path_query(v.snapshot, 'lax $.documents[*] ? (@.id == $id)',
    jsonb_build_object('id', sqlc.arg(document_id)::text)) AS d(doc)
WHERE v.tenant_id = sqlc.arg(tenant_id)
UNION ALL
SELECT v.number, d.doc::jsonb AS doc
FROM carta_versions v
CROSS JOIN LATERAL jsonb_path_query(v.snapshot, 'lax $.services[*].documents[*] ? (@.id == $id)',
    jsonb_build_object('id', sqlc.arg(document_id)::text)) AS d(doc)
WHERE v.tenant_id = sqlc.arg(tenant_id)
ORDER BY number DESC;
