-- Waits that resume and sub-workflows: when a waiting execution resumes at
-- the latest (NULL: only a call of its resume URL resumes it), and the
-- execution that started a sub-workflow or error workflow execution.
ALTER TABLE executions ADD COLUMN wait_till TIMESTAMP NULL;
ALTER TABLE executions ADD COLUMN parent_execution_id TEXT NULL;
CREATE INDEX idx_executions_parent ON executions (parent_execution_id);
