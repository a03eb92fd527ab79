-- Advisory records are stored zstd-compressed (under half their JSON size): fewer pages
-- to write on import and to read at start-up. The column becomes BYTEA; rows written
-- before hold their JSON bytes and are read as such (a zstd frame starts with the magic
-- 28 B5 2F FD, a JSON record with '{'). EXTERNAL storage: out of line when large, but
-- not compressed a second time by TOAST. Mirrored by name in ../sqlite.

ALTER TABLE advisories ALTER COLUMN record TYPE BYTEA USING convert_to(record, 'UTF8');
ALTER TABLE advisories ALTER COLUMN record SET STORAGE EXTERNAL;
