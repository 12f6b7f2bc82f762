"""What is specific to one database engine, behind the engine-neutral core.

Today there is one dialect, :mod:`schemadiff.dialect.postgres`: its catalog queries, how their
rows become the model's records, and the DDL that creates each kind of object. The model, the
replay's effect log, the diff and the inference do not know which engine they describe; a second
engine (MySQL/MariaDB) would stand beside this package with its own entry for each kind of
:mod:`schemadiff.kinds` (and its own statement parser and replay).
"""
