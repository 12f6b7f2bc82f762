"""Schema sources at the edges: a pg_dump file, a live database, a shadow replay."""
