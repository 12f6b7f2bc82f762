-- Functions and procedures (aggregates are not modelled). PostgreSQL 14 and later.
-- Returns: schema text, name text, kind text ('f' function, 'p' procedure, 'w' window),
--   arguments text (pg_get_function_arguments), result text (pg_get_function_result; NULL
--   for procedures), language text, source text (prosrc), binary text (probin),
--   sql_body text (pg_get_function_sqlbody of a BEGIN ATOMIC / RETURN body, else NULL),
--   volatility text ('i', 's', 'v'), strict bool, security_definer bool, leakproof bool,
--   parallel text ('s', 'r', 'u'), config text[] (proconfig, "name=value"), comment text,
--   cost real (procost), rows real (prorows).
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
SELECT n.nspname AS schema,
       p.proname AS name,
       p.prokind::text AS kind,
       pg_get_function_arguments(p.oid) AS arguments,
       pg_get_function_result(p.oid) AS result,
       l.lanname AS language,
       p.prosrc AS source,
       p.probin AS binary,
       CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) END AS sql_body,
       p.provolatile::text AS volatility,
       p.proisstrict AS strict,
       p.prosecdef AS security_definer,
       p.proleakproof AS leakproof,
       p.proparallel::text AS parallel,
       p.proconfig AS config,
       p.procost AS cost,
       p.prorows AS rows,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = p.oid AND ds.classoid = 'pg_proc'::regclass AND ds.objsubid = 0) AS comment
FROM pg_proc AS p
JOIN pg_namespace AS n ON n.oid = p.pronamespace
JOIN pg_language AS l ON l.oid = p.prolang
WHERE p.prokind IN ('f', 'p', 'w')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                    AND d.deptype IN ('e', 'i'))  -- extension members; range constructors
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND n.nspname <> ALL (%(exclude)s::text[])
