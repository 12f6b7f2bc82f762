-- Indexes on tables and materialized views, except those behind a primary key, unique or
-- exclusion constraint (those are part of the constraint). PostgreSQL 15 and later.
-- Most indexes are read from their parts; an index whose keys carry a non-default operator
-- class or collation, an expression of a collatable type (its COLLATE, "default" too, is
-- printed where it differs from the one the expression derives, which only the text shows),
-- or operator class options, is read from its pg_get_indexdef text (the CREATE INDEX
-- statement pg_dump prints) instead: "simple" says which.
-- Returns: schema text, table text, name text, unique bool, method text (access method),
--   key_columns text[] (per key: the column, NULL for an expression), key_expressions text[]
--   (per key: pg_get_indexdef(index, k, false) of an expression, else NULL), key_options
--   int[] (indoption: 1 DESC, 2 NULLS FIRST), include text[], predicate text (pg_get_expr),
--   nulls_not_distinct bool, simple bool, definition text (pg_get_indexdef; only when not
--   simple), comment text, options text[] (reloptions: its storage parameters), valid bool
--   (indisvalid: false for what a failed CREATE INDEX CONCURRENTLY left; true on a
--   partitioned table, whose index is invalid until each partition has one attached),
--   statistics text[] (its keys' statistics targets where set: 'n=target'; attstattarget
--   is NULL for the default from PostgreSQL 17, -1 before).
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
SELECT n.nspname AS schema,
       c.relname AS table,
       ic.relname AS name,
       i.indisunique AS unique,
       am.amname AS method,
       keys.columns AS key_columns,
       keys.expressions AS key_expressions,
       keys.options AS key_options,
       CASE WHEN i.indnatts > i.indnkeyatts THEN
         ARRAY(SELECT a.attname::text
               FROM unnest(i.indkey) WITH ORDINALITY AS u(attnum, ord)
               JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = u.attnum
               WHERE u.ord > i.indnkeyatts
               ORDER BY u.ord)
       ELSE '{}' END AS include,
       pg_get_expr(i.indpred, i.indrelid) AS predicate,
       i.indnullsnotdistinct AS nulls_not_distinct,
       keys.simple,
       CASE WHEN NOT keys.simple THEN pg_get_indexdef(i.indexrelid) END AS definition,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = ic.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0) AS comment,
       ic.reloptions AS options,
       i.indisvalid OR c.relkind = 'p' AS valid,
       ARRAY(SELECT ia.attnum || '=' || ia.attstattarget FROM pg_attribute AS ia
             WHERE ia.attrelid = i.indexrelid AND ia.attstattarget >= 0
             ORDER BY ia.attnum) AS statistics
FROM pg_index AS i
JOIN pg_class AS ic ON ic.oid = i.indexrelid
JOIN pg_am AS am ON am.oid = ic.relam
JOIN pg_class AS c ON c.oid = i.indrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
CROSS JOIN LATERAL (
    SELECT array_agg(a.attname::text ORDER BY u.ord) AS columns,
           array_agg(CASE WHEN u.attnum = 0 THEN pg_get_indexdef(i.indexrelid, u.ord::int, false)
                     END ORDER BY u.ord) AS expressions,
           array_agg(i.indoption[u.ord - 1]::int ORDER BY u.ord) AS options,
           bool_and(opc.opcdefault
                    AND (u.attnum = 0 OR opc.opcintype = a.atttypid)
                    AND CASE WHEN u.attnum = 0 THEN i.indcollation[u.ord - 1] = 0
                             ELSE i.indcollation[u.ord - 1] = a.attcollation END
                    AND ia.attoptions IS NULL) AS simple
    FROM unnest(i.indkey) WITH ORDINALITY AS u(attnum, ord)
    JOIN pg_opclass AS opc ON opc.oid = i.indclass[u.ord - 1]
    JOIN pg_attribute AS ia ON ia.attrelid = i.indexrelid AND ia.attnum = u.ord
    LEFT JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = u.attnum
    WHERE u.ord <= i.indnkeyatts
) AS keys
WHERE c.relkind IN ('r', 'p', 'm')
  AND c.relpersistence <> 't'
  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS k
                  WHERE k.conrelid = i.indrelid AND k.conindid = i.indexrelid
                    AND k.contype IN ('p', 'u', 'x'))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid IN (c.oid, ic.oid)
                    AND d.deptype = 'e')
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND n.nspname <> ALL (%(exclude)s::text[])
