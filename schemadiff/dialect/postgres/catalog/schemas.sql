-- Schemas: every user schema (system schemas and extension-owned ones left out).
-- Returns: name text, comment text (NULL when none).
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
SELECT n.nspname AS name,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = n.oid AND ds.classoid = 'pg_namespace'::regclass AND ds.objsubid = 0) AS comment
FROM pg_namespace AS n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid
                    AND d.deptype = 'e')
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND n.nspname <> ALL (%(exclude)s::text[])
