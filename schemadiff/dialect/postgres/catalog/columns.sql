-- Table columns. Inherited columns of an INHERITS child are left out (they are the parent's,
-- as in pg_dump); a partition's columns are its own, but for an identity its parent's column
-- has: PostgreSQL 17 and later mark the partition's column too (one sequence, the parent's),
-- pg_dump prints it on the parent only.
-- Returns: schema text, table text, name text, position int, type text (format_type),
--   not_null bool, default text (pg_get_expr; NULL for generated columns), generated text
--   (the generation expression, else NULL), identity text ('a' always, 'd' by default, '';
--   '' on a partition from PostgreSQL 17, where it is its parent's),
--   collation_schema text, collation text (NULL when the type's own), comment text,
--   virtual bool (attgenerated 'v': PostgreSQL 18's VIRTUAL generated column, not STORED),
--   not_null_validated bool (false for a PostgreSQL 18 NOT NULL ... NOT VALID constraint not
--   validated yet), not_null_no_inherit bool (its NO INHERIT); older servers have no NOT NULL
--   rows in pg_constraint: true and false; statistics int (attstattarget, NULL for the
--   default: -1 before PostgreSQL 17), storage text (attstorage where not its type's
--   typstorage: plain, main, external, extended; else 'default'), options text[] (attoptions:
--   n_distinct, n_distinct_inherited), compression text (attcompression: pglz, lz4, or
--   'default' for none; PostgreSQL 14 and later: columns.pg13.sql says 'default'),
--   identity_sequence json (an identity column's sequence, through pg_depend: [type (not
--   compared), start, increment, min, max, cache, cycle]; NULL where it says no identity).
-- A default cannot refer to a column, so it is deparsed without its table (relid 0): with
-- the table, pg_get_expr builds the table's relcache entry, half this query's time on a
-- 5,000-table schema. A generation expression refers to columns and needs it.
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
SELECT n.nspname AS schema,
       c.relname AS table,
       a.attname AS name,
       a.attnum::int AS position,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0) END AS default,
       CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generated,
       a.attgenerated = 'v' AS virtual,
       COALESCE(nn.convalidated, true) AS not_null_validated,
       COALESCE(nn.connoinherit, false) AS not_null_no_inherit,
       -- from PostgreSQL 17 a partition has its partitioned table's identity (and sequence):
       -- the parent's, as pg_dump prints it, not the partition's own
       CASE WHEN c.relispartition AND current_setting('server_version_num')::int >= 170000
            THEN '' ELSE a.attidentity::text END AS identity,
       CASE WHEN a.attcollation <> t.typcollation THEN cn.nspname END AS collation_schema,
       CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum) AS comment,
       NULLIF(a.attstattarget, -1)::int AS statistics,
       CASE WHEN a.attstorage = t.typstorage THEN 'default'
            ELSE CASE a.attstorage WHEN 'p' THEN 'plain' WHEN 'm' THEN 'main'
                                   WHEN 'e' THEN 'external' ELSE 'extended' END END AS storage,
       ARRAY(SELECT o FROM unnest(a.attoptions) AS o
             WHERE o LIKE 'n\_distinct%%=%%') AS options,
       CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4'
                             ELSE 'default' END AS compression,
       CASE WHEN a.attidentity <> '' AND NOT (c.relispartition
                 AND current_setting('server_version_num')::int >= 170000) THEN
         (SELECT json_build_array(format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement,
                                  s.seqmin, s.seqmax, s.seqcache, s.seqcycle)
          FROM pg_depend AS sd
          JOIN pg_sequence AS s ON s.seqrelid = sd.objid
          WHERE sd.classid = 'pg_class'::regclass AND sd.refclassid = 'pg_class'::regclass
            AND sd.refobjid = c.oid AND sd.refobjsubid = a.attnum AND sd.deptype = 'i')
       END AS identity_sequence
FROM pg_attribute AS a
JOIN pg_class AS c ON c.oid = a.attrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_type AS t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_constraint AS nn
  ON nn.conrelid = a.attrelid AND nn.contype = 'n' AND nn.conkey[1] = a.attnum AND a.attnotnull
LEFT JOIN pg_collation AS co ON co.oid = a.attcollation
LEFT JOIN pg_namespace AS cn ON cn.oid = co.collnamespace
WHERE c.relkind IN ('r', 'p')
  AND c.relpersistence <> 't'
  AND a.attnum > 0
  AND NOT a.attisdropped
  AND (a.attislocal OR c.relispartition)
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND n.nspname <> ALL (%(exclude)s::text[])
