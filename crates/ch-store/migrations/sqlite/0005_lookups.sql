-- The lookup tables of advisories (aliases, affected packages, affected products) hold
-- nothing but their key. As WITHOUT ROWID tables the primary key is the table: one B-tree
-- fewer to write for every row an import adds, and a lookup by key reads one. Rebuilt
-- (SQLite cannot change this in place) with the same columns, keys and indexes.
-- PostgreSQL has no rowid: its mirror by name in ../postgres changes nothing.

CREATE TABLE advisory_aliases_keyed (
    alias   TEXT NOT NULL,
    id      TEXT NOT NULL,
    origin  TEXT NOT NULL,
    PRIMARY KEY (alias, id, origin)
) WITHOUT ROWID;
INSERT INTO advisory_aliases_keyed SELECT alias, id, origin FROM advisory_aliases;
DROP TABLE advisory_aliases;
ALTER TABLE advisory_aliases_keyed RENAME TO advisory_aliases;
CREATE INDEX advisory_aliases_record ON advisory_aliases(id, origin);

CREATE TABLE affected_packages_keyed (
    ecosystem  TEXT NOT NULL,
    name       TEXT NOT NULL,
    id         TEXT NOT NULL,
    origin     TEXT NOT NULL,
    PRIMARY KEY (ecosystem, name, id, origin)
) WITHOUT ROWID;
INSERT INTO affected_packages_keyed SELECT ecosystem, name, id, origin FROM affected_packages;
DROP TABLE affected_packages;
ALTER TABLE affected_packages_keyed RENAME TO affected_packages;
CREATE INDEX affected_packages_record ON affected_packages(id, origin);
CREATE INDEX affected_packages_name ON affected_packages(name);

CREATE TABLE affected_products_keyed (
    vendor   TEXT NOT NULL,
    product  TEXT NOT NULL,
    id       TEXT NOT NULL,
    origin   TEXT NOT NULL,
    PRIMARY KEY (vendor, product, id, origin)
) WITHOUT ROWID;
INSERT INTO affected_products_keyed SELECT vendor, product, id, origin FROM affected_products;
DROP TABLE affected_products;
ALTER TABLE affected_products_keyed RENAME TO affected_products;
CREATE INDEX affected_products_record ON affected_products(id, origin);
CREATE INDEX affected_products_product ON affected_products(product);
