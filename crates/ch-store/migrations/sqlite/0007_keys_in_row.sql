-- Each record's lookup keys (aliases, affected packages, affected products) move into its
-- own row, as one JSON object: {"i":[alias,...],"p":[[ecosystem,name],...],
-- "v":[[vendor,product],...]}. Nothing looks a key up in SQL (the in-memory index answers
-- by alias, package and product); the keys are read whole, to build the scanner's
-- prebuilt index, and go when their record goes. Three tables keyed by record id were
-- three more B-trees an import writes at random places: at a large knowledge base a
-- batch's records each dirty a page of each, and every dirty page is written to the WAL
-- and checkpointed, so the cost per record grew with the base. In the row, a record's
-- keys cost no page of their own. Mirrored by name in ../postgres.

ALTER TABLE advisories ADD COLUMN lookup_keys TEXT NOT NULL DEFAULT '{}';

-- json(...) marks each list as JSON, so json_object nests it rather than quoting it as a
-- string, whether or not the subquery's value keeps its JSON subtype.
UPDATE advisories SET lookup_keys = json_object(
    'i', json((SELECT json_group_array(k.alias) FROM advisory_aliases k
               WHERE k.id = advisories.id AND k.origin = advisories.origin)),
    'p', json((SELECT json_group_array(json_array(k.ecosystem, k.name)) FROM affected_packages k
               WHERE k.id = advisories.id AND k.origin = advisories.origin)),
    'v', json((SELECT json_group_array(json_array(k.vendor, k.product)) FROM affected_products k
               WHERE k.id = advisories.id AND k.origin = advisories.origin))
);

DROP TABLE advisory_aliases;
DROP TABLE affected_packages;
DROP TABLE affected_products;
