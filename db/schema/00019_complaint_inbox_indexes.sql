-- +goose Up
-- The URP's inbox on a large comune (docs/BENCHMARKS.md, "Complaint intake (issue 7)": one
-- comune with 100,000 complaints among 1,000,000). Under row-level security the tenant is
-- app_tenant(), a value the planner does not see: it plans for an average comune, fetches every
-- open complaint of the tenant through complaints_inbox and sorts them for a page of 50. An
-- index in the page's own order, holding only the complaints the default list shows, gives the
-- first page and the next ones (keyset) as a walk that stops after 51 rows, whatever the
-- comune's size; the same for the list by service, which otherwise reads the service's whole
-- history (closed ones included) to keep the open ones.
CREATE INDEX complaints_open_recent ON complaints (tenant_id, submitted_at DESC, id DESC)
    WHERE status IN ('ricevuto', 'preso_in_carico', 'in_istruttoria', 'risposto');
CREATE INDEX complaints_open_by_service ON complaints (tenant_id, service_id, submitted_at DESC, id DESC)
    WHERE status IN ('ricevuto', 'preso_in_carico', 'in_istruttoria', 'risposto');
-- The list by office: the office's complaints without scanning the tenant's whole primary key
-- (whose office_id comes last).
CREATE INDEX complaint_assignments_by_office ON complaint_assignments (tenant_id, office_id, complaint_id);

-- +goose Down
DROP INDEX complaint_assignments_by_office;
DROP INDEX complaints_open_by_service;
DROP INDEX complaints_open_recent;
