"""Terminal output: the summary on one screen first, then the details.

``infer``: the headline and counts, the status strip and its legend, the findings with what to
do; then every version's verdict, why each verdict that was not plainly observed was reached,
the drift and, for bodies that differ, unified diffs. ``diff``: the differences and their
diffs. ``check``: a line per failure, then the strip. Everything is rendered from the JSON
contract's documents, fits the width (columns wrap names at their separators, rows are stacked
when no table fits) and is coloured only when asked.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.text import Text

from schemadiff.report import findings as words
from schemadiff.report.fit import Cell as TableCell
from schemadiff.report.fit import Col, fitted_table, wrap
from schemadiff.report.palette import CHANGE_COLORS, DIFF_COLORS, LOOKS, cell_of, cells
from schemadiff.report.strip import legend_text, strip_text
from schemadiff.report.terminal import console
from schemadiff.report.values import DriftRow, drift_rows, sentence

CONFIDENCE = {
    "observed": "observed",
    "inferred-from-dependency": "dependency",
    "inferred-from-order": "order",
    "unobservable": "unobservable",
}
RECORDED = {True: "yes", False: "no", None: "—"}


def infer_table(doc: dict[str, Any], width: int | None = None, color: bool | None = None) -> str:
    con, buf = console(width, color)
    _summary(con, doc)
    _migrations(con, doc)
    _reasons(con, doc)
    _drift(con, drift_rows(doc["drift"], doc), f"{len(doc['drift'])} drift item(s)")
    _unmodeled(con, doc)
    _ignored(con, doc)
    return _done(buf.getvalue())


def diff_table(doc: dict[str, Any], width: int | None = None, color: bool | None = None) -> str:
    con, buf = console(width, color)
    s = doc["summary"]
    if not doc["differences"]:
        con.print("No differences.")
    else:
        kinds = ", ".join(f"{s[k]} {k}" for k in ("missing", "extra", "changed", "renamed")
                          if s[k])
        _drift(con, drift_rows(doc["differences"]), f"{s['differences']} difference(s): {kinds}",
               gap=False)
    _unmodeled(con, doc)
    _ignored(con, doc)
    return _done(buf.getvalue())


def check_table(doc: dict[str, Any], width: int | None = None, color: bool | None = None) -> str:
    con, buf = console(width, color)
    for f in doc["failures"]:
        line = Text(f"FAIL {f['category']}: ", style="bold #cf222e")
        line.append(f["message"])
        con.print(line, soft_wrap=True)  # one line each: CI logs are grepped
    inference = doc["inference"]
    if not doc["failures"]:
        s = inference["summary"]
        con.print(f"ok: {s['applied']} applied, {s['pending']} pending; nothing fails "
                  f"{', '.join(doc['fail_on'])}", soft_wrap=True)
    for line in words.history_lines(inference):
        con.print(line, soft_wrap=True)
    _unmodeled(con, inference)
    _ignored(con, inference)
    con.print()
    all_cells = [c for _, _, c in cells(inference)]
    con.print(strip_text(all_cells, con.width), end="")
    con.print(legend_text(all_cells, con.width), end="")
    return _done(buf.getvalue())


# ------------------------------------------------------------------------------ infer parts


def _summary(con: Console, doc: dict[str, Any]) -> None:
    head = Text(f"schemadiff infer ({doc['tool']}): ", style="bold")
    head.append(words.headline(doc), style="bold")
    con.print(head)
    con.print(words.counts(doc))
    for line in words.history_lines(doc):
        con.print(line, soft_wrap=True)  # whole: a note names what to run
    con.print()
    all_cells = [c for _, _, c in cells(doc)]
    if all_cells:
        con.print(strip_text(all_cells, con.width), end="")
        con.print(legend_text(all_cells, con.width), end="")
    found = words.findings(doc)
    if found:
        con.print()
    for f in found:
        look = LOOKS[f.cell]
        body = Text(f"{len(f.versions)} {f.label}: ", style="bold")
        body.append(words.spans(f.versions, doc))
        con.print(_hang(Text(f"{look.glyph} ", style=look.color), body, con.width))
        for extra in (*f.detail, *([f"→ {f.action}"] if f.action else [])):
            con.print(_indent(extra, con.width))
    con.print()


def _indent(text: str, width: int) -> Text:
    return Text("\n".join("    " + line for line in wrap(text, max(20, width - 4))),
                style="dim")


def _migrations(con: Console, doc: dict[str, Any]) -> None:
    cols = [Col(""), Col("version", wrap=True), Col("name", wrap=True), Col("status"),
            Col("confidence", wrap=True), Col("recorded")]
    rows: list[list[TableCell]] = []
    for m in doc["migrations"]:
        look = LOOKS[cell_of(m, doc)]
        rows.append([
            (look.glyph, look.color),
            m["version"],
            m["name"],
            (m["status"], look.color),
            _confidence(m),
            RECORDED[m["recorded"]],
        ])
    _table_or_stack(con, cols, rows, None)


def _confidence(m: dict[str, Any]) -> str:
    out = CONFIDENCE.get(m["confidence"], m["confidence"])
    if m.get("witness"):
        out += f" ← {m['witness']}"
    if not m.get("proven", True):
        out += ", unproven"
    return out


def _reasons(con: Console, doc: dict[str, Any]) -> None:
    explained = [m for m in doc["migrations"] if m.get("reason")]
    if not explained:
        return
    con.print()
    con.print(Text("why", style="bold"))
    for m in explained:
        look = LOOKS[cell_of(m, doc)]
        body = Text(f"{m['version']} ", style="bold")
        body.append(f"{m['confidence']}: {m['reason']}")
        con.print(_hang(Text(f"{look.glyph} ", style=look.color), body, con.width))


# ------------------------------------------------------------------------------ drift


def _drift(con: Console, rows: list[DriftRow], title: str, gap: bool = True) -> None:
    """A table when every object name fits whole, else a sentence per item; then the diffs."""
    if not rows:
        return
    if gap:
        con.print()
    cols = [Col("object"), Col("change"), Col("attribute"), Col("expected", wrap=True),
            Col("actual", wrap=True), Col("migration"), Col("explained by", wrap=True)]
    cells_: list[list[TableCell]] = []
    for r in rows:
        color = CHANGE_COLORS.get(r.change, "")
        expected, actual = ("diff below", "diff below") if r.diff else (r.expected, r.actual)
        cells_.append([r.title, (r.change, color), r.attribute, expected, actual, r.migration,
                       r.note])
    keep = [i for i, _ in enumerate(cols) if i < 2 or any(_plain(row[i]) for row in cells_)]
    table = fitted_table([cols[i] for i in keep], [[row[i] for i in keep] for row in cells_],
                         con.width, title)
    if table is not None:
        con.print(table, end="", soft_wrap=True)
    else:
        con.print(Text(title, style="bold"))
        for r in rows:
            what, said = sentence(r)
            _, _, rest = said.partition(r.change)
            con.print(_hang(Text("• "), Text(f"{what} ", style="bold")
                            + Text(r.change, style=CHANGE_COLORS.get(r.change, "")) + rest,
                            con.width))
    for r in rows:
        if not r.diff:
            continue
        con.print()
        head = Text(f"{r.title} {r.attribute}", style="bold")
        if r.note:
            head.append(f" ({r.note})")
        con.print(head)
        for line in r.diff:
            con.print(Text(line, style=DIFF_COLORS.get(line[:1], "")), overflow="fold")


def _plain(cell: TableCell) -> str:
    return cell if isinstance(cell, str) else cell[0]


def _table_or_stack(con: Console, cols: list[Col], rows: list[list[TableCell]],
                    title: str | None) -> None:
    table = fitted_table(cols, rows, con.width, title)
    if table is not None:
        con.print(table, end="", soft_wrap=True)
        return
    # too narrow for any table: a line per row, its cells after the first two labelled
    if title:
        con.print(Text(title, style="bold"))
    for row in rows:
        head = Text()
        for i, cell in enumerate(row):
            value, style = (cell, "") if isinstance(cell, str) else cell
            if not value:
                continue
            label = "" if i < 2 else f"{cols[i].header}: "
            head.append(("" if i == 0 else "  ") + label)
            head.append(value, style=style)
        con.print(_hang(Text(), head, con.width))


def _hang(prefix: Text, body: Text, width: int) -> Text:
    """``prefix`` then ``body`` wrapped at separators, continuation lines indented."""
    indent = max(2, prefix.cell_len)
    room = max(20, width - indent)
    plain = body.plain
    out = prefix.copy()
    offset = 0
    for i, line in enumerate(wrap(plain, room) if plain else [""]):
        start = plain.index(line, offset) if line else offset
        if i:
            out.append("\n" + " " * indent)
        out.append_text(body[start : start + len(line)])
        offset = start + len(line)
    return out


_TAIL = re.compile(r"(?:[ \t]|\x1b\[[0-9;]*m)+$")


def _done(text: str) -> str:
    """The output without the spaces rich pads lines with (styles closed where a cut tail
    held an escape)."""
    out = []
    for line in text.split("\n"):
        tail = _TAIL.search(line)
        if tail:
            line = line[: tail.start()] + ("\x1b[0m" if "\x1b" in tail.group() else "")
        out.append(line)
    return "\n".join(out)


def _ignored(con: Console, doc: dict[str, Any]) -> None:
    lines = words.ignored_lines(doc)
    if lines:
        con.print()
    for count, rule in lines:
        con.print(Text(f"{count} `{rule}`", style="dim"), soft_wrap=True)


def _unmodeled(con: Console, doc: dict[str, Any]) -> None:
    lines = words.unmodeled_lines(doc)
    if lines:
        con.print()
    for line in lines:
        con.print(Text(line, style="#bf8700"), soft_wrap=True)


def verify_table(doc: dict[str, Any], width: int | None = None) -> str:
    """The ``verify`` report for people, from its document."""
    times = ", ".join(f"{k} {v:.2f}s" for k, v in doc["timings"].items())
    total, tool, shadow = doc["migrations"], doc["tool"], doc["shadow"]
    lines = [f"shadow: {d['file']}:{d['line']}: {d['message']}" for d in doc["shadow_diagnostics"]]
    first = doc["first_difference"]
    if doc["agree"]:
        lines.append(f"ok: the static replay and the shadow ({shadow}) agree after each of the "
                     f"{total} {tool} migrations ({times})")
        return "\n".join(lines) + "\n"
    if first is None:  # stopped before the end without a difference (not expected)
        lines.append(f"compared {doc['compared']} of {total} migrations; no difference")
        return "\n".join(lines) + "\n"
    lines.append(
        f"DIFFER after migration {first['position']} of {total}: {first['version']} "
        f"{first['name']} ({first['file']}); agreed on the {first['position'] - 1} before it "
        f"({times})"
    )
    lines.append("expected = static replay, actual = shadow database")
    changes = [d["change"] for d in first["differences"]]
    summary = {"differences": len(changes), "unmodeled": len(first["unmodeled"]),
               **{c: changes.count(c) for c in ("missing", "extra", "changed", "renamed")}}
    unmodeled = [{**u, "statement": ""} for u in first["unmodeled"]]
    diffs = {"differences": first["differences"], "unmodeled": unmodeled, "summary": summary}
    return "\n".join(lines) + "\n" + diff_table(diffs, width, color=False)
