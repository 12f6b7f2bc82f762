-- Table constraints: primary key, unique, foreign key, check, exclusion (NOT NULL is a column
-- flag). Like pg_dump: inherited CHECKs (conislocal false) and the foreign keys PostgreSQL
-- clones onto partitions (conparentid <> 0) belong to the parent and are left out, except a
-- partition's CHECKs: pg_dump prints a partition as a table of its own, its parent's CHECKs in
-- it, then attaches it.
-- PostgreSQL 15 to 17 (indnullsnotdistinct; no NOT ENFORCED or temporal keys: conenforced,
-- conperiod).
-- Returns: schema text, table text, name text, type text (contype: p, u, f, c, x),
--   columns text[] (conkey, in order), ref_schema text, ref_table text, ref_columns text[]
--   (foreign keys), on_update text, on_delete text (confupdtype/confdeltype: a, r, c, n, d),
--   on_delete_columns text[] (confdelsetcols: ON DELETE SET NULL (a)'s columns, PostgreSQL 15),
--   match text (confmatchtype: s, f, p), include text[] (INCLUDE columns of a primary key or
--   unique constraint), nulls_not_distinct bool, deferrable bool, initially_deferred bool,
--   validated bool, no_inherit bool, enforced bool (conenforced: false for NOT ENFORCED),
--   period bool (conperiod: WITHOUT OVERLAPS / PERIOD on the last key column),
--   check_expression text (pg_get_expr of a CHECK),
--   definition text (pg_get_constraintdef, exclusion constraints only), comment text,
--   index_comment text (the comment on the index behind a primary key, unique or exclusion
--   constraint: COMMENT ON INDEX, apart from COMMENT ON CONSTRAINT), index_options text[]
--   (that index's reloptions: its storage parameters), disabled_triggers text[] (the sides
--   whose internal triggers, of the constraint or of its clones on partitions, do not fire:
--   tgenabled D, or R outside replication; 'check', a foreign key's checks and a deferrable
--   key's recheck, 'action', a foreign key's ON DELETE / UPDATE on the referenced table).
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
SELECT n.nspname AS schema,
       c.relname AS table,
       k.conname AS name,
       k.contype::text AS type,
       ARRAY(SELECT a.attname::text FROM pg_attribute AS a
             WHERE a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
             ORDER BY array_position(k.conkey, a.attnum)) AS columns,
       rn.nspname AS ref_schema,
       rc.relname AS ref_table,
       ARRAY(SELECT a.attname::text FROM pg_attribute AS a
             WHERE a.attrelid = k.confrelid AND a.attnum = ANY (k.confkey)
             ORDER BY array_position(k.confkey, a.attnum)) AS ref_columns,
       k.confupdtype::text AS on_update,
       k.confdeltype::text AS on_delete,
       ARRAY(SELECT a.attname::text FROM pg_attribute AS a
             WHERE a.attrelid = k.conrelid AND a.attnum = ANY (k.confdelsetcols)
             ORDER BY array_position(k.confdelsetcols, a.attnum)) AS on_delete_columns,
       k.confmatchtype::text AS match,
       CASE WHEN ix.indnatts > ix.indnkeyatts THEN
         ARRAY(SELECT a.attname::text
               FROM unnest(ix.indkey) WITH ORDINALITY AS u(attnum, ord)
               JOIN pg_attribute AS a ON a.attrelid = ix.indrelid AND a.attnum = u.attnum
               WHERE u.ord > ix.indnkeyatts
               ORDER BY u.ord)
       ELSE '{}' END AS include,
       COALESCE(ix.indnullsnotdistinct, false) AS nulls_not_distinct,
       k.condeferrable AS deferrable,
       k.condeferred AS initially_deferred,
       k.convalidated AS validated,
       k.connoinherit AS no_inherit,
       true AS enforced,
       false AS period,
       CASE WHEN k.contype = 'c' THEN pg_get_expr(k.conbin, k.conrelid) END AS check_expression,
       CASE WHEN k.contype = 'x' THEN pg_get_constraintdef(k.oid) END AS definition,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = k.oid AND ds.classoid = 'pg_constraint'::regclass AND ds.objsubid = 0) AS comment,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = k.conindid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0
          AND k.contype IN ('p', 'u', 'x')) AS index_comment,
       (SELECT ic.reloptions FROM pg_class AS ic
        WHERE ic.oid = k.conindid AND k.contype IN ('p', 'u', 'x')) AS index_options,
       ARRAY(WITH RECURSIVE tree(oid) AS (
               SELECT k.oid
               UNION ALL
               SELECT ck.oid FROM pg_constraint AS ck JOIN tree ON ck.conparentid = tree.oid)
             SELECT DISTINCT CASE WHEN left(p.proname, 14) = 'RI_FKey_check_'
                                    OR p.proname = 'unique_key_recheck'
                                  THEN 'check' ELSE 'action' END
             FROM tree
             JOIN pg_trigger AS g ON g.tgconstraint = tree.oid AND g.tgisinternal
             JOIN pg_proc AS p ON p.oid = g.tgfoid
             WHERE g.tgenabled IN ('D', 'R')
             ORDER BY 1) AS disabled_triggers
FROM pg_constraint AS k
JOIN pg_class AS c ON c.oid = k.conrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_class AS rc ON rc.oid = k.confrelid
LEFT JOIN pg_namespace AS rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_index AS ix ON ix.indexrelid = k.conindid AND k.contype IN ('p', 'u')
WHERE k.contype IN ('p', 'u', 'f', 'c', 'x')
  AND (k.contype <> 'c' OR k.conislocal OR c.relispartition)
  AND (k.contype <> 'f' OR k.conparentid = 0)
  AND c.relkind IN ('r', 'p')
  AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND n.nspname <> ALL (%(exclude)s::text[])
