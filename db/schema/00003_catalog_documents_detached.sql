-- +goose Up
-- Removing a document from a service must never delete bytes that a published version still
-- links to: citizens reading an old version download them by id. Such a document is detached
-- (left out of the draft) instead; one that no version ever published is deleted outright.
ALTER TABLE documents ADD COLUMN detached_at timestamptz;

-- +goose Down
ALTER TABLE documents DROP COLUMN detached_at;
