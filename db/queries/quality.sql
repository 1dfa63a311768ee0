-- name: QualityRatingCreate :one
INSERT INTO page_ratings (tenant_id, path, stars, answer, details, rated_on)
VALUES ((SELECT app_tenant()), @path, @stars, @answer, @details, @rated_on)
RETURNING *;

-- name: QualityRatingList :many
SELECT * FROM page_ratings
WHERE tenant_id = (SELECT app_tenant())
ORDER BY created_at DESC, id
LIMIT @max_rows;

-- name: QualityQuestionList :many
SELECT * FROM survey_questions
WHERE tenant_id = (SELECT app_tenant())
ORDER BY created_at, id;

-- name: QualityQuestionCreate :one
INSERT INTO survey_questions (tenant_id, label)
VALUES ((SELECT app_tenant()), @label)
RETURNING *;

-- name: QualityQuestionSetHidden :execrows
UPDATE survey_questions SET hidden = @hidden
WHERE tenant_id = (SELECT app_tenant()) AND id = @id;

-- name: QualityStandardSetHidden :exec
INSERT INTO survey_questions (tenant_id, std_key, hidden)
VALUES ((SELECT app_tenant()), @std_key, @hidden)
ON CONFLICT (tenant_id, std_key) DO UPDATE SET hidden = EXCLUDED.hidden;

-- name: QualityResponseCreate :one
INSERT INTO survey_responses (tenant_id, service_id, service_title, channel, submitted_on, suggestions,
    area, age_band, used_channel)
VALUES ((SELECT app_tenant()), @service_id, @service_title, @channel, @submitted_on, @suggestions,
    @area, @age_band, @used_channel)
RETURNING *;

-- name: QualityAnswerCreate :exec
INSERT INTO survey_answers (tenant_id, response_id, question, score)
VALUES ((SELECT app_tenant()), @response_id, @question, @score);

-- name: QualityResponseList :many
SELECT * FROM survey_responses
WHERE tenant_id = (SELECT app_tenant())
ORDER BY submitted_on DESC, created_at DESC, id
LIMIT @max_rows;

-- name: QualityAnswersOf :many
SELECT * FROM survey_answers
WHERE tenant_id = (SELECT app_tenant()) AND response_id = ANY (@ids::uuid[])
ORDER BY response_id, question;

-- name: QualityKioskCreate :one
INSERT INTO kiosks (tenant_id, office_id, office_name, token_hash)
VALUES ((SELECT app_tenant()), @office_id, @office_name, @token_hash)
RETURNING *;

-- name: QualityKioskList :many
SELECT * FROM kiosks
WHERE tenant_id = (SELECT app_tenant())
ORDER BY revoked_at IS NOT NULL, created_at DESC, id;

-- name: QualityKioskByToken :one
SELECT * FROM kiosks
WHERE tenant_id = (SELECT app_tenant()) AND token_hash = @token_hash AND revoked_at IS NULL;

-- name: QualityKioskRevoke :execrows
UPDATE kiosks SET revoked_at = now()
WHERE tenant_id = (SELECT app_tenant()) AND id = @id AND revoked_at IS NULL;

-- name: QualityKioskRatingCreate :exec
INSERT INTO kiosk_ratings (tenant_id, kiosk_id, office_id, office_name, face, reason, rated_on)
VALUES ((SELECT app_tenant()), @kiosk_id, @office_id, @office_name, @face, @reason, @rated_on);

-- name: QualityKioskRatingCounts :many
SELECT face, count(*)::int AS n FROM kiosk_ratings
WHERE tenant_id = (SELECT app_tenant()) AND kiosk_id = @kiosk_id
GROUP BY face ORDER BY face;
