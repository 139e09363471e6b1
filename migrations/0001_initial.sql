CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'member',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE refresh_tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    family_id   TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP NULL,
    revoked_at  TIMESTAMP NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX idx_refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX idx_refresh_tokens_user ON refresh_tokens (user_id);

CREATE TABLE workflows (
    id          TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL REFERENCES users(id),
    name        TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT FALSE,
    version_id  TEXT NOT NULL,
    settings    TEXT NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    deleted_at  TIMESTAMP NULL
);
CREATE INDEX idx_workflows_owner_updated ON workflows (owner_id, updated_at);
CREATE INDEX idx_workflows_active ON workflows (active);
CREATE INDEX idx_workflows_name ON workflows (name);
CREATE INDEX idx_workflows_deleted ON workflows (deleted_at);

CREATE TABLE workflow_tags (
    workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (workflow_id, tag)
);
CREATE INDEX idx_workflow_tags_tag ON workflow_tags (tag);

-- An immutable snapshot per save; executions name the version they ran.
CREATE TABLE workflow_versions (
    id          TEXT PRIMARY KEY,
    workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    number      BIGINT NOT NULL,
    definition  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (workflow_id, number)
);

-- The current version's graph, relational, for the node and connection endpoints.
CREATE TABLE nodes (
    id            TEXT PRIMARY KEY,
    workflow_id   TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    node_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    type          TEXT NOT NULL,
    type_version  DOUBLE PRECISION NOT NULL,
    position_x    DOUBLE PRECISION NOT NULL DEFAULT 0,
    position_y    DOUBLE PRECISION NOT NULL DEFAULT 0,
    parameters    TEXT NOT NULL DEFAULT '{}',
    credentials   TEXT NOT NULL DEFAULT '{}',
    settings      TEXT NOT NULL DEFAULT '{}',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    UNIQUE (workflow_id, name)
);

CREATE TABLE node_connections (
    id             TEXT PRIMARY KEY,
    workflow_id    TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    source_node_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    source_output  BIGINT NOT NULL DEFAULT 0,
    target_node_id TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    target_input   BIGINT NOT NULL DEFAULT 0,
    type           TEXT NOT NULL DEFAULT 'main',
    position       BIGINT NOT NULL DEFAULT 0,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX idx_node_connections_workflow ON node_connections (workflow_id);

CREATE TABLE executions (
    id                TEXT PRIMARY KEY,
    workflow_id       TEXT NOT NULL,
    version_id        TEXT NOT NULL,
    owner_id          TEXT NOT NULL,
    status            TEXT NOT NULL,
    mode              TEXT NOT NULL,
    started_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP NULL,
    execution_time_ms BIGINT NULL,
    error             TEXT NULL,
    last_node         TEXT NULL,
    retry_of          TEXT NULL,
    temporal_run_id   TEXT NULL,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX idx_executions_owner_started ON executions (owner_id, started_at);
CREATE INDEX idx_executions_workflow_started ON executions (workflow_id, started_at);
CREATE INDEX idx_executions_status_started ON executions (status, started_at);
CREATE INDEX idx_executions_mode_started ON executions (mode, started_at);
CREATE INDEX idx_executions_retry_of ON executions (retry_of);

-- One row per node run: n8n's ITaskData with its items.
CREATE TABLE execution_data (
    execution_id TEXT NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
    node_name    TEXT NOT NULL,
    run_index    BIGINT NOT NULL,
    data         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (execution_id, node_name, run_index)
);

CREATE TABLE credentials (
    id          TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL REFERENCES users(id),
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    data        TEXT NOT NULL,
    key_version BIGINT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX idx_credentials_owner ON credentials (owner_id, name);
CREATE INDEX idx_credentials_type ON credentials (type);

CREATE TABLE webhooks (
    id          TEXT PRIMARY KEY,
    workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    owner_id    TEXT NOT NULL,
    node_name   TEXT NOT NULL,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    is_test     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMP NOT NULL,
    UNIQUE (method, path, is_test)
);
CREATE INDEX idx_webhooks_workflow ON webhooks (workflow_id);
CREATE INDEX idx_webhooks_owner ON webhooks (owner_id);

CREATE TABLE scheduled_workflows (
    id           TEXT PRIMARY KEY,
    workflow_id  TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
    owner_id     TEXT NOT NULL,
    node_name    TEXT NOT NULL,
    schedule_id  TEXT NOT NULL UNIQUE,
    spec         TEXT NOT NULL,
    timezone     TEXT NOT NULL DEFAULT 'UTC',
    next_run_at  TIMESTAMP NULL,
    last_run_at  TIMESTAMP NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX idx_scheduled_workflows_workflow ON scheduled_workflows (workflow_id);

CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    actor_id    TEXT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    details     TEXT NOT NULL DEFAULT '{}',
    ip          TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX idx_audit_log_created ON audit_log (created_at);
CREATE INDEX idx_audit_log_actor ON audit_log (actor_id, created_at);
