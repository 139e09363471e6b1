-- Indexes behind hot lookups: a webhook call finds its webhook by path
-- (the unique key leads with method), and an admin's workflow list orders
-- every workflow by update time.
CREATE INDEX idx_webhooks_path ON webhooks (path, is_test);
CREATE INDEX idx_workflows_live_updated ON workflows (deleted_at, updated_at, id);
