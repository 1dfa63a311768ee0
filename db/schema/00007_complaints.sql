-- +goose Up
-- Complaints (reclami): what a citizen files about a service, with the 30-day duty to answer
-- (seed 000). Every table is a tenant table under row-level security, read by the tenant only.

-- Per tenant, how long the URP has to answer (calendar days).
ALTER TABLE tenant_profiles
    ADD COLUMN complaint_due_days integer NOT NULL DEFAULT 30 CHECK (complaint_due_days BETWEEN 1 AND 90);

-- The protocol counter: one row per tenant and year, taken with a row lock in the submitting
-- transaction, so numbers have no gap and no duplicate.
CREATE TABLE complaint_counters (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    year      integer NOT NULL CHECK (year BETWEEN 2000 AND 2200),
    last      integer NOT NULL CHECK (last >= 0),
    PRIMARY KEY (tenant_id, year)
);

CREATE TABLE complaints (
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    year             integer NOT NULL,
    number           integer NOT NULL CHECK (number > 0),
    channel          text NOT NULL CHECK (channel IN ('web', 'telefono', 'sportello', 'email', 'open311')),
    status           text NOT NULL DEFAULT 'ricevuto' CHECK (status IN
                         ('ricevuto', 'preso_in_carico', 'in_istruttoria', 'risposto', 'chiuso', 'non_di_competenza')),
    -- What it is about, as the citizen saw it in the published Carta (kept if the service goes).
    service_id       uuid,
    service_title    text NOT NULL DEFAULT '' CHECK (length(service_title) <= 300),
    standard         text NOT NULL DEFAULT '' CHECK (length(standard) <= 500),
    what_happened    text NOT NULL CHECK (length(what_happened) BETWEEN 1 AND 4000),
    request          text NOT NULL DEFAULT '' CHECK (length(request) <= 2000),
    -- The author (personal data: anonymised after the tenant's retention).
    first_name       text NOT NULL CHECK (length(first_name) <= 100),
    last_name        text NOT NULL CHECK (length(last_name) <= 100),
    fiscal_code      text NOT NULL DEFAULT '' CHECK (length(fiscal_code) <= 16),
    email            text NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    phone            text NOT NULL DEFAULT '' CHECK (length(phone) <= 20),
    on_behalf_of     text NOT NULL DEFAULT '' CHECK (length(on_behalf_of) <= 200),
    relation         text NOT NULL DEFAULT '' CHECK (length(relation) <= 100),
    consent_at       timestamptz NOT NULL,
    submitted_at     timestamptz NOT NULL DEFAULT now(),
    due_on           date NOT NULL,
    outcome          text NOT NULL DEFAULT '' CHECK (outcome IN ('', 'accolto', 'parzialmente_accolto', 'respinto')),
    reply            text NOT NULL DEFAULT '' CHECK (length(reply) <= 8000),
    replied_at       timestamptz,
    closed_at        timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, year, number)
);
CREATE INDEX complaints_inbox ON complaints (tenant_id, status, due_on);
CREATE INDEX complaints_recent ON complaints (tenant_id, submitted_at DESC);

-- The complaint's history: each step, shown to staff; the citizen sees those marked public.
CREATE TABLE complaint_events (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           bigint GENERATED ALWAYS AS IDENTITY,
    complaint_id uuid NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    kind         text NOT NULL CHECK (length(kind) <= 50),
    status       text NOT NULL DEFAULT '',
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 8000),
    public       boolean NOT NULL DEFAULT false,
    actor_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, complaint_id) REFERENCES complaints (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX complaint_events_of ON complaint_events (tenant_id, complaint_id, id);

-- Private links to follow a complaint: only hashes are stored. The confirmation page shows one;
-- the acknowledgement e-mail carries another, made when the e-mail is sent, so that the job
-- table never holds a usable link.
CREATE TABLE complaint_links (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL,
    complaint_id uuid NOT NULL,
    via          text NOT NULL CHECK (via IN ('conferma', 'email')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, token_hash),
    FOREIGN KEY (tenant_id, complaint_id) REFERENCES complaints (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX complaint_links_of ON complaint_links (tenant_id, complaint_id);

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['complaint_counters', 'complaints', 'complaint_events', 'complaint_links']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_read ON %I FOR SELECT USING (tenant_id = (SELECT app_tenant()))', t);
        EXECUTE format('CREATE POLICY tenant_insert ON %I FOR INSERT WITH CHECK (tenant_id = (SELECT app_tenant()))', t);
        EXECUTE format('CREATE POLICY tenant_update ON %I FOR UPDATE USING (tenant_id = (SELECT app_tenant())) WITH CHECK (tenant_id = (SELECT app_tenant()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd
GRANT SELECT, INSERT, UPDATE ON complaint_counters, complaints, complaint_links TO carta_runtime;
GRANT SELECT, INSERT ON complaint_events TO carta_runtime;

-- +goose Down
DROP TABLE complaint_links, complaint_events, complaints, complaint_counters;
ALTER TABLE tenant_profiles DROP COLUMN complaint_due_days;
