-- name: QualitySurveyFigures :many
-- The questionnaires' indicators (internal/quality/indicators.go) of [from, until): per
-- service and channel, per channel, per service and overall (g tells which: the GROUPING bits
-- of service_title and channel). Counts and sums only; each response is summed once first, so
-- that the grouping sets count responses without DISTINCT.
WITH per AS (
    SELECT r.service_title, r.channel, count(a.score)::int AS answers,
        coalesce(sum(a.score), 0)::int AS score_sum, (count(*) FILTER (WHERE a.score >= 4))::int AS high
    FROM survey_responses r
    LEFT JOIN survey_answers a ON a.tenant_id = r.tenant_id AND a.response_id = r.id
    WHERE r.submitted_on >= @from_on::date AND r.submitted_on < @until_on::date
    GROUP BY r.tenant_id, r.id
)
SELECT coalesce(per.service_title, '')::text AS service_title, coalesce(per.channel, '')::text AS channel,
    GROUPING(per.service_title, per.channel)::int AS g,
    count(*)::int AS responses, coalesce(sum(per.answers), 0)::int AS answers,
    coalesce(sum(per.score_sum), 0)::int AS score_sum, coalesce(sum(per.high), 0)::int AS high
FROM per
GROUP BY GROUPING SETS ((per.service_title, per.channel), (per.channel), (per.service_title), ())
ORDER BY 3 DESC, 1, 2;

-- name: QualitySurveyItems :many
-- Each question's answers of [from, until): the mean per item of the report.
SELECT a.question, count(*)::int AS answers, sum(a.score)::int AS score_sum,
    (count(*) FILTER (WHERE a.score >= 4))::int AS high
FROM survey_answers a
JOIN survey_responses r ON r.tenant_id = a.tenant_id AND r.id = a.response_id
WHERE r.submitted_on >= @from_on::date AND r.submitted_on < @until_on::date
GROUP BY a.question
ORDER BY a.question;

-- name: QualitySurveyMonths :many
WITH per AS (
    SELECT r.submitted_on, count(a.score)::int AS answers, coalesce(sum(a.score), 0)::int AS score_sum
    FROM survey_responses r
    LEFT JOIN survey_answers a ON a.tenant_id = r.tenant_id AND a.response_id = r.id
    WHERE r.submitted_on >= @from_on::date AND r.submitted_on < @until_on::date
    GROUP BY r.tenant_id, r.id
)
SELECT date_trunc('month', per.submitted_on)::date AS month, count(*)::int AS responses,
    coalesce(sum(per.answers), 0)::int AS answers, coalesce(sum(per.score_sum), 0)::int AS score_sum
FROM per
GROUP BY 1 ORDER BY 1;

-- name: QualityRatingFigures :many
-- The page ratings of [from, until) per page, with the whole site's (path NULL).
SELECT coalesce(p.path, '')::text AS path, GROUPING(p.path)::int AS g, count(*)::int AS ratings, coalesce(sum(p.stars), 0)::int AS stars_sum,
    (count(*) FILTER (WHERE p.stars >= 4))::int AS high
FROM page_ratings p
WHERE p.rated_on >= @from_on::date AND p.rated_on < @until_on::date
GROUP BY GROUPING SETS ((p.path), ())
ORDER BY 2 DESC, 3 DESC, 1;

-- name: QualityRatingAnswers :many
-- How often each follow-up answer was chosen, on the negative (1–3 stars) and positive side.
SELECT (p.stars >= 4) AS positive, p.answer, count(*)::int AS n
FROM page_ratings p
WHERE p.rated_on >= @from_on::date AND p.rated_on < @until_on::date AND p.answer <> ''
GROUP BY 1, 2
ORDER BY 1, n DESC, 2;

-- name: QualityRatingMonths :many
SELECT date_trunc('month', p.rated_on)::date AS month, count(*)::int AS ratings, sum(p.stars)::int AS stars_sum
FROM page_ratings p
WHERE p.rated_on >= @from_on::date AND p.rated_on < @until_on::date
GROUP BY 1 ORDER BY 1;

-- name: QualityKioskFigures :one
-- The counter kiosks' faces of [from, until): the three-face net share.
SELECT (count(*) FILTER (WHERE k.face = 'soddisfatto'))::int AS satisfied,
    (count(*) FILTER (WHERE k.face = 'neutro'))::int AS neutral,
    (count(*) FILTER (WHERE k.face = 'insoddisfatto'))::int AS dissatisfied
FROM kiosk_ratings k
WHERE k.rated_on >= @from_on::date AND k.rated_on < @until_on::date;
