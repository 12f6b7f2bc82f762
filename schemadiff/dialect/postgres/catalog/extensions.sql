-- Extensions a user installed (not the ones initdb creates, such as plpgsql: pg_dump leaves
-- those out too).
-- Returns: name text, schema text (the schema its objects live in), version text (installed),
--   comment text (NULL when none), default_comment text (its control file's comment, which
--   CREATE EXTENSION sets: NULL when the control file has none or is not installed).
SELECT e.extname AS name,
       n.nspname AS schema,
       e.extversion AS version,
       obj_description(e.oid, 'pg_extension') AS comment,
       (SELECT a.comment FROM pg_available_extensions AS a WHERE a.name = e.extname)
           AS default_comment
FROM pg_extension AS e
JOIN pg_namespace AS n ON n.oid = e.extnamespace
WHERE e.oid >= 16384  -- FirstNormalObjectId
