-- Views and materialized views.
-- Returns: schema text, name text, materialized bool, definition text (pg_get_viewdef),
--   comment text, options text[] (reloptions: a view's security_barrier, security_invoker and
--   check_option; a materialized view's storage parameters), names text[] (its columns'
--   names, in order), defaults json (its columns' defaults: [[name, default, type], ...]),
--   column_comments json (its columns' comments: [[name, comment], ...]).
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
SELECT n.nspname AS schema,
       c.relname AS name,
       c.relkind = 'm' AS materialized,
       pg_get_viewdef(c.oid) AS definition,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0) AS comment,
       c.reloptions AS options,
       ARRAY(SELECT a.attname FROM pg_attribute AS a
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum)::text[] AS names,
       (SELECT json_agg(json_build_array(a.attname, pg_get_expr(ad.adbin, ad.adrelid),
                                         format_type(a.atttypid, a.atttypmod)))
        FROM pg_attrdef AS ad
        JOIN pg_attribute AS a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
        WHERE ad.adrelid = c.oid) AS defaults,
       (SELECT json_agg(json_build_array(a.attname, ds.description))
        FROM pg_description AS ds
        JOIN pg_attribute AS a ON a.attrelid = ds.objoid AND a.attnum = ds.objsubid
        WHERE ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid > 0
          AND NOT a.attisdropped) AS column_comments
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm')
  AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND n.nspname <> ALL (%(exclude)s::text[])
