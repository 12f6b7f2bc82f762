-- Sequences, except those behind identity columns (they belong to their column).
-- Returns: schema text, name text, data_type text, start bigint, increment bigint,
--   min_value bigint, max_value bigint, cache bigint, cycle bool,
--   owned_table text, owned_column text (OWNED BY, NULL when none), comment text,
--   persistence text ('p' permanent, 'u' unlogged; NULL before PostgreSQL 15, which has no
--   unlogged sequences: the replay makes an unlogged table's serial one unlogged).
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
SELECT n.nspname AS schema,
       c.relname AS name,
       format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart AS start,
       s.seqincrement AS increment,
       s.seqmin AS min_value,
       s.seqmax AS max_value,
       s.seqcache AS cache,
       s.seqcycle AS cycle,
       ot.relname AS owned_table,
       oa.attname AS owned_column,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0) AS comment,
       CASE WHEN current_setting('server_version_num')::int >= 150000
            THEN c.relpersistence::text END AS persistence
FROM pg_sequence AS s
JOIN pg_class AS c ON c.oid = s.seqrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_depend AS own
       ON own.classid = 'pg_class'::regclass AND own.objid = c.oid
      AND own.refclassid = 'pg_class'::regclass AND own.refobjsubid > 0
      AND own.deptype IN ('a', 'i')
LEFT JOIN pg_class AS ot ON ot.oid = own.refobjid
LEFT JOIN pg_attribute AS oa ON oa.attrelid = own.refobjid AND oa.attnum = own.refobjsubid
WHERE c.relpersistence <> 't'
  AND own.deptype IS DISTINCT FROM 'i'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND n.nspname <> ALL (%(exclude)s::text[])
