-- Tables (plain and partitioned; temporary and foreign tables are not modelled).
-- Returns: schema text, name text, persistence text ('p' permanent, 'u' unlogged),
--   partition_by text (pg_get_partkeydef, NULL unless partitioned), parent_schema text,
--   parent_name text, partition_bound text (pg_get_expr of relpartbound; NULL unless a
--   partition), inherits text[] ("schema.table" of INHERITS parents, in order),
--   of_type text (format_type of reloftype: a typed table's composite type, else NULL),
--   rls_enabled bool, rls_forced bool, comment text, replica_identity text (relreplident:
--   'd', 'f', 'n' or 'i'), replica_index text (the index REPLICA IDENTITY USING INDEX names;
--   NULL for 'i' once that index is dropped: no index is used, and pg_dump prints none),
--   inherited_defaults json (an INHERITS child's columns it inherits only whose default is
--   not its first parent's that has the column: [[name, default or null, type], ...]),
--   inherited_comments json (an INHERITS child's comments on columns it inherits only:
--   [[name, comment], ...]), inherited_not_null json (an INHERITS child's columns it
--   inherits only whose NOT NULL is not what its parents give it: [[name, not null], ...]),
--   trigger_states json (a partition's clones of its parent's row triggers whose tgenabled
--   is not their parent trigger's: [[trigger, state], ...]; PostgreSQL 13 and later; not the
--   internal ones of a foreign key, which are its constraint's disabled_triggers),
--   options text[] (reloptions: its storage parameters, and its TOAST table's prefixed
--   'toast.', as pg_dump prints them), clustered_index text (the index
--   it is CLUSTERed on: indisclustered), access_method text (relam's name; NULL for none, a
--   partitioned table's unless given one).
-- Parameters: %(include)s text[] (empty = all), %(exclude)s text[].
SELECT n.nspname AS schema,
       c.relname AS name,
       c.relpersistence::text AS persistence,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_by,
       pn.nspname AS parent_schema,
       pc.relname AS parent_name,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       ARRAY(SELECT hn.nspname || '.' || hc.relname
             FROM pg_inherits AS h
             JOIN pg_class AS hc ON hc.oid = h.inhparent
             JOIN pg_namespace AS hn ON hn.oid = hc.relnamespace
             WHERE h.inhrelid = c.oid AND NOT c.relispartition
             ORDER BY h.inhseqno) AS inherits,
       CASE WHEN c.reloftype <> 0 THEN format_type(c.reloftype, NULL) END AS of_type,
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       (SELECT ds.description FROM pg_description AS ds
        WHERE ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0) AS comment,
       c.relreplident::text AS replica_identity,
       (SELECT ic.relname FROM pg_index AS ix JOIN pg_class AS ic ON ic.oid = ix.indexrelid
        WHERE ix.indrelid = c.oid AND ix.indisreplident) AS replica_index,
       (SELECT json_agg(json_build_array(a.attname, pg_get_expr(ad.adbin, ad.adrelid),
                                         format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum)
        FROM pg_attribute AS a
        LEFT JOIN pg_attrdef AS ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.attislocal
          AND NOT c.relispartition AND a.attgenerated = ''
          AND pg_get_expr(ad.adbin, ad.adrelid) IS DISTINCT FROM
              (SELECT pg_get_expr(pd.adbin, pd.adrelid)
               FROM pg_inherits AS h
               JOIN pg_attribute AS pa ON pa.attrelid = h.inhparent AND pa.attname = a.attname
                                      AND NOT pa.attisdropped
               LEFT JOIN pg_attrdef AS pd ON pd.adrelid = pa.attrelid AND pd.adnum = pa.attnum
               WHERE h.inhrelid = c.oid
               ORDER BY h.inhseqno LIMIT 1)) AS inherited_defaults,
       (SELECT json_agg(json_build_array(a.attname, ds.description) ORDER BY a.attnum)
        FROM pg_attribute AS a
        JOIN pg_description AS ds ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass
                                 AND ds.objsubid = a.attnum
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.attislocal
          AND NOT c.relispartition) AS inherited_comments,
       (SELECT json_agg(json_build_array(a.attname, a.attnotnull) ORDER BY a.attnum)
        FROM pg_attribute AS a
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND NOT a.attislocal
          AND NOT c.relispartition
          AND a.attnotnull <> EXISTS (
              SELECT 1 FROM pg_inherits AS h
              JOIN pg_attribute AS pa ON pa.attrelid = h.inhparent AND pa.attname = a.attname
                                     AND NOT pa.attisdropped AND pa.attnotnull
              WHERE h.inhrelid = c.oid
                AND NOT EXISTS (SELECT 1 FROM pg_constraint AS pn
                                WHERE pn.conrelid = pa.attrelid AND pn.contype = 'n'
                                  AND pn.conkey[1] = pa.attnum AND pn.connoinherit)))
         AS inherited_not_null,
       -- tgparentid (PostgreSQL 13) read through to_jsonb: NULL on 12, where it is not compared
       (SELECT json_agg(json_build_array(g.tgname, g.tgenabled::text) ORDER BY g.tgname)
        FROM pg_trigger AS g
        JOIN pg_trigger AS gp ON gp.oid = (to_jsonb(g) ->> 'tgparentid')::oid
        WHERE g.tgrelid = c.oid AND NOT g.tgisinternal AND g.tgenabled <> gp.tgenabled)
         AS trigger_states,
       c.reloptions || ARRAY(SELECT 'toast.' || o FROM pg_class AS tc, unnest(tc.reloptions) AS o
                             WHERE tc.oid = c.reltoastrelid) AS options,
       (SELECT ic.relname FROM pg_index AS ix JOIN pg_class AS ic ON ic.oid = ix.indexrelid
        WHERE ix.indrelid = c.oid AND ix.indisclustered) AS clustered_index,
       (SELECT am.amname FROM pg_am AS am WHERE am.oid = c.relam) AS access_method
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
LEFT JOIN pg_inherits AS pi ON pi.inhrelid = c.oid AND c.relispartition
LEFT JOIN pg_class AS pc ON pc.oid = pi.inhparent
LEFT JOIN pg_namespace AS pn ON pn.oid = pc.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND c.relpersistence <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname !~ '^pg_(toast_)?temp_'
  AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  AND (cardinality(%(include)s::text[]) = 0 OR n.nspname = ANY (%(include)s::text[]))
  AND n.nspname <> ALL (%(exclude)s::text[])
