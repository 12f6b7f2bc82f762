"""The catalog's indexes: however a catalog is filled, its lookups agree."""

from __future__ import annotations

import pickle
from pathlib import Path

from schemadiff.history import replay_sql
from schemadiff.model import Catalog

ROOT = Path(__file__).resolve().parents[1]
INCIDENT = ROOT / "fixtures" / "incident_goose" / "actual_schema.sql"


def _indexes(catalog: Catalog) -> tuple[object, ...]:
    o = catalog.objects
    return (dict(o), o.by_kind, o.by_table, o.by_parent, o.by_ref)


def test_bulk_load_builds_the_same_indexes_as_one_by_one() -> None:
    replayed = replay_sql(INCIDENT.read_text(encoding="utf-8"), str(INCIDENT)).catalog
    assert {k.kind for k in replayed.objects} >= {"table", "column", "constraint", "index"}
    assert any(replayed.objects.by_ref.values()) and any(replayed.objects.by_parent.values())
    loaded = Catalog()
    loaded.objects.load(replayed.objects.values())
    assert _indexes(loaded) == _indexes(replayed)
    # loading an object again replaces it, as assignment does
    again = Catalog()
    again.objects.load([*replayed.objects.values(), *replayed.objects.values()])
    assert _indexes(again) == _indexes(replayed)


def test_pickled_catalogs_keep_their_indexes() -> None:
    replayed = replay_sql(INCIDENT.read_text(encoding="utf-8"), str(INCIDENT)).catalog
    back = pickle.loads(pickle.dumps(replayed))
    assert back == replayed and _indexes(back) == _indexes(replayed)
    table = next(iter(back.of_kind("table")))
    assert back.columns(table.schema, table.name)  # type: ignore[attr-defined]
