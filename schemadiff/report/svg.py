"""Inline SVG for the HTML page: the status strip and the verdicts' graph.

Plain SVG 1.1 elements only (rect, text, path, title, marker), every text escaped, no
script, no external reference: the page draws the same offline, in any browser. Each strip
cell carries its glyph as well as its colour, and a tooltip naming the version.
"""

from __future__ import annotations

from html import escape

from schemadiff.report.graph import Graph
from schemadiff.report.layout import layout
from schemadiff.report.palette import LOOKS, Cell

PAD, PER_ROW, GROUP = 2, 50, 10
SOLID = "█"  # a cell filled with its colour already is this glyph
LABEL_W = 40
FONT = "font-family=\"ui-monospace, SFMono-Regular, Menlo, Consolas, monospace\""


def strip_svg(cells: list[tuple[str, str, Cell]], per_row: int = PER_ROW) -> str:
    """One square per version (``(version, name, cell)``), rows of ``per_row``."""
    rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    cell_size = 22 if len(cells) <= 2 * per_row else 16  # a short history: bigger squares
    step = cell_size + PAD
    n = min(per_row, max(1, len(cells)))
    width = LABEL_W + n * step + ((n - 1) // GROUP) * 4 + PAD
    height = max(1, len(rows)) * step + PAD
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="strip" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="status of {len(cells)} versions">']
    for r, row in enumerate(rows):
        y = PAD + r * step
        out.append(f'<text x="{LABEL_W - 6}" y="{y + cell_size - 5}" text-anchor="end" '
                   f'font-size="11" fill="#57606a" {FONT}>{r * per_row + 1}</text>')
        for i, (version, name, cell) in enumerate(row):
            x = LABEL_W + i * step + (i // GROUP) * 4
            look = LOOKS[cell]
            text_fill = "#24292f" if cell == Cell.PENDING else "#ffffff"
            fill = "#eaeef2" if cell == Cell.PENDING else look.color
            tip = escape(f"{version} {name}: {look.label}".replace("  ", " "))
            glyph = "" if look.glyph == SOLID else (
                f'<text x="{x + cell_size / 2}" y="{y + cell_size - 5}" text-anchor="middle" '
                f'font-size="12" fill="{text_fill}" {FONT}>{escape(look.glyph)}</text>')
            out.append(
                f'<g class="cell {cell.value}" data-version="{escape(version)}"><title>{tip}'
                f'</title><rect x="{x}" y="{y}" width="{cell_size}" height="{cell_size}" '
                f'rx="2" fill="{fill}" stroke="{look.color}"/>{glyph}</g>')
    out.append("</svg>")
    return "".join(out)


def _label_width(text: str) -> float:
    return 12 + 6.6 * min(len(text), 44)


def _clip(text: str, n: int = 44) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def graph_svg(graph: Graph) -> str:
    """The graph, laid out in layers, nodes coloured by state, objects white."""
    sizes = {n.id: (max(_label_width(n.label), _label_width(n.detail)), 38.0)
             for n in graph.nodes.values()}
    edges = [(e.source, e.target) for e in graph.edges]
    drawing = layout(sizes, edges)
    w, h = round(drawing.width), round(drawing.height)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" role="img" aria-label="why the verdicts were reached">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
           'fill="#57606a"/></marker></defs>']
    for e in graph.edges:
        a, b = drawing.boxes[e.source], drawing.boxes[e.target]
        (x1, y1), (x2, y2) = a.right, b.left
        if x2 <= x1:  # a back edge: leave from the left, come round
            (x1, y1), (x2, y2) = a.left, b.right
        mid = (x1 + x2) / 2
        dash = ' stroke-dasharray="5 4"' if e.dashed else ""
        out.append(
            f'<g class="edge"><path d="M {x1:.1f} {y1:.1f} C {mid:.1f} {y1:.1f} {mid:.1f} '
            f'{y2:.1f} {x2:.1f} {y2:.1f}" fill="none" stroke="#57606a" stroke-width="1.4"'
            f'{dash} marker-end="url(#arrow)"/><text x="{mid:.1f}" y="{(y1 + y2) / 2 - 4:.1f}" '
            f'text-anchor="middle" font-size="10" fill="#57606a" font-family="sans-serif" '
            f'stroke="#ffffff" stroke-width="3" paint-order="stroke">'
            f'{escape(e.label)}</text></g>')
    for n in graph.nodes.values():
        box = drawing.boxes[n.id]
        if n.cell is None:
            fill, stroke, ink, rx = "#ffffff", "#57606a", "#24292f", 16
        else:
            fill = stroke = LOOKS[n.cell].color
            ink, rx = "#ffffff", 4
        state = n.cell.value if n.cell else "object"
        out.append(
            f'<g class="node {state}" data-id="{escape(n.label)}"><title>'
            f'{escape(n.label)}: {escape(n.detail)}</title>'
            f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" '
            f'rx="{rx}" fill="{fill}" stroke="{stroke}"/>'
            f'<text x="{box.x + box.w / 2:.1f}" y="{box.y + 15:.1f}" text-anchor="middle" '
            f'font-size="11" font-weight="bold" fill="{ink}" {FONT}>'
            f'{escape(_clip(n.label))}</text>'
            f'<text x="{box.x + box.w / 2:.1f}" y="{box.y + 30:.1f}" text-anchor="middle" '
            f'font-size="11" fill="{ink}" {FONT}>{escape(_clip(n.detail))}</text></g>')
    out.append("</svg>")
    return "".join(out)
