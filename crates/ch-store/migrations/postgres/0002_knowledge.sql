-- Knowledge base: advisories (OSV records, with our extension), their aliases, the packages
-- and products they affect (the keys the matcher and the scanner look up), the CISA KEV
-- catalogue, configured sources and import runs. Mirrored by name in ../postgres.
--
-- One advisory row per (id, origin): origin is `osv` (OSV and everything converted into
-- it), `nvd` (NVD 2.0 / 1.1) or `cve5`, so an NVD record and a CVE 5 record of the same CVE
-- are both kept and merged by alias when read. `seq` is the knowledge-base change number of
-- the batch that wrote the row: every server process follows `kb_state.seq` to keep its
-- in-memory index current.

CREATE TABLE kb_state (
    singleton  BIGINT PRIMARY KEY,
    seq        BIGINT NOT NULL
);
INSERT INTO kb_state (singleton, seq) VALUES (1, 0);

CREATE TABLE advisories (
    id              TEXT NOT NULL,
    origin          TEXT NOT NULL,
    source_format   TEXT NOT NULL,
    modified        BIGINT NOT NULL,
    published       BIGINT,
    withdrawn       BIGINT,
    summary         TEXT,
    severity        TEXT,
    score_tenths    BIGINT,
    exploited       BIGINT NOT NULL DEFAULT 0,
    record          TEXT NOT NULL,
    digest          TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    imported_at     BIGINT NOT NULL,
    PRIMARY KEY (id, origin)
);
CREATE INDEX advisories_seq ON advisories(seq);
CREATE INDEX advisories_modified ON advisories(modified);

CREATE TABLE advisory_aliases (
    alias   TEXT NOT NULL,
    id      TEXT NOT NULL,
    origin  TEXT NOT NULL,
    PRIMARY KEY (alias, id, origin)
);
CREATE INDEX advisory_aliases_record ON advisory_aliases(id, origin);

CREATE TABLE affected_packages (
    ecosystem  TEXT NOT NULL,
    name       TEXT NOT NULL,
    id         TEXT NOT NULL,
    origin     TEXT NOT NULL,
    PRIMARY KEY (ecosystem, name, id, origin)
);
CREATE INDEX affected_packages_record ON affected_packages(id, origin);
CREATE INDEX affected_packages_name ON affected_packages(name);

CREATE TABLE affected_products (
    vendor   TEXT NOT NULL,
    product  TEXT NOT NULL,
    id       TEXT NOT NULL,
    origin   TEXT NOT NULL,
    PRIMARY KEY (vendor, product, id, origin)
);
CREATE INDEX affected_products_record ON affected_products(id, origin);
CREATE INDEX affected_products_product ON affected_products(product);

CREATE TABLE kev_entries (
    cve_id           TEXT PRIMARY KEY,
    vendor           TEXT NOT NULL,
    product          TEXT NOT NULL,
    name             TEXT NOT NULL,
    date_added       TEXT NOT NULL,
    due_date         TEXT NOT NULL,
    ransomware       BIGINT NOT NULL DEFAULT 0,
    record           TEXT NOT NULL,
    digest           TEXT NOT NULL,
    seq              BIGINT NOT NULL,
    imported_at      BIGINT NOT NULL
);
CREATE INDEX kev_entries_seq ON kev_entries(seq);

CREATE TABLE advisory_sources (
    name           TEXT PRIMARY KEY,
    url            TEXT NOT NULL,
    etag           TEXT,
    last_modified  TEXT,
    checked_at     BIGINT,
    changed_at     BIGINT,
    status         TEXT,
    detail         TEXT,
    created_at     BIGINT NOT NULL
);

CREATE TABLE import_runs (
    id           TEXT PRIMARY KEY,
    source       TEXT NOT NULL,
    state        TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT,
    records      BIGINT NOT NULL DEFAULT 0,
    inserted     BIGINT NOT NULL DEFAULT 0,
    updated      BIGINT NOT NULL DEFAULT 0,
    unchanged    BIGINT NOT NULL DEFAULT 0,
    errors       BIGINT NOT NULL DEFAULT 0,
    position     TEXT,
    detail       TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX import_runs_started ON import_runs(started_at);
