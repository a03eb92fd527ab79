-- Mirror by name of ../sqlite/0005_lookups.sql, which rebuilds the advisories'
-- lookup tables (aliases, affected packages and products) as WITHOUT ROWID tables.
-- PostgreSQL tables have no rowid B-tree to spare: nothing changes here.
SELECT 1;
