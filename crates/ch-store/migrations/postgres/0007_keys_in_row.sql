-- Mirror by name of ../sqlite/0007_keys_in_row.sql: each record's lookup keys move into its
-- own row as one JSON object, {"i":[alias,...],"p":[[ecosystem,name],...],
-- "v":[[vendor,product],...]}, and the three lookup tables go.

ALTER TABLE advisories ADD COLUMN lookup_keys TEXT NOT NULL DEFAULT '{}';

UPDATE advisories SET lookup_keys = json_build_object(
    'i', COALESCE((SELECT json_agg(k.alias) FROM advisory_aliases k
                   WHERE k.id = advisories.id AND k.origin = advisories.origin), '[]'::json),
    'p', COALESCE((SELECT json_agg(json_build_array(k.ecosystem, k.name)) FROM affected_packages k
                   WHERE k.id = advisories.id AND k.origin = advisories.origin), '[]'::json),
    'v', COALESCE((SELECT json_agg(json_build_array(k.vendor, k.product)) FROM affected_products k
                   WHERE k.id = advisories.id AND k.origin = advisories.origin), '[]'::json)
)::text;

DROP TABLE advisory_aliases;
DROP TABLE affected_packages;
DROP TABLE affected_products;
