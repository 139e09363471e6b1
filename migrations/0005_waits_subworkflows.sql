-- Waits that resume and sub-workflows: when a waiting execution resumes at
-- the latest (NULL: only a call of its resume URL resumes it), and the
-- execution that started a sub-workflow or error workflow execution.
ALTER TABLE executions ADD COLUMN wait_till TIMESTAMP NULL;
ALTER TABLE executions ADD COLUMN parent_execution_id TEXT NULL;
-- What a Wait node waiting for a call of the resume URL accepts (JSON:
-- key, node, method, suffix, response), so the API answers resume calls
-- from the database, whether or not a worker is up.
ALTER TABLE executions ADD COLUMN wait_resume TEXT NULL;
CREATE INDEX idx_executions_parent ON executions (parent_execution_id);
