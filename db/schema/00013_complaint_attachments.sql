-- +goose Up
-- Attachments of a complaint: up to 3 images (JPEG, PNG) or PDFs of 5 MB each, their type
-- checked on the content. The citizen's form has several steps without JavaScript, so a file
-- chosen at the "dati" step waits as a pending upload, found by the hash of a random token the
-- form carries, until the complaint is filed (it moves into complaint_attachments in the
-- submitting transaction) or a daily job deletes it after 24 hours.
CREATE TABLE complaint_uploads (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL CHECK (length(token_hash) = 32),
    filename     text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes   integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 5242880),
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, token_hash)
);
CREATE INDEX complaint_uploads_age ON complaint_uploads (tenant_id, created_at);
ALTER TABLE complaint_uploads ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_uploads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON complaint_uploads FOR SELECT USING (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_insert ON complaint_uploads FOR INSERT WITH CHECK (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_delete ON complaint_uploads FOR DELETE USING (tenant_id = (SELECT app_tenant()));
GRANT SELECT, INSERT, DELETE ON complaint_uploads TO carta_runtime;

-- The files of a filed complaint, numbered 1…3 in the order the citizen attached them. Staff
-- read them; the retention deletes them with the complaint's personal data.
CREATE TABLE complaint_attachments (
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    complaint_id uuid NOT NULL,
    n            integer NOT NULL CHECK (n BETWEEN 1 AND 3),
    filename     text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes   integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 5242880),
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, complaint_id, n),
    FOREIGN KEY (tenant_id, complaint_id) REFERENCES complaints (tenant_id, id) ON DELETE CASCADE
);
ALTER TABLE complaint_attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_attachments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON complaint_attachments FOR SELECT USING (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_insert ON complaint_attachments FOR INSERT WITH CHECK (tenant_id = (SELECT app_tenant()));
CREATE POLICY tenant_delete ON complaint_attachments FOR DELETE USING (tenant_id = (SELECT app_tenant()));
GRANT SELECT, INSERT, DELETE ON complaint_attachments TO carta_runtime;

-- +goose Down
DROP TABLE complaint_attachments;
DROP TABLE complaint_uploads;
