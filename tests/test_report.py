"""The renderings for people (issue 20): widths, colour, names that never fold, markdown that
stays valid GFM for any value, the strip's alphabet, the graph's cap and layout."""

from __future__ import annotations

import itertools
import os
import re
from typing import Any

import pytest

from report_cases import CASES, cli, document
from schemadiff import report
from schemadiff.report import fit, graph, layout, mermaid, palette, strip, terminal
from schemadiff.report.values import drift_row
from test_report_golden import gfm

ANSI = re.compile(r"\x1b\[[0-9;]*m")

# ------------------------------------------------------------------------------ width, colour


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("COLUMNS", "NO_COLOR", "FORCE_COLOR", "TERM")}
    return {**env, **extra}


def _laid_out(lines: list[str]) -> list[str]:
    """The lines fitted to the width: all but the history's notes, which stay whole (they
    name commands to run and are grepped in CI logs; the terminal wraps them)."""
    return [line for line in lines if not line.startswith("history")]


@pytest.mark.parametrize("columns", [60, 100, 200])
def test_cli_table_fits_columns(columns: int) -> None:
    proc = cli("infer", *CASES["damaged"], env=_env(COLUMNS=str(columns)))
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(map(len, _laid_out(lines))) <= columns
    if columns >= 100:  # wide enough for every name whole: the drift is a table
        assert any(line.startswith("function public.touch_updated_at()") for line in lines)
    assert "\x1b[" not in proc.stdout  # a pipe: never colour


@pytest.mark.parametrize(
    ("env", "color"),
    [({}, False), ({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
     ({"NO_COLOR": ""}, False), ({"FORCE_COLOR": "1", "TERM": "dumb"}, False)],
    ids=["pipe", "force", "no-color-wins", "empty-no-color", "dumb-wins"],
)
def test_colour_follows_the_environment(env: dict[str, str], color: bool) -> None:
    proc = cli("infer", *CASES["damaged"], env=_env(COLUMNS="120", **env))
    assert ("\x1b[" in proc.stdout) is color
    assert ANSI.sub("", proc.stdout).splitlines()[0].startswith("schemadiff infer (goose)")


def test_coloured_and_plain_say_the_same() -> None:
    doc = document("infer", "damaged")
    plain = report.infer_table(doc, width=120, color=False)
    coloured = report.infer_table(doc, width=120, color=True)
    assert "\x1b[" in coloured and ANSI.sub("", coloured) == plain


def test_out_file_is_never_coloured(tmp_path: Any) -> None:
    out = tmp_path / "r.txt"
    proc = cli("infer", *CASES["damaged"], "--out", str(out), env=_env(FORCE_COLOR="1"))
    assert proc.returncode == 1 and "\x1b[" not in out.read_text()


def test_wants_color_on_a_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    assert terminal.wants_color(Tty())  # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "1")
    assert not terminal.wants_color(Tty())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("public.login_attempts_ip_address_created_at_idx", 20,
         ["public.login_", "attempts_ip_address_", "created_at_idx"]),
        ("create_service_consent_requirements", 25, ["create_service_consent_", "requirements"]),
        ("character varying(255)", 12, ["character", "varying(255)"]),
        ("short", 40, ["short"]),
        ("a\nb", 10, ["a", "b"]),
    ],
)
def test_names_wrap_at_separators(text: str, width: int, lines: list[str]) -> None:
    assert fit.wrap(text, width) == lines


def test_a_table_never_folds_a_piece() -> None:
    rows = [["public.login_attempts_ip_address_created_at_idx", "x"]]
    cols = [fit.Col("object", wrap=True), fit.Col("v")]
    for width in (13, 20, 30):
        widths = fit.fit_widths(cols, rows, width)
        assert widths is not None and widths[0] >= len("attempts_")  # the longest piece
        assert all(len(line) <= widths[0] for line in fit.wrap(rows[0][0], widths[0]))
    assert fit.fit_widths(cols, rows, 12) is None  # narrower than a piece: no table


def test_terminal_stacks_rows_when_no_table_fits() -> None:
    text = report.infer_table(document("infer", "damaged"), width=50, color=False)
    assert all(len(line) <= 50 for line in _laid_out(text.splitlines()))
    assert "• function public.touch_updated_at() body" in text
    assert "changed (set by 2): re-run of 2," in text


# ------------------------------------------------------------------------------ values


def test_internal_field_names_never_show() -> None:
    item = {"kind": "composite", "object": "public.money", "change": "changed",
            "attribute": "attributes_", "expected": [["a", "int"]], "actual": [["a", "text"]],
            "migration": "3"}
    doc = {"format_version": 1, "command": "diff", "differences": [item], "unmodeled": [],
           "summary": {"differences": 1, "missing": 0, "extra": 0, "changed": 1, "renamed": 0,
                       "unmodeled": 0}}
    for text in (report.diff_table(doc, width=120, color=False), report.diff_markdown(doc)):
        assert "attributes_" not in text and "attributes" in text


def test_a_changed_body_is_a_unified_diff() -> None:
    row = drift_row({"kind": "function", "object": "public.f()", "change": "changed",
                     "attribute": "body", "expected": "BEGIN\n  RETURN 1;\nEND",
                     "actual": "BEGIN\n  RETURN 2;\nEND", "migration": "4"})
    assert row.diff == ("--- expected (migrations)", "+++ actual (database)", "@@ -1,3 +1,3 @@",
                        " BEGIN", "-  RETURN 1;", "+  RETURN 2;", " END")


HOSTILE = ["a|b", "`tick`", "``x` y``", "<script>alert(1)</script>", "*not emphasis*",
           "back\\slash", "[link](http://x)", "# heading", "&amp;", "ends with \\", "_x_"]


def test_markdown_holds_any_value() -> None:
    """cmark-gfm renders each value in its cell exactly, and long or multi-line values in
    fenced blocks inside <details>."""
    items = [{"kind": "column", "object": f"public.t.{v}", "change": "changed",
              "attribute": "default", "expected": v, "actual": v + "!", "migration": "1"}
             for v in HOSTILE]
    multi = "line one | with a pipe\n```\nfenced inside\n```\n<b>bold</b>"
    items.append({"kind": "function", "object": "public.f()", "change": "changed",
                  "attribute": "body", "expected": multi, "actual": multi + "\nmore",
                  "migration": "2"})
    doc = {"format_version": 1, "command": "diff", "differences": items, "unmodeled": [],
           "summary": {"differences": len(items), "missing": 0, "extra": 0,
                       "changed": len(items), "renamed": 0, "unmodeled": 0}}
    parsed = gfm(report.diff_markdown(doc))
    (table,) = parsed.tables
    header, *rows = table
    assert header == ["object", "change", "attribute", "expected", "actual", "migration",
                      "explained by"][: len(header)]
    for value, row in zip(HOSTILE, rows):
        assert row[0] == f"column public.t.{value}"
        assert (row[3], row[4]) == (value, value + "!")
    assert rows[-1][3] == "diff below"
    (diff,) = [text for lang, text in parsed.pre if lang == "diff"]
    assert "-line one | with a pipe" not in diff  # unchanged lines are context
    assert "+more" in diff and " ```" in diff and " <b>bold</b>" in diff


# ------------------------------------------------------------------------------ strip


def test_strip_alphabet_is_unambiguous() -> None:
    """Each glyph names one state, except the two 'applied' states that never meet (with and
    without a history)."""
    glyphs: dict[str, set[palette.Cell]] = {}
    for cell, look in palette.LOOKS.items():
        glyphs.setdefault(look.glyph, set()).add(cell)
    shared = [cells for cells in glyphs.values() if len(cells) > 1]
    assert shared == [{palette.Cell.RECORDED, palette.Cell.APPLIED}]
    assert len({look.color for look in palette.LOOKS.values()}) == len(palette.LOOKS) - 1


@pytest.mark.parametrize(("width", "cells"), [(80, 60), (160, 140), (10, 10), (16, 10)])
def test_strip_rows_fill_the_width(width: int, cells: int) -> None:
    assert strip.per_row(width) == cells
    text = strip.strip_plain([palette.Cell.RECORDED] * 300, width)
    assert all(len(line) <= max(width, 5 + 10) for line in text.splitlines())
    assert sum(line.count("█") for line in text.splitlines()) == 300


def test_cells_of_every_kind() -> None:
    doc = document("infer", "damaged")
    doc["recorded_not_in_code"] = ["99"]
    doc["checksum_mismatch"] = ["2"]
    got = {v: c for v, _, c in palette.cells(doc)}
    C = palette.Cell
    assert [got[v] for v in ("1", "2", "4", "8", "11", "13", "14", "99")] == [
        C.RECORDED, C.CHECKSUM, C.UNVERIFIED, C.PARTIAL, C.BACKFILL, C.PHANTOM, C.PENDING,
        C.UNKNOWN]


def test_a_history_of_300_fits_a_screen() -> None:
    doc = document("infer", "incident")
    many = [dict(m, version=f"{i:05d}") for i, m in enumerate(doc["migrations"] * 10)][:300]
    doc = dict(doc, migrations=many, missing_from_history=[])
    text = report.infer_table(doc, width=80, color=False)
    strip_lines = [line for line in text.splitlines() if re.match(r"^ {0,3}\d+ [█+·]", line)]
    assert len(strip_lines) == 5  # 300 cells, 60 a row


# ------------------------------------------------------------------------------ graph


def test_graph_shows_witnesses_and_pending_creators() -> None:
    g = graph.verdict_graph(document("infer", "damaged"))
    labels = {(g.nodes[e.source].label, e.label, g.nodes[e.target].label) for e in g.edges}
    assert ("12", "dependency", "11") in labels
    assert ("14", "would create", "table public.coupons") in labels
    assert ("2", "undid", "7") in labels
    assert "1" not in {n.label for n in g.nodes.values()}  # plainly observed: not drawn


def test_graph_is_capped_and_says_so() -> None:
    doc = document("infer", "damaged")
    g = graph.verdict_graph(doc, limit=4)
    assert len(g.nodes) <= 4 and g.left_out > 0
    # 60 versions, each placed by the order from the one after it: more than GitHub should draw
    doc = document("infer", "incident")
    migrations = [dict(m, version=f"{i:03d}") for i, m in enumerate(doc["migrations"] * 2)][:60]
    for m, after in itertools.pairwise(migrations):
        m.update(confidence="inferred-from-order", proven=False, witness=after["version"])
    doc = dict(doc, migrations=migrations, missing_from_history=[])
    markdown = report.infer_markdown(doc)
    flow = markdown.split("```mermaid\n")[1].split("```")[0]
    assert flow.count('"]:::') == 40 and flow.count(" -->|") == 39  # nodes, edges drawn
    assert "_20 more edge(s) not drawn: the graph shows at most 40 nodes" in markdown
    assert graph.verdict_graph(document("infer", "incident")).nodes == {}


def test_mermaid_labels_are_escaped() -> None:
    g = graph.Graph()
    g.nodes["o0"] = graph.Node("o0", 'view "x"<y>#1', "changed", None)
    text = mermaid.flowchart(g)
    assert 'o0("view #quot;x#quot;#lt;y#gt;#35;1<br/>changed"):::object' in text


def test_layout_layers_edges_forward_without_overlap() -> None:
    nodes = {n: (80.0, 30.0) for n in "abcdef"}
    edges = [("a", "b"), ("b", "c"), ("a", "d"), ("e", "c"), ("c", "a")]  # c->a closes a cycle
    drawing = layout.layout(nodes, edges)
    boxes = drawing.boxes
    assert boxes["a"].x < boxes["b"].x < boxes["c"].x
    for m, n in ((m, n) for m in boxes for n in boxes if m < n):
        a, b = boxes[m], boxes[n]
        assert (a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y)
    assert all(b.x + b.w <= drawing.width and b.y + b.h <= drawing.height
               for b in boxes.values())
