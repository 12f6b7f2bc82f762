"""A layered drawing of a small directed graph, computed here (no library, no script).

The classic three steps (Sugiyama): each node's layer is its longest path from a source
(edges that would close a cycle are drawn but do not rank); nodes within a layer are ordered
by the mean position of their neighbours in the layer before, then after, a few sweeps each
way to uncross edges; layers become columns, left to right, each centred on the tallest.
"""

from __future__ import annotations

from schemadiff.records import record


@record
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> tuple[float, float]:
        return self.x + self.w, self.y + self.h / 2

    @property
    def left(self) -> tuple[float, float]:
        return self.x, self.y + self.h / 2


@record
class Drawing:
    boxes: dict[str, Box]
    width: float
    height: float


def layers(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Each node's layer: the longest path to it from a node without predecessors."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for a, b in edges:
        if a != b:
            succ[a].append(b)
    # drop the edges that close cycles (depth-first, in the given order)
    state: dict[str, int] = {}
    forward: list[tuple[str, str]] = []

    def visit(n: str) -> None:
        state[n] = 1
        for m in succ[n]:
            if state.get(m) == 1:
                continue  # a back edge
            forward.append((n, m))
            if m not in state:
                visit(m)
        state[n] = 2

    for n in nodes:
        if n not in state:
            visit(n)
    rank = dict.fromkeys(nodes, 0)
    for _ in nodes:  # relax until stable (small graphs: at most len(nodes) rounds)
        changed = False
        for a, b in forward:
            if rank[b] < rank[a] + 1:
                rank[b] = rank[a] + 1
                changed = True
        if not changed:
            break
    return rank


def order(rank: dict[str, int], edges: list[tuple[str, str]], sweeps: int = 4
          ) -> list[list[str]]:
    """The nodes of each layer, ordered to reduce crossings (barycentre heuristic)."""
    columns: list[list[str]] = [[] for _ in range(max(rank.values(), default=-1) + 1)]
    for n, r in rank.items():
        columns[r].append(n)
    preds: dict[str, list[str]] = {n: [] for n in rank}
    succs: dict[str, list[str]] = {n: [] for n in rank}
    for a, b in edges:
        preds[b].append(a)
        succs[a].append(b)
    for sweep in range(sweeps * 2):
        down = sweep % 2 == 0
        seq = range(1, len(columns)) if down else range(len(columns) - 2, -1, -1)
        for i in seq:
            ref = columns[i - 1] if down else columns[i + 1]
            where = {n: k for k, n in enumerate(ref)}
            near = preds if down else succs

            def centre(n: str, k: int, where: dict[str, int] = where,
                       near: dict[str, list[str]] = near) -> float:
                seen = [where[m] for m in near[n] if m in where]
                return sum(seen) / len(seen) if seen else float(k)

            columns[i] = [n for _, _, n in sorted(
                (centre(n, k), k, n) for k, n in enumerate(columns[i]))]
    return columns


def layout(nodes: dict[str, tuple[float, float]], edges: list[tuple[str, str]],
           gap_x: float = 70, gap_y: float = 18, margin: float = 10) -> Drawing:
    """Boxes for ``nodes`` (id -> (width, height)), in the order given, edges between ids."""
    rank = layers(list(nodes), edges)
    columns = order(rank, edges)
    col_w = [max((nodes[n][0] for n in col), default=0) for col in columns]
    col_h = [sum(nodes[n][1] for n in col) + gap_y * max(0, len(col) - 1) for col in columns]
    height = max(col_h, default=0)
    boxes: dict[str, Box] = {}
    x = margin
    for col, w, h in zip(columns, col_w, col_h):
        y = margin + (height - h) / 2
        for n in col:
            nw, nh = nodes[n]
            boxes[n] = Box(x + (w - nw) / 2, y, nw, nh)
            y += nh + gap_y
        x += w + gap_x
    width = x - gap_x + margin if columns else 2 * margin
    return Drawing(boxes, width, height + 2 * margin)
