-- A user's workflow list (owner_id = ?, live, newest first) walked
-- idx_workflows_live_updated, every user's workflows, and skipped the
-- others'; this index holds one owner's live workflows in list order.
CREATE INDEX idx_workflows_owner_live_updated ON workflows (owner_id, deleted_at, updated_at, id);
DROP INDEX idx_workflows_owner_updated;
