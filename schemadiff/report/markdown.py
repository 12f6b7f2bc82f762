"""GitHub-flavoured markdown for pull-request comments: valid whatever the values hold.

Every value goes into a table as a code span (backtick fences longer than any backtick run
it holds, ``|`` escaped as the GFM table extension requires) and never spans lines: a value of
several lines, or too long for a cell, is shown below the table as a fenced block (a unified
diff for two sides of a change) inside ``<details>``, whose summary is escaped HTML. Free text
has its markdown punctuation escaped. The summary comes first: the headline, the strip, the
findings; the graph of the verdicts that were not plainly observed (Mermaid, drawn by GitHub),
the drift and every verdict follow.
"""

from __future__ import annotations

import html
import re
from typing import Any

from schemadiff.report import findings as words
from schemadiff.report.graph import verdict_graph
from schemadiff.report.mermaid import flowchart
from schemadiff.report.palette import LOOKS, cell_of, cells
from schemadiff.report.strip import legend, strip_plain
from schemadiff.report.values import DriftRow, drift_rows, is_long

#: The strip in a comment: GitHub's code blocks are about this wide before they scroll.
STRIP_WIDTH = 75
#: What could start emphasis, code, a link, HTML, an entity, a strikethrough or end a cell.
_PUNCT = re.compile(r"([\\`*_\[\]<>|~&])")


def esc(text: str) -> str:
    """Free text with markdown's punctuation escaped (one line)."""
    return _PUNCT.sub(r"\\\1", " ".join(str(text).split("\n")))


def prose(text: str) -> str:
    """Free text whose backtick-quoted parts (commands) become code spans."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: all of it is text
        return esc(text)
    return "".join(code(p) if i % 2 else esc(p) for i, p in enumerate(parts))


def code(text: str) -> str:
    """A code span, safe in a table cell; empty for empty text."""
    text = " ".join(str(text).split("\n"))
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (
        text.startswith(" ") and text.endswith(" ") and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def fenced(body: str, info: str = "") -> str:
    """A fenced code block longer than any backtick fence inside it."""
    longest = max((len(run) for run in re.findall(r"^\s*(`{3,})", body, re.M)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body.rstrip(chr(10))}\n{fence}"


def details(summary: str, body: str) -> str:
    """A collapsed block: the summary as escaped HTML, the body markdown."""
    return f"<details>\n<summary>{html.escape(summary)}</summary>\n\n{body}\n\n</details>"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A GFM table; cells are already inline markdown on one line."""
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


# ------------------------------------------------------------------------------ documents


def infer_markdown(doc: dict[str, Any]) -> str:
    out = [f"### schemadiff infer ({esc(doc['tool'])}): {esc(words.headline(doc))}", ""]
    out += _infer_body(doc)
    return "\n".join(out).rstrip("\n") + "\n"


def check_markdown(doc: dict[str, Any]) -> str:
    verdict = "passed" if doc["ok"] else "FAILED"
    out = [f"### schemadiff check: {verdict}", ""]
    for f in doc["failures"]:
        out.append(f"- **{esc(f['category'])}**: {prose(f['message'])}")
    if not doc["failures"]:
        out.append(f"Nothing fails {esc(', '.join(doc['fail_on']))}.")
    out.append("")
    out += _infer_body(doc["inference"])
    return "\n".join(out).rstrip("\n") + "\n"


def diff_markdown(doc: dict[str, Any]) -> str:
    s = doc["summary"]
    if not doc["differences"]:
        out = ["### schemadiff diff: no differences", ""]
    else:
        kinds = ", ".join(f"{s[k]} {k}" for k in ("missing", "extra", "changed", "renamed")
                          if s[k])
        out = [f"### schemadiff diff: {s['differences']} difference(s) ({kinds})", ""]
        out += _drift(drift_rows(doc["differences"]))
    out += _unmodeled(doc)
    out += _ignored(doc)
    return "\n".join(out).rstrip("\n") + "\n"


# ------------------------------------------------------------------------------ parts


def _infer_body(doc: dict[str, Any]) -> list[str]:
    out = [f"**{esc(doc['tool'])}** · {esc(words.counts(doc))}", ""]
    out += [*(f"- {prose(line)}" for line in words.history_lines(doc)), ""]
    all_cells = [c for _, _, c in cells(doc)]
    if all_cells:
        out += [fenced(strip_plain(all_cells, STRIP_WIDTH), "text"), ""]
        out += [" · ".join(f"{code(LOOKS[c].glyph)} {n} {esc(LOOKS[c].label)}"
                           for c, n in legend(all_cells)), ""]
    found = words.findings(doc)
    if found:
        rows = []
        for f in found:
            todo = "<br>".join(prose(line) for line in f.detail)
            action = prose(f.action)
            rows.append([
                code(LOOKS[f.cell].glyph),
                f"{len(f.versions)} {esc(f.label)}",
                code(words.spans(f.versions, doc)),
                "<br>".join(part for part in (todo, action) if part),
            ])
        out += [table(["", "finding", "versions", "what to do"], rows), ""]
    graph = verdict_graph(doc)
    if graph:
        out += ["#### Why: the verdicts that were not plainly observed", ""]
        out += [fenced(flowchart(graph), "mermaid"), ""]
        if graph.left_out:
            out += [f"_{graph.left_out} more edge(s) not drawn: the graph shows at most "
                    f"{len(graph.nodes)} nodes; `--format json` has them all._", ""]
        reasons = [m for m in doc["migrations"] if m.get("reason")]
        out += [f"- {code(m['version'])} {esc(m['confidence'])}: {esc(m['reason'])}"
                for m in reasons]
        out.append("")
    if doc["drift"]:
        out += [f"#### Drift ({len(doc['drift'])})", ""]
        out += _drift(drift_rows(doc["drift"], doc))
    out += _migrations(doc)
    out += _unmodeled(doc)
    out += _ignored(doc)
    return out


def _drift(rows: list[DriftRow]) -> list[str]:
    headers = ["object", "change", "attribute", "expected", "actual", "migration",
               "explained by"]
    cells_, blocks = [], []
    for r in rows:
        expected, actual = r.expected, r.actual
        if r.diff or is_long(expected) or is_long(actual):
            expected = actual = "diff below" if r.diff else "below"
            expected, actual = f"_{expected}_", f"_{actual}_"
            body = fenced("\n".join(r.diff), "diff") if r.diff else (
                "expected (migrations):\n\n" + fenced(r.expected) + "\n\nactual (database):\n\n"
                + fenced(r.actual))
            blocks.append(details(f"{r.title} {r.attribute}".rstrip()
                                  + (f" ({r.note})" if r.note else ""), body))
        else:
            expected, actual = code(expected), code(actual)
        cells_.append([f"{esc(r.kind)} {code(r.object)}", esc(r.change), code(r.attribute),
                       expected, actual, code(r.migration), esc(r.note)])
    keep = [i for i in range(len(headers)) if i < 2 or any(row[i] for row in cells_)]
    out = [table([headers[i] for i in keep], [[row[i] for i in keep] for row in cells_]), ""]
    for block in blocks:
        out += [block, ""]
    return out


def _migrations(doc: dict[str, Any]) -> list[str]:
    if not doc["migrations"]:
        return []
    rows = []
    for m in doc["migrations"]:
        confidence = m["confidence"]
        if m.get("witness"):
            confidence += f" ← {m['witness']}"
        if not m.get("proven", True):
            confidence += ", unproven"
        recorded = {True: "yes", False: "no", None: "—"}[m["recorded"]]
        rows.append([code(LOOKS[cell_of(m, doc)].glyph), code(m["version"]), esc(m["name"]),
                     esc(m["status"]), esc(confidence), recorded])
    body = table(["", "version", "name", "status", "confidence", "recorded"], rows)
    return [details(f"All {len(rows)} migrations", body), ""]


def _ignored(doc: dict[str, Any]) -> list[str]:
    lines = words.ignored_lines(doc)
    if not lines:
        return []
    return [*(f"- {esc(count)} {code(rule)}" for count, rule in lines), ""]


def _unmodeled(doc: dict[str, Any]) -> list[str]:
    lines = words.unmodeled_lines(doc)
    if not lines:
        return []
    return [esc(lines[0]), "", *(f"- {code(line.strip())}" for line in lines[1:]), ""]
