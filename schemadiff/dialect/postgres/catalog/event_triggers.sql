-- Event triggers (database-wide: in no schema, whatever the schema filters), but an
-- extension's.
-- Returns: name text, event text, tags text[] (WHEN TAG IN, NULL for every tag),
--   function_schema text, function_name text, enabled text (evtenabled: O, D, R, A),
--   comment text.
-- Parameters: %(include)s text[], %(exclude)s text[] (not used: in no schema).
SELECT e.evtname AS name,
       e.evtevent AS event,
       e.evttags AS tags,
       n.nspname AS function_schema,
       p.proname AS function_name,
       e.evtenabled::text AS enabled,
       obj_description(e.oid, 'pg_event_trigger') AS comment
FROM pg_event_trigger AS e
JOIN pg_proc AS p ON p.oid = e.evtfoid
JOIN pg_namespace AS n ON n.oid = p.pronamespace
WHERE NOT EXISTS (SELECT 1 FROM pg_depend AS d
                  WHERE d.classid = 'pg_event_trigger'::regclass AND d.objid = e.oid
                    AND d.deptype = 'e')
  AND cardinality(%(include)s::text[]) >= 0 AND cardinality(%(exclude)s::text[]) >= 0
