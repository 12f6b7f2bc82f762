"""The graph behind the verdicts that were not plainly observed.

Nodes are versions and drifted objects; edges say why: a witness placed a version
(``dependency``: it builds on it; ``order``: the order around it), a pending migration would
create an extra object, a re-run of a migration undid a later one, a migration's object was
renamed by hand. Only those are drawn, never the plainly observed history, and at most
``limit`` nodes: what is left out is counted, so a rendering can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemadiff.records import record
from schemadiff.report.palette import Cell, cell_of

EDGE_WORDS = {
    "inferred-from-dependency": "dependency",
    "inferred-from-order": "order",
    "unobservable": "order",
    "observed": "placed",
}


@record
class Node:
    id: str  # "v3" (a version, by position) or "o1" (an object)
    label: str  # the version, or "table public.coupons"
    detail: str  # the migration's name, or what happened to the object
    cell: Cell | None  # None for objects


@record
class Edge:
    source: str
    target: str
    label: str
    dashed: bool = False


@dataclass(slots=True)
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    left_out: int = 0  # edges not drawn (the node limit)

    def __bool__(self) -> bool:
        return bool(self.nodes)


def nontrivial(m: dict[str, Any]) -> bool:
    """A verdict a person should see the reasons of: not observed, or not proven."""
    return m["confidence"] != "observed" or not m.get("proven", True)


def verdict_graph(doc: dict[str, Any], limit: int = 40) -> Graph:
    """The verdicts' graph of an infer document, at most ``limit`` nodes."""
    position = {m["version"]: i for i, m in enumerate(doc["migrations"])}
    by_version = {m["version"]: m for m in doc["migrations"]}
    graph = Graph()
    wanted: list[tuple[list[Node], Edge | None]] = []
    unknown: dict[str, str] = {}

    def version(v: str) -> Node:
        m = by_version.get(v)
        if m is None:
            uid = unknown.setdefault(v, f"u{len(unknown)}")
            return Node(uid, v, "not in this code", Cell.UNKNOWN)
        return Node(f"v{position[v]}", v, m["name"], cell_of(m, doc))

    for m in doc["migrations"]:
        if not nontrivial(m):
            continue
        node = version(m["version"])
        witness = m.get("witness")
        if witness:
            edge = Edge(version(witness).id, node.id, EDGE_WORDS.get(m["confidence"], "placed"))
            wanted.append(([version(witness), node], edge))
        else:
            wanted.append(([node], None))
    objects = 0
    for d in doc.get("drift", ()):
        rerun, migration = d.get("explained_by"), d.get("migration")
        if not rerun and not (migration and d["change"] in ("extra", "renamed")):
            continue
        title = f"{d['kind']} {d['object']}"
        if rerun:
            obj = Node(f"o{objects}", title, f"{d['change']} {d.get('attribute') or ''}".strip(),
                       None)
            source = version(rerun["rerun"])
            wanted.append(([source, obj], Edge(source.id, obj.id, "re-ran")))
            for undone in rerun["undoes"]:
                target = version(undone)
                wanted.append(([source, target],
                               Edge(source.id, target.id, "undid", dashed=True)))
        elif d["change"] == "extra":
            source = version(migration)
            pending = by_version.get(migration, {}).get("status") == "pending"
            obj = Node(f"o{objects}", title, "extra", None)
            wanted.append(([source, obj],
                           Edge(source.id, obj.id, "would create" if pending else "made")))
        else:
            source = version(migration)
            obj = Node(f"o{objects}", title, f"renamed to {d['actual']}", None)
            wanted.append(([source, obj], Edge(source.id, obj.id, "renamed by hand")))
        objects += 1
    for nodes, edge in wanted:
        new = {n.id: n for n in nodes if n.id not in graph.nodes}
        if len(graph.nodes) + len(new) > limit:
            graph.left_out += 1
            continue
        graph.nodes.update(new)
        if edge is not None and edge not in graph.edges:
            graph.edges.append(edge)
    return graph

