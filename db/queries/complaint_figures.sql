-- name: ComplaintFigures :many
-- The complaints' indicators (internal/complaints/figures.go) over the tenant's complaints
-- submitted in [from, until): one row per month (month set) and one for the whole period
-- (month NULL). "Handled" complaints are those the tenant answers: not forwarded away.
-- Days are Italian calendar days; the first contact is the first staff step after filing, or
-- the answer when it came first.
SELECT date_trunc('month', c.submitted_at AT TIME ZONE 'Europe/Rome')::date AS month,
    (count(*) FILTER (WHERE c.origin_tenant_id IS NULL))::int AS received,
    (count(*) FILTER (WHERE c.origin_tenant_id IS NOT NULL))::int AS received_forwarded,
    (count(*) FILTER (WHERE c.forwarded_to IS NOT NULL))::int AS forwarded_away,
    (count(*) FILTER (WHERE c.forwarded_to IS NULL))::int AS handled,
    (count(*) FILTER (WHERE c.forwarded_to IS NULL AND coalesce(c.first_replied_at, c.replied_at) IS NOT NULL))::int AS answered,
    (count(*) FILTER (WHERE c.forwarded_to IS NULL AND (coalesce(c.first_replied_at, c.replied_at) IS NOT NULL
                                                      OR c.due_on < @today::date)))::int AS decided,
    (count(*) FILTER (WHERE c.forwarded_to IS NULL
                        AND (coalesce(c.first_replied_at, c.replied_at) AT TIME ZONE 'Europe/Rome')::date <= c.due_on))::int AS in_time,
    coalesce(avg(extract(epoch FROM coalesce(c.first_replied_at, c.replied_at) - c.submitted_at) / 86400)
             FILTER (WHERE c.forwarded_to IS NULL), 0)::float8 AS days_mean,
    coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM coalesce(c.first_replied_at, c.replied_at) - c.submitted_at) / 86400)
             FILTER (WHERE c.forwarded_to IS NULL AND coalesce(c.first_replied_at, c.replied_at) IS NOT NULL), 0)::float8 AS days_median,
    (count(*) FILTER (WHERE c.forwarded_to IS NULL
                        AND least(fc.at, coalesce(c.first_replied_at, c.replied_at)) < c.submitted_at + make_interval(days => @contact_days::int)))::int AS contacted_in_time,
    (count(*) FILTER (WHERE c.forwarded_to IS NULL AND c.outcome = 'accolto'))::int AS upheld,
    (count(*) FILTER (WHERE c.forwarded_to IS NULL AND c.outcome = 'parzialmente_accolto'))::int AS partly_upheld,
    (count(*) FILTER (WHERE c.forwarded_to IS NULL AND c.outcome = 'respinto'))::int AS rejected,
    (count(*) FILTER (WHERE c.forwarded_to IS NULL AND c.reopen_count > 0))::int AS reopened,
    (count(*) FILTER (WHERE c.forwarded_to IS NULL AND c.solved IS TRUE))::int AS said_solved,
    (count(*) FILTER (WHERE c.forwarded_to IS NULL AND c.solved IS NOT NULL))::int AS said
FROM complaints c
LEFT JOIN LATERAL (
    SELECT min(e.at) AS at FROM complaint_events e
    WHERE e.tenant_id = c.tenant_id AND e.complaint_id = c.id
      AND e.kind IN ('status', 'assigned', 'contribution', 'reply', 'forwarded')
) fc ON true
WHERE c.submitted_at >= @from_at::timestamptz AND c.submitted_at < @until_at::timestamptz
GROUP BY GROUPING SETS ((date_trunc('month', c.submitted_at AT TIME ZONE 'Europe/Rome')), ())
ORDER BY 1 NULLS LAST;

-- name: ComplaintFiguresBy :many
-- Complaints of the period per service (by the title the citizen saw, "" for none) and per
-- standard declared not met: the quality dimensions.
SELECT c.service_title, c.standard, count(*)::int AS n,
    (count(*) FILTER (WHERE c.outcome IN ('accolto', 'parzialmente_accolto')))::int AS upheld
FROM complaints c
WHERE c.submitted_at >= @from_at::timestamptz AND c.submitted_at < @until_at::timestamptz
  AND c.forwarded_to IS NULL
GROUP BY c.service_title, c.standard
ORDER BY n DESC, c.service_title, c.standard;
