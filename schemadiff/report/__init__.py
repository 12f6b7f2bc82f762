"""Renderings for people, from the JSON contract's documents (:mod:`schemadiff.contract`).

- :mod:`~schemadiff.report.table`: the terminal (rich, fitted to the width, coloured on a TTY);
- :mod:`~schemadiff.report.markdown`: GitHub-flavoured markdown for pull-request comments, with
  a Mermaid graph of the verdicts that were not plainly observed;
- :mod:`~schemadiff.report.html`: one self-contained page (inline SVG and CSS, no network) for
  incident reviews.

They share :mod:`~schemadiff.report.palette` (a version's state, glyph and colour),
:mod:`~schemadiff.report.findings` (the summary in words), :mod:`~schemadiff.report.values`
(drift items and diffs of long values) and :mod:`~schemadiff.report.graph` (which verdicts and
edges a graph shows). Rendering is pure: documents in, strings out.
"""

from __future__ import annotations

from schemadiff.report.html import infer_html
from schemadiff.report.markdown import check_markdown, diff_markdown, infer_markdown
from schemadiff.report.table import check_table, diff_table, infer_table

__all__ = [
    "check_markdown",
    "check_table",
    "diff_markdown",
    "diff_table",
    "infer_html",
    "infer_markdown",
    "infer_table",
]
