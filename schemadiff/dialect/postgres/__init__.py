"""The PostgreSQL dialect: catalog SQL (``catalog/<query>.sql``, whole-file variants
``<query>.pgNN.sql``), row builders (:mod:`.rows`), DDL (:mod:`.ddl`), wired per kind in
:mod:`.kinds`."""
