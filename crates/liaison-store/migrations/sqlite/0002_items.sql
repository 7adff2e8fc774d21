-- The closed loop: categories, SLA policies, items with their timeline, the job table, the in-app inbox
-- (SQLite). Mirrored by postgres/0002_items.sql; keep both in step.

CREATE TABLE item_category (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    name             TEXT NOT NULL,
    default_unit_id  INTEGER REFERENCES org_unit(id),
    resolve_days     INTEGER,
    retired_at       TEXT,
    created_at       TEXT NOT NULL,
    CONSTRAINT item_category_name_key UNIQUE (kind, name)
);

-- One row per kind × priority; respond_hours (wall clock) or respond_days (working days).
CREATE TABLE sla_policy (
    kind           TEXT NOT NULL,
    priority       TEXT NOT NULL,
    respond_hours  INTEGER,
    respond_days   INTEGER,
    resolve_days   INTEGER NOT NULL,
    warn_percent   INTEGER NOT NULL,
    PRIMARY KEY (kind, priority)
);
INSERT INTO sla_policy (kind, priority, respond_hours, respond_days, resolve_days, warn_percent) VALUES
    ('need', 'normal', NULL, 1, 5, 80), ('need', 'urgent', 2, NULL, 5, 80),
    ('dispute', 'normal', NULL, 1, 15, 80), ('dispute', 'urgent', 2, NULL, 15, 80),
    ('suggestion', 'normal', NULL, 1, 10, 80), ('suggestion', 'urgent', 2, NULL, 10, 80),
    ('consultation', 'normal', NULL, 1, 2, 80), ('consultation', 'urgent', 2, NULL, 2, 80),
    ('report', 'normal', NULL, 1, 5, 80), ('report', 'urgent', 2, NULL, 5, 80);

-- The last human number per district and year (YZ-2026-000123).
CREATE TABLE item_sequence (
    district_code  TEXT NOT NULL,
    year           INTEGER NOT NULL,
    last           INTEGER NOT NULL,
    PRIMARY KEY (district_code, year)
);

CREATE TABLE item (
    id                 INTEGER PRIMARY KEY,
    number             TEXT NOT NULL,
    kind               TEXT NOT NULL,
    category_id        INTEGER NOT NULL REFERENCES item_category(id),
    priority           TEXT NOT NULL,
    channel            TEXT NOT NULL,
    title              TEXT NOT NULL,
    description        TEXT NOT NULL,
    address            TEXT NOT NULL,
    longitude          REAL,
    latitude           REAL,
    enterprise_id      INTEGER NOT NULL REFERENCES enterprise(id),
    path               TEXT NOT NULL,
    officer_id         INTEGER REFERENCES app_user(id),
    handler_id         INTEGER REFERENCES app_user(id),
    status             TEXT NOT NULL,
    version            INTEGER NOT NULL,
    submitted_by       INTEGER NOT NULL REFERENCES app_user(id),
    submitted_at       TEXT NOT NULL,
    idempotency_key    TEXT,
    respond_due_at     TEXT NOT NULL,
    resolve_due_at     TEXT NOT NULL,
    warn_at            TEXT NOT NULL,
    responded_at       TEXT,
    respond_margin     INTEGER,
    resolved_at        TEXT,
    resolve_margin     INTEGER,
    working_seconds    INTEGER,
    resolution         TEXT,
    closed_at          TEXT,
    close_reason       TEXT,
    paused_at          TEXT,
    paused_seconds     INTEGER NOT NULL DEFAULT 0,
    warned_at          TEXT,
    overdue_at         TEXT,
    escalation_level   INTEGER NOT NULL DEFAULT 0,
    escalated_at       TEXT,
    supervised_at      TEXT,
    reopen_count       INTEGER NOT NULL DEFAULT 0,
    rating             TEXT,
    solved             BOOLEAN,
    feedback_at        TEXT,
    feedback_by_staff  BOOLEAN NOT NULL DEFAULT 0,
    updated_at         TEXT NOT NULL,
    CONSTRAINT item_number_key UNIQUE (number),
    CONSTRAINT item_idempotency_key UNIQUE (submitted_by, idempotency_key)
);
CREATE INDEX item_path ON item(path, id);
CREATE INDEX item_handler ON item(handler_id, id);
CREATE INDEX item_officer ON item(officer_id, id);
CREATE INDEX item_enterprise ON item(enterprise_id, id);
CREATE INDEX item_status ON item(status, id);
CREATE INDEX item_supervised ON item(supervised_at, id) WHERE supervised_at IS NOT NULL;
CREATE INDEX item_overdue ON item(overdue_at, id) WHERE overdue_at IS NOT NULL;

-- The timeline: every step, comment and note; internal rows are hidden from the enterprise.
CREATE TABLE item_event (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER NOT NULL REFERENCES item(id),
    at           TEXT NOT NULL,
    actor_id     INTEGER REFERENCES app_user(id),
    actor_name   TEXT NOT NULL,
    step         TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    body         TEXT NOT NULL,
    internal     BOOLEAN NOT NULL DEFAULT 0,
    on_behalf    BOOLEAN NOT NULL DEFAULT 0
);
CREATE INDEX item_event_item ON item_event(item_id, id);

-- Background work, enqueued in the same transaction as the change that causes it. One pending row per
-- (kind, ref_id); claimed with a lease so several instances never run the same job at once.
CREATE TABLE job (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    ref_id        INTEGER NOT NULL,
    run_at        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT,
    last_error    TEXT,
    CONSTRAINT job_ref_key UNIQUE (kind, ref_id)
);
CREATE INDEX job_run_at ON job(run_at);

-- The in-app inbox.
CREATE TABLE notification (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES app_user(id),
    item_id     INTEGER REFERENCES item(id),
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    read_at     TEXT
);
CREATE INDEX notification_user ON notification(user_id, id);
CREATE INDEX notification_unread ON notification(user_id) WHERE read_at IS NULL;

-- Files attached to items: stored outside any served directory under a random name; `quarantined`
-- files (flagged by the scanner) are kept for review and never served.
CREATE TABLE attachment (
    id            INTEGER PRIMARY KEY,
    item_id       INTEGER NOT NULL REFERENCES item(id),
    uploaded_by   INTEGER NOT NULL REFERENCES app_user(id),
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    storage_name  TEXT NOT NULL UNIQUE,
    status        TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX attachment_item ON attachment(item_id, id);

-- Referrals to partner departments (转办), with the state per recipient: delivered → read → answered,
-- or recalled by the police side.
CREATE TABLE referral (
    id             INTEGER PRIMARY KEY,
    item_id        INTEGER NOT NULL REFERENCES item(id),
    department_id  INTEGER NOT NULL REFERENCES org_unit(id),
    state          TEXT NOT NULL,
    note           TEXT NOT NULL,
    answer         TEXT,
    referred_by    INTEGER NOT NULL REFERENCES app_user(id),
    referred_at    TEXT NOT NULL,
    read_at        TEXT,
    closed_by      INTEGER REFERENCES app_user(id),
    closed_at      TEXT
);
CREATE INDEX referral_item ON referral(item_id, id);
CREATE INDEX referral_department ON referral(department_id, item_id);

-- Tiered mediation of disputes (矛盾纠纷分级调解): the dispute's amount (fen), level 1–3 and outcome,
-- its parties, and every mediation session.
CREATE TABLE dispute (
    item_id     INTEGER PRIMARY KEY REFERENCES item(id),
    amount_fen  INTEGER NOT NULL,
    level       INTEGER NOT NULL,
    outcome     TEXT,
    agreement   TEXT,
    guidance    TEXT,
    updated_at  TEXT NOT NULL
);
CREATE TABLE dispute_party (
    id       INTEGER PRIMARY KEY,
    item_id  INTEGER NOT NULL REFERENCES item(id),
    name     TEXT NOT NULL,
    role     TEXT NOT NULL,
    mobile   TEXT
);
CREATE INDEX dispute_party_item ON dispute_party(item_id, id);
CREATE TABLE mediation_session (
    id            INTEGER PRIMARY KEY,
    item_id       INTEGER NOT NULL REFERENCES item(id),
    level         INTEGER NOT NULL,
    held_on       TEXT NOT NULL,
    participants  TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    note          TEXT NOT NULL,
    recorded_by   INTEGER NOT NULL REFERENCES app_user(id),
    recorded_at   TEXT NOT NULL
);
CREATE INDEX mediation_session_item ON mediation_session(item_id, id);

-- Where a user wants notifications besides the inbox: `email` (address), `sms` (mobile) or `webhook`
-- (URL, format `json`, `wecom_text` or `wecom_markdown` — the 企业微信 group robot).
CREATE TABLE user_channel (
    user_id  INTEGER NOT NULL REFERENCES app_user(id),
    channel  TEXT NOT NULL,
    target   TEXT NOT NULL,
    format   TEXT NOT NULL,
    PRIMARY KEY (user_id, channel)
);

-- The outbox: one row per notification × channel, written with the notification, sent by the
-- `deliver` job with retries; its state is what admins see.
CREATE TABLE delivery (
    id               INTEGER PRIMARY KEY,
    notification_id  INTEGER NOT NULL REFERENCES notification(id),
    channel          TEXT NOT NULL,
    target           TEXT NOT NULL,
    format           TEXT NOT NULL,
    state            TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    sent_at          TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX delivery_notification ON delivery(notification_id);
CREATE INDEX delivery_state ON delivery(state, id);

-- A starter catalogue; admins add, retire and tune categories.
INSERT INTO item_category (kind, name, created_at) VALUES
    ('need', '用工招聘', '2026-01-01T00:00:00+00:00'), ('need', '融资信贷', '2026-01-01T00:00:00+00:00'),
    ('need', '政策申报', '2026-01-01T00:00:00+00:00'), ('need', '治安环境', '2026-01-01T00:00:00+00:00'),
    ('need', '交通出行', '2026-01-01T00:00:00+00:00'), ('dispute', '劳资纠纷', '2026-01-01T00:00:00+00:00'),
    ('dispute', '合同纠纷', '2026-01-01T00:00:00+00:00'), ('dispute', '邻里纠纷', '2026-01-01T00:00:00+00:00'),
    ('suggestion', '警务服务', '2026-01-01T00:00:00+00:00'), ('suggestion', '营商环境', '2026-01-01T00:00:00+00:00'),
    ('consultation', '户政出入境', '2026-01-01T00:00:00+00:00'), ('consultation', '法律政策', '2026-01-01T00:00:00+00:00'),
    ('report', '涉企违法线索', '2026-01-01T00:00:00+00:00');
