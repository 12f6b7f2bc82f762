"""The verdicts' graph as a Mermaid flowchart, which GitHub draws in a comment.

Labels are quoted, with Mermaid's entity codes for what would end or break them (``"``,
``<``, ``>``, ``#``); nodes take their state's colour from the palette, objects are
rounded and white.
"""

from __future__ import annotations

from schemadiff.report.graph import Graph
from schemadiff.report.palette import LOOKS, Cell


def label(text: str) -> str:
    """Text safe inside a quoted Mermaid label."""
    return (text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;").replace("\n", " "))


def flowchart(graph: Graph) -> str:
    lines = ["flowchart LR"]
    used: list[Cell] = []
    for node in graph.nodes.values():
        text = label(node.label) + (f"<br/>{label(node.detail)}" if node.detail else "")
        if node.cell is None:
            lines.append(f'  {node.id}("{text}"):::object')
            continue
        lines.append(f'  {node.id}["{text}"]:::{node.cell.value}')
        if node.cell not in used:
            used.append(node.cell)
    for e in graph.edges:
        arrow = "-.->" if e.dashed else "-->"
        lines.append(f'  {e.source} {arrow}|"{label(e.label)}"| {e.target}')
    for cell in used:
        color = LOOKS[cell].color
        lines.append(f"  classDef {cell.value} fill:{color},stroke:{color},color:#ffffff")
    lines.append("  classDef object fill:#ffffff,stroke:#57606a,color:#24292f")
    return "\n".join(lines)
