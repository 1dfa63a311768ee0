-- +goose Up
-- Page ratings (the Designers Italia block at the foot of every citizen page) and satisfaction
-- surveys (the standard questionnaire, a tenant's own questions, online and paper answers).
-- Nothing here says who rated or answered: no IP, no user agent, no account. The "one per
-- visitor per day" limits live in Redis as keyed hashes that expire.
CREATE TABLE page_ratings (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    path       text NOT NULL CHECK (length(path) BETWEEN 1 AND 200),
    stars      smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
    answer     text NOT NULL DEFAULT '' CHECK (length(answer) <= 40),
    details    text NOT NULL DEFAULT '' CHECK (length(details) <= 200),
    rated_on   date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX page_ratings_by_path ON page_ratings (tenant_id, path, rated_on);

-- A tenant's survey questions besides the standard ones (std_key NULL, label set), and the
-- standard ones it hides (std_key set, hidden).
CREATE TABLE survey_questions (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    std_key    text CHECK (length(std_key) <= 40),
    label      text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
    hidden     boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, std_key),
    CHECK ((std_key IS NULL) = (label <> ''))
);

-- One questionnaire: online (the visitor's day) or paper (the day the office received it).
CREATE TABLE survey_responses (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    service_id    uuid,
    service_title text NOT NULL DEFAULT '' CHECK (length(service_title) <= 300),
    channel       text NOT NULL CHECK (channel IN ('online', 'paper')),
    submitted_on  date NOT NULL,
    suggestions   text NOT NULL DEFAULT '' CHECK (length(suggestions) <= 2000),
    area          text NOT NULL DEFAULT '' CHECK (length(area) <= 20),
    age_band      text NOT NULL DEFAULT '' CHECK (length(age_band) <= 20),
    used_channel  text NOT NULL DEFAULT '' CHECK (length(used_channel) <= 20),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX survey_responses_by_day ON survey_responses (tenant_id, submitted_on);

-- The scores of one questionnaire, one row per question answered (std key or custom id).
CREATE TABLE survey_answers (
    tenant_id   uuid NOT NULL,
    response_id uuid NOT NULL,
    question    text NOT NULL CHECK (length(question) <= 40),
    score       smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
    PRIMARY KEY (tenant_id, response_id, question),
    FOREIGN KEY (tenant_id, response_id) REFERENCES survey_responses (tenant_id, id) ON DELETE CASCADE
);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['page_ratings', 'survey_questions', 'survey_responses', 'survey_answers'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        -- Read by the tenant only: an ambito's dashboard computes each member's figures in that
        -- member's own transaction (internal/quality/indicators.go), so that the ambito's own
        -- figures and lists never mix in its members' rows.
        EXECUTE format('CREATE POLICY tenant_read ON %I FOR SELECT USING (tenant_id = (SELECT app_tenant()))', t);
        EXECUTE format('CREATE POLICY tenant_insert ON %I FOR INSERT WITH CHECK (tenant_id = (SELECT app_tenant()))', t);
        EXECUTE format('CREATE POLICY tenant_update ON %I FOR UPDATE USING (tenant_id = (SELECT app_tenant())) WITH CHECK (tenant_id = (SELECT app_tenant()))', t);
        EXECUTE format('CREATE POLICY tenant_delete ON %I FOR DELETE USING (tenant_id = (SELECT app_tenant()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd
GRANT SELECT, INSERT ON page_ratings, survey_responses, survey_answers TO carta_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON survey_questions TO carta_runtime;

-- +goose Down
DROP TABLE survey_answers;
DROP TABLE survey_responses;
DROP TABLE survey_questions;
DROP TABLE page_ratings;
