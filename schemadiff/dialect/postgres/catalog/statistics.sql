-- Extended statistics objects (CREATE STATISTICS) on tables and materialized views (not on
-- foreign tables, which are not compared), but an extension's.
-- Returns: schema text, name text, definition text (pg_get_statisticsobjdef: the CREATE
--   STATISTICS statement, names qualified), target int (stxstattarget where set: -1 before
--   PostgreSQL 17, NULL from 17, for the default), comment text.
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
SELECT n.nspname AS schema,
       s.stxname AS name,
       pg_get_statisticsobjdef(s.oid) AS definition,
       NULLIF(s.stxstattarget, -1)::int AS target,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = s.oid AND ds.classoid = 'pg_statistic_ext'::regclass
          AND ds.objsubid = 0) AS comment
FROM pg_statistic_ext AS s
JOIN pg_namespace AS n ON n.oid = s.stxnamespace
JOIN pg_class AS c ON c.oid = s.stxrelid
WHERE c.relkind IN ('r', 'p', 'm')
  AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_statistic_ext'::regclass AND d.objid = s.oid
                    AND d.deptype = 'e')
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND n.nspname <> ALL (%(exclude)s::text[])
