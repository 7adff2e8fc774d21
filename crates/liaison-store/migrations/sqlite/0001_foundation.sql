-- Foundation: org tree, users and access, enterprises and 一企一警, self-reports, audit log (SQLite).
-- Mirrored by postgres/0001_foundation.sql; keep both in step.

CREATE TABLE org_unit (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES org_unit(id),
    kind        TEXT NOT NULL,
    code        TEXT,
    name        TEXT NOT NULL,
    path        TEXT NOT NULL UNIQUE,
    retired_at  TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX org_unit_parent ON org_unit(parent_id);

CREATE TABLE enterprise (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL,
    credit_code     TEXT NOT NULL,
    address         TEXT NOT NULL,
    industry        TEXT NOT NULL,
    scale           TEXT NOT NULL,
    key_enterprise  BOOLEAN NOT NULL DEFAULT 0,
    longitude       REAL,
    latitude        REAL,
    community_id    INTEGER NOT NULL REFERENCES org_unit(id),
    path            TEXT NOT NULL,
    officer_id      INTEGER REFERENCES app_user(id),
    contact_name    TEXT NOT NULL,
    contact_mobile  TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'active',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    CONSTRAINT enterprise_credit_code_key UNIQUE (credit_code)
);
CREATE INDEX enterprise_path ON enterprise(path, id);
CREATE INDEX enterprise_officer ON enterprise(officer_id, id);
CREATE INDEX enterprise_name ON enterprise(name);

-- Enterprise counts per community, maintained in the same transaction as every enterprise change, so a
-- list's total over a subtree is a sum of at most a few dozen rows instead of a count over the table.
CREATE TABLE enterprise_count (
    community_id  INTEGER PRIMARY KEY REFERENCES org_unit(id),
    path          TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 0,
    active_key    INTEGER NOT NULL DEFAULT 0,
    retired       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX enterprise_count_path ON enterprise_count(path);

CREATE TABLE app_user (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL,
    display_name         TEXT NOT NULL,
    unit_id              INTEGER NOT NULL REFERENCES org_unit(id),
    police_number        TEXT,
    mobile               TEXT,
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT 0,
    status               TEXT NOT NULL DEFAULT 'active',
    pi_reveal            BOOLEAN NOT NULL DEFAULT 0,
    enterprise_id        INTEGER REFERENCES enterprise(id),
    totp_secret          TEXT,
    totp_enabled         BOOLEAN NOT NULL DEFAULT 0,
    totp_last_step       INTEGER,
    locked_until         TEXT,
    last_login_at        TEXT,
    password_changed_at  TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    CONSTRAINT app_user_username_key UNIQUE (username)
);
CREATE INDEX app_user_unit ON app_user(unit_id);
CREATE INDEX app_user_enterprise ON app_user(enterprise_id);

CREATE TABLE user_role (
    user_id  INTEGER NOT NULL REFERENCES app_user(id),
    role     TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE recovery_code (
    user_id    INTEGER NOT NULL REFERENCES app_user(id),
    code_hash  TEXT NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE login_failure (
    id        INTEGER PRIMARY KEY,
    username  TEXT NOT NULL,
    ip        TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX login_failure_username ON login_failure(username, at);
CREATE INDEX login_failure_ip ON login_failure(ip, at);

CREATE TABLE session (
    id                TEXT PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES app_user(id),
    created_at        TEXT NOT NULL,
    last_seen_at      TEXT NOT NULL,
    authenticated_at  TEXT NOT NULL,
    mfa_pending       BOOLEAN NOT NULL DEFAULT 0,
    ip                TEXT NOT NULL,
    user_agent        TEXT NOT NULL
);
CREATE INDEX session_by_user ON session(user_id, created_at);

CREATE TABLE api_token (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES app_user(id),
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_token_user ON api_token(user_id);

CREATE TABLE officer_assignment (
    id             INTEGER PRIMARY KEY,
    enterprise_id  INTEGER NOT NULL REFERENCES enterprise(id),
    officer_id     INTEGER REFERENCES app_user(id),
    from_at        TEXT NOT NULL,
    to_at          TEXT,
    assigned_by    INTEGER REFERENCES app_user(id),
    reason         TEXT NOT NULL
);
CREATE INDEX officer_assignment_enterprise ON officer_assignment(enterprise_id, from_at);

CREATE TABLE self_report (
    id               INTEGER PRIMARY KEY,
    enterprise_id    INTEGER NOT NULL REFERENCES enterprise(id),
    version          INTEGER NOT NULL,
    employees        INTEGER NOT NULL,
    security_staff   INTEGER NOT NULL,
    cameras          INTEGER NOT NULL,
    fire_equipment   TEXT NOT NULL,
    key_positions    TEXT NOT NULL,
    risks            TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending',
    submitted_by     INTEGER NOT NULL REFERENCES app_user(id),
    submitted_at     TEXT NOT NULL,
    reviewed_by      INTEGER REFERENCES app_user(id),
    reviewed_at      TEXT,
    review_comment   TEXT,
    UNIQUE (enterprise_id, version)
);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor_id     INTEGER,
    actor_role   TEXT NOT NULL,
    ip           TEXT NOT NULL,
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    TEXT,
    outcome      TEXT NOT NULL,
    detail       TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor_id, id);

-- The chain head: one row, locked by the UPDATE of every append so appends serialise on any backend.
CREATE TABLE audit_head (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE setting (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
