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

import importlib
from typing import Any

#: Public renderers and the module holding each: imported on first use, so that a
#: ``--format json`` run never imports rich (a warm run's budget, tests/test_cache.py).
_WHERE = {
    "check_markdown": "markdown",
    "check_table": "table",
    "diff_markdown": "markdown",
    "diff_table": "table",
    "infer_html": "html",
    "infer_markdown": "markdown",
    "infer_table": "table",
    "verify_table": "table",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'schemadiff.report' has no attribute {name!r}")
    return getattr(importlib.import_module(f"schemadiff.report.{module}"), name)
