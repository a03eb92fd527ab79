-- Exposure monitoring: operators' assets and their inventories, the reverse index from
-- match keys to the components of current inventories, findings with their lifecycle,
-- VEX statements, and notifications with their deliveries. Mirrored by name in
-- ../postgres.
--
-- `asset_components` holds the components of each asset's current inventory only (older
-- inventories stay whole in `inventories.document`), one row per (component, match key):
-- a changed advisory's keys find exactly the components it can be about.
-- `exposure_state.matched_seq` is the knowledge-base change number that findings reflect.

CREATE TABLE assets (
    id                 TEXT PRIMARY KEY,
    org_id             TEXT NOT NULL REFERENCES organisations(id),
    name               TEXT NOT NULL,
    criticality        TEXT NOT NULL,
    owner              TEXT,
    description        TEXT,
    current_inventory  TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE inventories (
    id           TEXT PRIMARY KEY,
    asset_id     TEXT NOT NULL REFERENCES assets(id),
    org_id       TEXT NOT NULL,
    format       TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    digest       TEXT NOT NULL,
    components   BIGINT NOT NULL,
    warnings     TEXT NOT NULL,
    document     TEXT NOT NULL,
    uploaded_by  TEXT,
    uploaded_at  BIGINT NOT NULL
);
CREATE INDEX inventories_asset ON inventories(asset_id, uploaded_at);

CREATE TABLE asset_components (
    match_key  TEXT NOT NULL,
    asset_id   TEXT NOT NULL,
    ordinal    BIGINT NOT NULL,
    component  TEXT NOT NULL,
    PRIMARY KEY (asset_id, ordinal, match_key)
);
CREATE INDEX asset_components_key ON asset_components(match_key);

CREATE TABLE exposure_state (
    singleton    BIGINT PRIMARY KEY,
    matched_seq  BIGINT NOT NULL
);
INSERT INTO exposure_state (singleton, matched_seq) VALUES (1, 0);

CREATE TABLE findings (
    id                 TEXT PRIMARY KEY,
    org_id             TEXT NOT NULL,
    asset_id           TEXT NOT NULL REFERENCES assets(id),
    component_ref      TEXT NOT NULL,
    component_name     TEXT NOT NULL,
    component_version  TEXT NOT NULL,
    flaw_id            TEXT NOT NULL,
    flaw_ids           TEXT NOT NULL,
    summary            TEXT,
    state              TEXT NOT NULL,
    state_reason       TEXT,
    accepted_until     BIGINT,
    known_exploited    BIGINT NOT NULL,
    ransomware         BIGINT NOT NULL,
    score_tenths       BIGINT,
    severity           TEXT,
    priority           BIGINT NOT NULL,
    fixed_version      TEXT,
    action             TEXT NOT NULL,
    vex_status         TEXT,
    vex_note           TEXT,
    first_seen         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    closed_at          BIGINT,
    UNIQUE (asset_id, component_ref, flaw_id)
);
CREATE INDEX findings_org ON findings(org_id, state, priority);
CREATE INDEX findings_flaw ON findings(flaw_id);
CREATE INDEX findings_accepted ON findings(state, accepted_until);

CREATE TABLE vex_statements (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    vulnerability TEXT NOT NULL,
    status      TEXT NOT NULL,
    statement   TEXT NOT NULL,
    source      TEXT NOT NULL,
    created_by  TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX vex_statements_org ON vex_statements(org_id, created_at);

CREATE TABLE notification_settings (
    org_id          TEXT PRIMARY KEY REFERENCES organisations(id),
    webhook_url     TEXT,
    webhook_secret  TEXT,
    email_to        TEXT NOT NULL,
    digest          BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE notifications (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    finding_id  TEXT,
    priority    BIGINT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    digested    BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    read_at     BIGINT
);
CREATE INDEX notifications_org ON notifications(org_id, created_at);

CREATE TABLE deliveries (
    id               TEXT PRIMARY KEY,
    notification_id  TEXT NOT NULL,
    org_id           TEXT NOT NULL,
    channel          TEXT NOT NULL,
    state            TEXT NOT NULL,
    attempts         BIGINT NOT NULL,
    last_error       TEXT,
    sent_at          BIGINT,
    created_at       BIGINT NOT NULL,
    UNIQUE (notification_id, channel)
);
