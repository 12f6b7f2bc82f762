-- Domains: base type, NOT NULL, default, collation and CHECK constraints.
-- Returns: schema text, name text, type text (format_type of the base type), not_null bool,
--   default text (pg_get_expr), collation_schema text, collation text (NULL when the base
--   type's own), check_names text[], check_defs text[] (pg_get_constraintdef, same order),
--   comment text, check_comments json (its CHECKs' comments: [[name, comment], ...]).
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
SELECT n.nspname AS schema,
       t.typname AS name,
       format_type(t.typbasetype, t.typtypmod) AS type,
       t.typnotnull AS not_null,
       COALESCE(pg_get_expr(t.typdefaultbin, 0), t.typdefault) AS default,
       CASE WHEN t.typcollation <> bt.typcollation THEN cn.nspname END AS collation_schema,
       CASE WHEN t.typcollation <> bt.typcollation THEN co.collname END AS collation,
       ARRAY(SELECT c.conname::text FROM pg_constraint AS c
             WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname) AS check_names,
       ARRAY(SELECT pg_get_constraintdef(c.oid) FROM pg_constraint AS c
             WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname) AS check_defs,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = t.oid AND ds.classoid = 'pg_type'::regclass AND ds.objsubid = 0) AS comment,
       (SELECT json_agg(json_build_array(c.conname, ds.description))
        FROM pg_constraint AS c
        JOIN pg_description AS ds ON ds.objoid = c.oid
                                 AND ds.classoid = 'pg_constraint'::regclass AND ds.objsubid = 0
        WHERE c.contypid = t.oid AND c.contype = 'c') AS check_comments
FROM pg_type AS t
JOIN pg_namespace AS n ON n.oid = t.typnamespace
JOIN pg_type AS bt ON bt.oid = t.typbasetype
LEFT JOIN pg_collation AS co ON co.oid = t.typcollation
LEFT JOIN pg_namespace AS cn ON cn.oid = co.collnamespace
WHERE t.typtype = 'd'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND n.nspname <> ALL (%(exclude)s::text[])
