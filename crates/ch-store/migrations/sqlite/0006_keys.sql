-- The lookup tables (aliases, affected packages, affected products) are read whole (to
-- build the scanner's prebuilt index) and deleted by record (when a newer record replaces
-- one); nothing looks them up by alias, package or product name, which the in-memory index
-- answers. Keyed by record first, each is one B-tree, and the name indexes go: an import
-- then writes one random B-tree per lookup table instead of two or three. Every random
-- B-tree a commit touches is pages written to the WAL, so at a large knowledge base this
-- is most of the import's cost. `advisories_modified` goes too: the only query of
-- `modified` (the counts) reads every row anyway.
-- Mirrored by name in ../postgres.

CREATE TABLE advisory_aliases_by_record (
    id      TEXT NOT NULL,
    origin  TEXT NOT NULL,
    alias   TEXT NOT NULL,
    PRIMARY KEY (id, origin, alias)
) WITHOUT ROWID;
INSERT INTO advisory_aliases_by_record (id, origin, alias) SELECT id, origin, alias FROM advisory_aliases;
DROP TABLE advisory_aliases;
ALTER TABLE advisory_aliases_by_record RENAME TO advisory_aliases;

CREATE TABLE affected_packages_by_record (
    id         TEXT NOT NULL,
    origin     TEXT NOT NULL,
    ecosystem  TEXT NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (id, origin, ecosystem, name)
) WITHOUT ROWID;
INSERT INTO affected_packages_by_record (id, origin, ecosystem, name)
    SELECT id, origin, ecosystem, name FROM affected_packages;
DROP TABLE affected_packages;
ALTER TABLE affected_packages_by_record RENAME TO affected_packages;

CREATE TABLE affected_products_by_record (
    id       TEXT NOT NULL,
    origin   TEXT NOT NULL,
    vendor   TEXT NOT NULL,
    product  TEXT NOT NULL,
    PRIMARY KEY (id, origin, vendor, product)
) WITHOUT ROWID;
INSERT INTO affected_products_by_record (id, origin, vendor, product)
    SELECT id, origin, vendor, product FROM affected_products;
DROP TABLE affected_products;
ALTER TABLE affected_products_by_record RENAME TO affected_products;

DROP INDEX advisories_modified;
