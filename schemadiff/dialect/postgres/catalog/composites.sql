-- Composite types (CREATE TYPE ... AS (...)), not the row types of tables.
-- Returns: schema text, name text, attribute_names text[], attribute_types text[]
--   (format_type, in attribute order), comment text, attribute_comments json (its attributes'
--   comments: [[name, comment], ...]).
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
SELECT n.nspname AS schema,
       t.typname AS name,
       ARRAY(SELECT a.attname::text FROM pg_attribute AS a
             WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS attribute_names,
       ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute AS a
             WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS attribute_types,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = t.oid AND ds.classoid = 'pg_type'::regclass AND ds.objsubid = 0) AS comment,
       (SELECT json_agg(json_build_array(a.attname, ds.description))
        FROM pg_description AS ds
        JOIN pg_attribute AS a ON a.attrelid = ds.objoid AND a.attnum = ds.objsubid
        WHERE ds.objoid = t.typrelid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid > 0
          AND NOT a.attisdropped) AS attribute_comments
FROM pg_type AS t
JOIN pg_namespace AS n ON n.oid = t.typnamespace
JOIN pg_class AS c ON c.oid = t.typrelid AND c.relkind = 'c'
WHERE t.typtype = 'c'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND n.nspname <> ALL (%(exclude)s::text[])
