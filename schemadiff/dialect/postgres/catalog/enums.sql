-- Enum types with their labels in sort order.
-- Returns: schema text, name text, labels text[], comment text.
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
SELECT n.nspname AS schema,
       t.typname AS name,
       ARRAY(SELECT e.enumlabel::text FROM pg_enum AS e
             WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = t.oid AND ds.classoid = 'pg_type'::regclass AND ds.objsubid = 0) AS comment
FROM pg_type AS t
JOIN pg_namespace AS n ON n.oid = t.typnamespace
WHERE t.typtype = 'e'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND n.nspname <> ALL (%(exclude)s::text[])
