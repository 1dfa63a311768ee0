-- +goose Up
-- The Carta: the draft catalogue each tenant edits (categories, offices and their hours, people
-- responsible, services with standards, deadlines and documents, the general part) and the
-- immutable published versions citizens read. Every table is a tenant table under RLS.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
-- tenant_id leads every index, GIN and GiST included.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Italian full-text search that ignores accents ("perche" finds "perché").
CREATE TEXT SEARCH CONFIGURATION carta_it (COPY = italian);
ALTER TEXT SEARCH CONFIGURATION carta_it
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, italian_stem;

-- User categories (aree di utenza). Every tenant starts with the national list (ISTAT codes
-- plus VIOL and ACC) and may add its own; the code groups services across a comune and its
-- ambito.
CREATE TABLE categories (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    code        text NOT NULL CHECK (code ~ '^[A-Z0-9_-]{2,20}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 2 AND 120),
    description text NOT NULL DEFAULT '',
    position    integer NOT NULL DEFAULT 0,
    is_national boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, code)
);

-- Offices (uffici, sportelli): where citizens go.
CREATE TABLE offices (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    slug         text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name         text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
    description  text NOT NULL DEFAULT '',
    address      text NOT NULL DEFAULT '',
    postal_code  text NOT NULL DEFAULT '',
    city         text NOT NULL DEFAULT '',
    phone        text NOT NULL DEFAULT '',
    email        text NOT NULL DEFAULT '',
    pec          text NOT NULL DEFAULT '',
    notes        text NOT NULL DEFAULT '',
    -- The one-stop desk: where services without an office of their own are handled, and
    -- where a member comune receives citizens for the ambito's services.
    is_main_desk boolean NOT NULL DEFAULT false,
    position     integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, slug)
);
CREATE UNIQUE INDEX offices_one_main_desk ON offices (tenant_id) WHERE is_main_desk;

-- Weekly opening hours: several intervals a day (Mon-Fri 9-12, Tue and Thu also 15:30-17:30).
CREATE TABLE office_hours (
    tenant_id uuid NOT NULL,
    office_id uuid NOT NULL,
    id        bigint GENERATED ALWAYS AS IDENTITY,
    weekday   smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7), -- ISO: 1 Monday .. 7 Sunday
    opens     time NOT NULL,
    closes    time NOT NULL CHECK (closes > opens),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, office_id) REFERENCES offices (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX office_hours_office ON office_hours (tenant_id, office_id, weekday, opens);

-- Exceptions: closures (holidays, summer closure) or special hours on given days. A row with no
-- office applies to every office of the tenant.
CREATE TABLE office_exceptions (
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    id        bigint GENERATED ALWAYS AS IDENTITY,
    office_id uuid,
    date_from date NOT NULL,
    date_to   date NOT NULL CHECK (date_to >= date_from),
    closed    boolean NOT NULL DEFAULT true,
    opens     time,
    closes    time,
    reason    text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, office_id) REFERENCES offices (tenant_id, id) ON DELETE CASCADE,
    CHECK (closed OR (opens IS NOT NULL AND closes IS NOT NULL AND closes > opens))
);
CREATE INDEX office_exceptions_dates ON office_exceptions (tenant_id, date_from, date_to);

-- People responsible for an area or a service, with their contacts.
CREATE TABLE people (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
    role_title text NOT NULL DEFAULT '',  -- "Responsabile del Servizio Sociale"
    area       text NOT NULL DEFAULT '',  -- "Minori e famiglie"
    email      text NOT NULL DEFAULT '',
    phone      text NOT NULL DEFAULT '',
    office_id  uuid,
    position   integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, office_id) REFERENCES offices (tenant_id, id) ON DELETE SET NULL (office_id)
);

-- Services (schede servizio): the draft, edited by the redattore. Field names follow the
-- municipal site model; rich texts are Markdown, rendered and sanitised on output.
CREATE TABLE services (
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    id                 uuid NOT NULL DEFAULT gen_random_uuid(),
    slug               text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 120),
    status             text NOT NULL DEFAULT 'attivo' CHECK (status IN ('attivo', 'sospeso', 'archiviato')),
    status_reason      text NOT NULL DEFAULT '',
    category_id        uuid,
    macro_level        smallint CHECK (macro_level BETWEEN 1 AND 5),
    nomenclator_code   text NOT NULL DEFAULT '',
    title              text NOT NULL CHECK (length(title) BETWEEN 3 AND 200),
    short_description  text NOT NULL DEFAULT '' CHECK (length(short_description) <= 255),
    description        text NOT NULL DEFAULT '',  -- Cos'è
    audience           text NOT NULL DEFAULT '',  -- A chi è rivolto
    coverage           text NOT NULL DEFAULT 'comune' CHECK (coverage IN ('comune', 'ambito')),
    how_to             text NOT NULL DEFAULT '',  -- Come fare
    needed_intro       text NOT NULL DEFAULT '',  -- Cosa serve
    needed_items       text[] NOT NULL DEFAULT '{}',
    obtained           text NOT NULL DEFAULT '',  -- Cosa si ottiene
    timing             text NOT NULL DEFAULT '',  -- Tempi e scadenze
    cost_kind          text NOT NULL DEFAULT 'gratuito' CHECK (cost_kind IN ('gratuito', 'fisso', 'isee', 'variabile')),
    cost_text          text NOT NULL DEFAULT '',  -- Quanto costa
    office_id          uuid,                      -- physical channel
    digital_label      text NOT NULL DEFAULT '',
    digital_url        text NOT NULL DEFAULT '',
    booking_url        text NOT NULL DEFAULT '',
    booking_text       text NOT NULL DEFAULT '',
    constraints_text   text NOT NULL DEFAULT '',  -- Vincoli
    special_cases      text NOT NULL DEFAULT '',  -- Casi particolari
    more_info          text NOT NULL DEFAULT '',  -- Ulteriori informazioni
    conditions_text    text NOT NULL DEFAULT '',  -- Condizioni di servizio
    contacts_text      text NOT NULL DEFAULT '',
    responsible_unit   text NOT NULL DEFAULT '',  -- unità organizzativa responsabile
    responsible_person_id uuid,
    providers          text NOT NULL DEFAULT '',  -- enti erogatori, cooperative accreditate
    topics             text[] NOT NULL DEFAULT '{}',
    national_category  text NOT NULL DEFAULT 'Salute, benessere e assistenza',
    keywords           text[] NOT NULL DEFAULT '{}',
    position           integer NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    updated_by         uuid REFERENCES users (id),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, slug),
    FOREIGN KEY (tenant_id, category_id) REFERENCES categories (tenant_id, id) ON DELETE SET NULL (category_id),
    FOREIGN KEY (tenant_id, office_id) REFERENCES offices (tenant_id, id) ON DELETE SET NULL (office_id),
    FOREIGN KEY (tenant_id, responsible_person_id) REFERENCES people (tenant_id, id) ON DELETE SET NULL (responsible_person_id)
);
CREATE INDEX services_category ON services (tenant_id, category_id, position);

-- Dated deadlines and phases of a service (Tempi e scadenze).
CREATE TABLE service_deadlines (
    tenant_id   uuid NOT NULL,
    service_id  uuid NOT NULL,
    id          bigint GENERATED ALWAYS AS IDENTITY,
    label       text NOT NULL CHECK (length(label) BETWEEN 2 AND 200),
    due_on      date,
    description text NOT NULL DEFAULT '',
    position    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX service_deadlines_service ON service_deadlines (tenant_id, service_id, position);

-- Quality standards a service commits to (dimension, indicator, formula, target).
CREATE TABLE service_standards (
    tenant_id   uuid NOT NULL,
    service_id  uuid NOT NULL,
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    dimension   text NOT NULL CHECK (dimension IN ('accessibilita', 'tempestivita', 'trasparenza', 'efficacia')),
    description text NOT NULL CHECK (length(description) BETWEEN 3 AND 500),
    indicator   text NOT NULL DEFAULT '',
    formula     text NOT NULL DEFAULT '',
    target      numeric,
    unit        text NOT NULL DEFAULT '',
    -- Whether a higher measured value is better (90% within 7 days) or a lower one (days).
    higher_is_better boolean NOT NULL DEFAULT true,
    position    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX service_standards_service ON service_standards (tenant_id, service_id, position);

-- Documents (PDF, ODT, DOCX up to 10 MB) in PostgreSQL, under the same row-level security as
-- everything else; a published version refers to them by content hash, so a replaced file
-- never changes an old version.
CREATE TABLE documents (
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    service_id   uuid,                       -- NULL: a document of the Carta itself
    kind         text NOT NULL DEFAULT 'altro' CHECK (kind IN ('condizioni', 'modulo', 'carta', 'altro')),
    title        text NOT NULL CHECK (length(title) BETWEEN 2 AND 200),
    filename     text NOT NULL,
    content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'application/vnd.oasis.opendocument.text',
                    'application/vnd.openxmlformats-officedocument.wordprocessingml.document')),
    size_bytes   integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
    sha256       text NOT NULL,
    data         bytea NOT NULL,
    position     integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   uuid REFERENCES users (id),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX documents_service ON documents (tenant_id, service_id, position);
CREATE INDEX documents_sha ON documents (tenant_id, sha256);

-- The general part of the Carta: principles, rights and duties, how to complain, how quality
-- is measured, useful websites, and any section the tenant adds.
CREATE TABLE carta_sections (
    tenant_id  uuid NOT NULL REFERENCES tenants (id),
    id         uuid NOT NULL DEFAULT gen_random_uuid(),
    key        text NOT NULL CHECK (key ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    title      text NOT NULL CHECK (length(title) BETWEEN 2 AND 200),
    body       text NOT NULL DEFAULT '',
    position   integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, key)
);

-- A member comune hides one of its ambito's services from its own Carta, with a reason shown
-- to staff. ambito_service_id names a row of another tenant, so it cannot be a foreign key.
CREATE TABLE ambito_service_hides (
    tenant_id         uuid NOT NULL REFERENCES tenants (id),
    ambito_service_id uuid NOT NULL,
    reason            text NOT NULL CHECK (length(reason) BETWEEN 3 AND 500),
    hidden_by         uuid REFERENCES users (id),
    hidden_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, ambito_service_id)
);

-- Published versions: immutable snapshots of the whole Carta as citizens see it. The runtime
-- role may insert and read them, never change or delete them.
CREATE TABLE carta_versions (
    tenant_id      uuid NOT NULL REFERENCES tenants (id),
    number         integer NOT NULL CHECK (number >= 1),
    published_at   timestamptz NOT NULL DEFAULT now(),
    published_by   uuid REFERENCES users (id),
    publisher_label text NOT NULL DEFAULT '',
    note           text NOT NULL DEFAULT '',
    snapshot       jsonb NOT NULL,
    PRIMARY KEY (tenant_id, number)
);

-- The tenant's publication state: current version (in cache keys) and first publication date.
CREATE TABLE carta_state (
    tenant_id          uuid NOT NULL REFERENCES tenants (id),
    published_version  integer NOT NULL DEFAULT 0,
    first_published_at timestamptz,
    last_published_at  timestamptz,
    PRIMARY KEY (tenant_id)
);

-- A publication planned for a date: the draft as it is then becomes the new version.
CREATE TABLE carta_schedules (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    publish_at  timestamptz NOT NULL,
    note        text NOT NULL DEFAULT '',
    created_by  uuid REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled', 'failed')),
    result_version integer,
    result_note text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX carta_schedules_pending ON carta_schedules (tenant_id, publish_at) WHERE status = 'pending';

-- Search over the published services, rebuilt for a tenant at each publication.
CREATE TABLE service_search (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    service_id  uuid NOT NULL,
    version     integer NOT NULL,
    slug        text NOT NULL,
    title       text NOT NULL,
    summary     text NOT NULL DEFAULT '',
    category_code text NOT NULL DEFAULT '',
    document    tsvector NOT NULL,         -- weighted: title A, keywords B, summary/audience C
    plain       text NOT NULL,             -- lower-case, unaccented title and keywords, for typos
    PRIMARY KEY (tenant_id, service_id)
);
CREATE INDEX service_search_document ON service_search USING gin (tenant_id, document);
CREATE INDEX service_search_plain ON service_search USING gist (tenant_id, plain gist_trgm_ops);

-- Row-level security. Drafts: read own (and, for an ambito, its members'), write own. Published
-- content (versions, state, search) is also readable by the member comuni of the ambito that
-- published it: a comune shows its ambito's services, never its ambito's drafts.
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['categories', 'offices', 'office_hours', 'office_exceptions', 'people',
        'services', 'service_deadlines', 'service_standards', 'documents', 'carta_sections',
        'ambito_service_hides', 'carta_schedules']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_read ON %I FOR SELECT USING (tenant_id = ANY ((SELECT app_readable_tenants())::uuid[]))', t);
        EXECUTE format('CREATE POLICY tenant_insert ON %I FOR INSERT WITH CHECK (tenant_id = (SELECT app_tenant()))', t);
        EXECUTE format('CREATE POLICY tenant_update ON %I FOR UPDATE USING (tenant_id = (SELECT app_tenant())) WITH CHECK (tenant_id = (SELECT app_tenant()))', t);
        EXECUTE format('CREATE POLICY tenant_delete ON %I FOR DELETE USING (tenant_id = (SELECT app_tenant()))', t);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO carta_runtime', t);
    END LOOP;

    FOREACH t IN ARRAY ARRAY['carta_versions', 'carta_state', 'service_search']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY published_read ON %I FOR SELECT USING (tenant_id = ANY ((SELECT app_readable_tenants())::uuid[]) OR tenant_id = (SELECT app_tenant_ambito()))', t);
        EXECUTE format('CREATE POLICY tenant_insert ON %I FOR INSERT WITH CHECK (tenant_id = (SELECT app_tenant()))', t);
    END LOOP;
END $$;
-- +goose StatementEnd

-- Versions are append-only. The state row and the search index are rewritten by publication.
GRANT SELECT, INSERT ON carta_versions TO carta_runtime;
CREATE POLICY tenant_update ON carta_state FOR UPDATE
    USING (tenant_id = (SELECT app_tenant())) WITH CHECK (tenant_id = (SELECT app_tenant()));
GRANT SELECT, INSERT, UPDATE ON carta_state TO carta_runtime;
CREATE POLICY tenant_delete ON service_search FOR DELETE USING (tenant_id = (SELECT app_tenant()));
GRANT SELECT, INSERT, DELETE ON service_search TO carta_runtime;

-- +goose Down
DROP TABLE service_search, carta_schedules, carta_state, carta_versions, ambito_service_hides,
    carta_sections, documents, service_standards, service_deadlines, services, people,
    office_exceptions, office_hours, offices, categories;
DROP TEXT SEARCH CONFIGURATION carta_it;
