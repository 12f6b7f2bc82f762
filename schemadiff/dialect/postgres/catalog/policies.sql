-- Row-level security policies.
-- Returns: schema text, table text, name text, permissive bool, command text (polcmd:
--   '*' all, 'r' select, 'a' insert, 'w' update, 'd' delete), roles text[] (role names,
--   "public" for PUBLIC), using text, with_check text (pg_get_expr), comment text.
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
SELECT n.nspname AS schema,
       c.relname AS table,
       p.polname AS name,
       p.polpermissive AS permissive,
       p.polcmd::text AS command,
       ARRAY(SELECT CASE WHEN r.role_oid = 0 THEN 'public' ELSE a.rolname::text END
             FROM unnest(p.polroles) AS r(role_oid)
             LEFT JOIN pg_roles AS a ON a.oid = r.role_oid) AS roles,
       pg_get_expr(p.polqual, p.polrelid) AS using,
       pg_get_expr(p.polwithcheck, p.polrelid) AS with_check,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = p.oid AND ds.classoid = 'pg_policy'::regclass AND ds.objsubid = 0) AS comment
FROM pg_policy AS p
JOIN pg_class AS c ON c.oid = p.polrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND n.nspname <> ALL (%(exclude)s::text[])
