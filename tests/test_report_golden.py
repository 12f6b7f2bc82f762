"""Golden outputs of the renderings (issue 20): the terminal table at 80 and 160 columns,
the markdown of a pull-request comment (checked by GitHub's own parser, cmark-gfm) and the
HTML page, for the goose incident and the damaged history.

Regenerate after an intended change: ``SCHEMADIFF_UPDATE_GOLDEN=1 pytest tests/test_report_golden.py``
and read the diff of ``tests/golden/``.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from report_cases import CASES, cli, document
from schemadiff import report

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SCHEMADIFF_UPDATE_GOLDEN") == "1"


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden {name}: run with SCHEMADIFF_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} differs from its golden (SCHEMADIFF_UPDATE_GOLDEN=1 to accept)"
    )


@pytest.mark.parametrize("width", [80, 160])
@pytest.mark.parametrize("case", list(CASES))
def test_infer_table(case: str, width: int) -> None:
    text = report.infer_table(document("infer", case), width=width, color=False)
    assert "\x1b[" not in text
    laid_out = [line for line in text.splitlines() if not line.startswith("history")]
    assert all(len(line) <= width for line in laid_out), max(laid_out, key=len)
    _golden(f"infer-{case}-{width}.txt", text)


@pytest.mark.parametrize("case", list(CASES))
def test_infer_markdown(case: str) -> None:
    text = report.infer_markdown(document("infer", case))
    _golden(f"infer-{case}.md", text)
    gfm_tables(text)  # every table parses as one, row for row


@pytest.mark.parametrize("case", list(CASES))
def test_check_markdown(case: str) -> None:
    text = report.check_markdown(document("check", case))
    _golden(f"check-{case}.md", text)
    gfm_tables(text)


@pytest.mark.parametrize("case", list(CASES))
def test_infer_html(case: str) -> None:
    """The page the command writes: the strip, the graph, the drift and the repair."""
    proc = cli("infer", *CASES[case], "--format", "html")
    assert proc.returncode == 1, proc.stderr
    _golden(f"infer-{case}.html", proc.stdout)
    well_formed(proc.stdout)
    assert 'id="repair"' in proc.stdout


# ------------------------------------------------------------------------------ validators


class _Tables(HTMLParser):
    """The tables of rendered HTML: rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None
        self.pre: list[tuple[str, str]] = []  # (class, text) of code blocks
        self._code: list[str] | None = None
        self._lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "pre":
            self._code, self._lang = [], dict(attrs).get("lang") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "pre" and self._code is not None:
            self.pre.append((self._lang, "".join(self._code)))
            self._code = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        if self._code is not None:
            self._code.append(data)


def gfm(text: str) -> _Tables:
    """``text`` rendered by cmark-gfm (GitHub's parser) with its table extension, parsed."""
    import cmarkgfm
    from cmarkgfm.cmark import Options

    rendered = cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)
    parsed = _Tables()
    parsed.feed(rendered)
    return parsed


def gfm_tables(text: str) -> _Tables:
    """Every markdown table (lines starting with ``|``) renders as a table whose rows all have
    the header's cell count; nothing of a table leaks out as text."""
    parsed = gfm(text)
    blocks = [b for b in text.split("\n\n") if b.startswith("| ")]
    assert len(parsed.tables) == len(blocks)
    for table, block in zip(parsed.tables, blocks):
        assert len(table) == len(block.splitlines()) - 1  # the delimiter row is not a row
        assert all(len(row) == len(table[0]) for row in table), table
    return parsed


def well_formed(page: str) -> None:
    """The page's tags balance, and each inline SVG is well-formed XML."""
    class Balance(HTMLParser):
        VOID = {"meta", "br", "img", "input", "link", "hr", "path", "rect"}

        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag not in self.VOID:
                self.stack.append(tag)

        def handle_startendtag(self, tag: str, attrs: object) -> None:
            pass

        def handle_endtag(self, tag: str) -> None:
            assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
            self.stack.pop()

    b = Balance()
    b.feed(page)
    assert b.stack == []
    start = 0
    while (i := page.find("<svg", start)) >= 0:
        end = page.index("</svg>", i) + len("</svg>")
        ET.fromstring(page[i:end])
        start = end
