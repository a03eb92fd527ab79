-- Mirror by name of ../sqlite/0006_keys.sql: the lookup tables (aliases, affected
-- packages, affected products) keyed by record first, without the name indexes nothing
-- queries, and without `advisories_modified`. An import then maintains one B-tree per
-- lookup table instead of two or three (plus the heap).

ALTER TABLE advisory_aliases DROP CONSTRAINT advisory_aliases_pkey;
ALTER TABLE advisory_aliases ADD PRIMARY KEY (id, origin, alias);
DROP INDEX advisory_aliases_record;

ALTER TABLE affected_packages DROP CONSTRAINT affected_packages_pkey;
ALTER TABLE affected_packages ADD PRIMARY KEY (id, origin, ecosystem, name);
DROP INDEX affected_packages_record;
DROP INDEX affected_packages_name;

ALTER TABLE affected_products DROP CONSTRAINT affected_products_pkey;
ALTER TABLE affected_products ADD PRIMARY KEY (id, origin, vendor, product);
DROP INDEX affected_products_record;
DROP INDEX affected_products_product;

DROP INDEX advisories_modified;
