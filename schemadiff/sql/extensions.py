"""The data types well-known extensions define, by type name: where a migration names one
unqualified, the type lives in the schema its extension was created in (``CREATE EXTENSION
citext WITH SCHEMA extensions``), not in the first schema of the search path."""

from __future__ import annotations

EXTENSION_TYPES: dict[str, str] = {
    "citext": "citext",
    "hstore": "hstore",
    "ltree": "ltree", "lquery": "ltree", "ltxtquery": "ltree",
    "cube": "cube",
    "seg": "seg",
    "lo": "lo",
    "isbn": "isn", "isbn13": "isn", "ismn": "isn", "ismn13": "isn", "issn": "isn",
    "issn13": "isn", "ean13": "isn", "upc": "isn",
    "vector": "vector", "halfvec": "vector", "sparsevec": "vector",
    "geometry": "postgis", "geography": "postgis", "box2d": "postgis", "box3d": "postgis",
}
