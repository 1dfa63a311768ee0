-- +goose Up
-- After the answer: the citizen says whether the problem was solved and, within 30 days of the
-- answer, may reopen the complaint with a reason; the URP then owes a new answer under the same
-- number. first_replied_at keeps the first answer for the indicators (answered within the due
-- days), whatever happens after a reopening.
ALTER TABLE complaints
    ADD COLUMN first_replied_at timestamptz,
    ADD COLUMN solved           boolean,
    ADD COLUMN solved_at        timestamptz,
    ADD COLUMN reopened_at      timestamptz,
    ADD COLUMN reopen_count     integer NOT NULL DEFAULT 0 CHECK (reopen_count BETWEEN 0 AND 10),
    -- The number and date the comune's official protocol register gave the complaint, recorded
    -- by staff next to the product's own.
    ADD COLUMN official_protocol    text NOT NULL DEFAULT '' CHECK (length(official_protocol) <= 60),
    ADD COLUMN official_protocol_on date;
UPDATE complaints SET first_replied_at = replied_at WHERE replied_at IS NOT NULL;

-- The complaint settings a tenant sets: the due days (00007) and the retention (00009), and the
-- protocol mailbox (a PEC address) to which every new complaint is sent for registration.
ALTER TABLE tenant_profiles
    ADD COLUMN complaint_protocol_mailbox text NOT NULL DEFAULT '' CHECK (length(complaint_protocol_mailbox) <= 254);

-- The inbox's filters on a large tenant: by service, by channel, by due date among the open.
CREATE INDEX complaints_by_service ON complaints (tenant_id, service_id, submitted_at DESC);
CREATE INDEX complaints_open_due ON complaints (tenant_id, due_on)
    WHERE status IN ('ricevuto', 'preso_in_carico', 'in_istruttoria');

-- +goose Down
DROP INDEX complaints_open_due;
DROP INDEX complaints_by_service;
ALTER TABLE tenant_profiles DROP COLUMN complaint_protocol_mailbox;
ALTER TABLE complaints
    DROP COLUMN official_protocol_on, DROP COLUMN official_protocol, DROP COLUMN reopen_count,
    DROP COLUMN reopened_at, DROP COLUMN solved_at, DROP COLUMN solved, DROP COLUMN first_replied_at;
