-- Privileges on tables, views, sequences, routines, schemas and the columns of tables and views
-- (attacl: the owner's entries kept, pg_dump prints them), one row per object, grantee
-- and privilege: the ACL entries of the object's owner, of extension members and those
-- initdb set (pg_init_privs: the public schema's) are left out; a routine whose ACL lacks
-- PUBLIC's default EXECUTE gets a row for PUBLIC with a NULL privilege.
-- Returns: schema text, object_type text (table|sequence|function|schema), object_name text
--   (a routine's: its name; a column's: its relation's), arguments text (a routine's identity
--   arguments, a column's name, else NULL),
--   grantee text (role name, or PUBLIC), privilege text (NULL: none), grantable bool; an
--   object_type of table|sequence|function|schema|column.
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
WITH objects AS (
    SELECT c.oid, 'pg_class'::regclass AS classoid, n.nspname AS schema,
           CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END AS object_type,
           c.relname AS object_name, NULL::text AS arguments, c.relacl AS acl,
           c.relowner AS owner, 0 AS objsubid
    FROM pg_class AS c
    JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relpersistence <> 't'
      AND c.relacl IS NOT NULL
    UNION ALL
    SELECT p.oid, 'pg_proc'::regclass, n.nspname, 'function', p.proname,
           pg_get_function_identity_arguments(p.oid), p.proacl, p.proowner, 0
    FROM pg_proc AS p
    JOIN pg_namespace AS n ON n.oid = p.pronamespace
    WHERE p.proacl IS NOT NULL AND p.prokind IN ('f', 'p', 'w')
    UNION ALL
    SELECT n.oid, 'pg_namespace'::regclass, n.nspname, 'schema', n.nspname, NULL,
           n.nspacl, n.nspowner, 0
    FROM pg_namespace AS n
    WHERE n.nspacl IS NOT NULL
    UNION ALL
    SELECT c.oid, 'pg_class'::regclass, n.nspname, 'column', c.relname, a.attname::text,
           a.attacl, c.relowner, a.attnum
    FROM pg_attribute AS a
    JOIN pg_class AS c ON c.oid = a.attrelid
    JOIN pg_namespace AS n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm') AND c.relpersistence <> 't'
      AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
), kept AS (
    SELECT o.* FROM objects AS o
    WHERE o.schema NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND o.schema !~ '^pg_(toast_)?temp_'
      AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                      WHERE d.classid = o.classoid AND d.objid = o.oid AND d.deptype = 'e')
      AND (cardinality(%(include)s::text[]) = 0 OR o.schema = ANY (%(include)s::text[]))
      AND o.schema <> ALL (%(exclude)s::text[])
)
SELECT k.schema, k.object_type, k.object_name, k.arguments,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS grantee,
       a.privilege_type AS privilege, a.is_grantable AS grantable
FROM kept AS k
CROSS JOIN LATERAL aclexplode(k.acl) AS a
WHERE (a.grantee <> k.owner OR k.object_type = 'column')  -- a column's ACL has no owner default
  AND NOT EXISTS (SELECT 1 FROM pg_init_privs AS i
                  CROSS JOIN LATERAL aclexplode(i.initprivs) AS ia
                  WHERE i.objoid = k.oid AND i.classoid = k.classoid AND i.objsubid = k.objsubid
                    AND ia.grantee = a.grantee AND ia.privilege_type = a.privilege_type)
UNION ALL
SELECT k.schema, k.object_type, k.object_name, k.arguments, 'PUBLIC', NULL, false
FROM kept AS k
WHERE k.object_type = 'function'
  AND NOT EXISTS (SELECT 1 FROM aclexplode(k.acl) AS a WHERE a.grantee = 0)
