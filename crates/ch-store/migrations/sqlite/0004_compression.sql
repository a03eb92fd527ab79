-- Advisory records are stored zstd-compressed (under half their JSON size): fewer pages
-- to write on import and to read at start-up. The column becomes a BLOB; rows written
-- before hold their JSON as it was and are read as such (a zstd frame starts with the
-- magic 28 B5 2F FD, a JSON record with '{'). SQLite cannot change a column's type in
-- place, so the table is rebuilt. Mirrored by name in ../postgres.

CREATE TABLE advisories_packed (
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
    record          BLOB NOT NULL,
    digest          TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    imported_at     BIGINT NOT NULL,
    PRIMARY KEY (id, origin)
);
INSERT INTO advisories_packed
    SELECT id, origin, source_format, modified, published, withdrawn, summary, severity, score_tenths,
           exploited, CAST(record AS BLOB), digest, seq, imported_at
    FROM advisories;
DROP TABLE advisories;
ALTER TABLE advisories_packed RENAME TO advisories;
CREATE INDEX advisories_seq ON advisories(seq);
CREATE INDEX advisories_modified ON advisories(modified);
