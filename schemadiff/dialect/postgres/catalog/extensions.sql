-- Extensions a user installed (not the ones initdb creates, such as plpgsql: pg_dump leaves
-- those out too).
-- Returns: name text, schema text (the schema its objects live in), version text (installed).
SELECT e.extname AS name,
       n.nspname AS schema,
       e.extversion AS version
FROM pg_extension AS e
JOIN pg_namespace AS n ON n.oid = e.extnamespace
WHERE e.oid >= 16384  -- FirstNormalObjectId
