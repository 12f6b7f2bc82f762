-- User triggers (not the internal ones behind foreign keys, nor the clones PostgreSQL makes on
-- partitions: tgparentid <> 0). PostgreSQL 13 and later.
-- Returns: schema text, table text, name text, definition text (pg_get_triggerdef),
--   function_schema text, function_name text, enabled text (tgenabled: O, D, R, A),
--   comment text.
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
SELECT n.nspname AS schema,
       c.relname AS table,
       g.tgname AS name,
       pg_get_triggerdef(g.oid) AS definition,
       fn.nspname AS function_schema,
       f.proname AS function_name,
       g.tgenabled::text AS enabled,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = g.oid AND ds.classoid = 'pg_trigger'::regclass AND ds.objsubid = 0) AS comment
FROM pg_trigger AS g
JOIN pg_class AS c ON c.oid = g.tgrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
JOIN pg_proc AS f ON f.oid = g.tgfoid
JOIN pg_namespace AS fn ON fn.oid = f.pronamespace
WHERE NOT g.tgisinternal
  AND g.tgparentid = 0
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND n.nspname <> ALL (%(exclude)s::text[])
