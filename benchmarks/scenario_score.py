"""Scoring one ``schemadiff infer --format json`` against a scenario's truth.

Per run:

- ``wrong``: versions whose status differs from the truth; a version the schema cannot decide
  in that scenario (:func:`scenario_design.provable`) is not wrong when it is reported
  unproven and not in ``missing_from_history``;
- ``wrong observed``: wrong versions claimed proven (``proven``, else ``confidence ==
  observed`` on outputs without that key);
- ``unsafe records``: versions in ``missing_from_history`` (what ``sync`` records by default)
  that never ran completely (pending or partial);
- ``unsafe prunes``: proven versions in ``recorded_not_applied`` (what ``sync --prune``
  deletes: ``repair.plan`` prunes proven verdicts only) that ran (applied or partial);
- findings exact: ``missing_from_history`` together with ``unverified`` is every applied,
  unrecorded version (each the schema decides in ``missing_from_history``),
  ``recorded_not_applied`` every recorded pending one, ``partial`` (with its statements and
  pattern), ``recorded_not_in_code`` and the drift (a ``renamed`` item, re-run explanations)
  as constructed -- versions the schema cannot decide left out of the lists.

The JSON keys added by the safe-repair contract (``proven``, ``unverified``, ``pattern``,
``explained_by``) are read with ``.get``, so older output is scored too (and fails where the
contract needs them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scenario_design import Scenario


@dataclass
class Outcome:
    corpus: str
    scenario: str
    source: str
    versions: int = 0
    wrong: list[str] = field(default_factory=list)
    wrong_observed: int = 0
    unsafe_record: list[str] = field(default_factory=list)
    unsafe_prune: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    e2e: str = ""  # end-to-end verdict ("" = not run)
    e2e_ok: bool = True
    skipped: str = ""

    @property
    def exact(self) -> bool:
        return not (self.wrong or self.problems or self.unsafe_record or self.unsafe_prune)


def _proven(m: dict[str, Any]) -> bool:
    if "proven" in m:
        return bool(m["proven"])
    return m.get("confidence") == "observed"


def score(corpus: str, sc: Scenario, source: str, doc: dict[str, Any], recorded: list[str],
          decidable: set[str], seconds: float) -> Outcome:
    """Score ``doc`` (infer's JSON) for scenario ``sc``; ``recorded`` is the history as the
    tool reads it, ``decidable`` the versions the schema can decide (see ``provable``)."""
    out = Outcome(corpus, sc.name, source, len(doc["migrations"]), seconds=seconds)
    truth = sc.truth
    missing = list(doc.get("missing_from_history", []))
    unverified = list(doc.get("unverified", []))
    not_applied = list(doc.get("recorded_not_applied", []))
    by_version = {m["version"]: m for m in doc["migrations"]}
    for m in doc["migrations"]:
        v, status = m["version"], m["status"]
        want = truth.get(v)
        if status == want:
            continue
        if v not in decidable and not _proven(m) and v not in missing:
            continue  # the schema cannot tell, and the report says so
        out.wrong.append(f"{v}:{status}({m.get('confidence', '?')[:3]})")
        out.wrong_observed += _proven(m)
    unknown = sorted(set(truth) - set(by_version))
    if unknown:
        out.problems.append(f"versions not reported: {' '.join(unknown[:4])}")
    out.unsafe_record = [v for v in missing if truth.get(v) != "applied"]
    out.unsafe_prune = [v for v in not_applied if truth.get(v) in ("applied", "partial")
                        and _proven(by_version.get(v, {}))]

    rec = set(recorded)
    want_backfill = {v for v, t in truth.items() if t == "applied" and v not in rec}
    got_backfill = set(missing) | set(unverified)
    if (got_backfill & decidable) != (want_backfill & decidable):
        extra = sorted((got_backfill - want_backfill) & decidable)
        lack = sorted((want_backfill - got_backfill) & decidable)
        out.problems.append(f"backfill +{extra[:3]} -{lack[:3]}")
    else:
        unproven = sorted((want_backfill & decidable) - set(missing))
        if unproven:
            out.problems.append(f"decidable but only unverified: {unproven[:3]}")
    want_rna = {v for v in rec if truth.get(v) == "pending"} & decidable
    got_rna = set(not_applied) & decidable
    if got_rna != want_rna:
        out.problems.append(f"recorded_not_applied +{sorted(got_rna - want_rna)[:3]} "
                            f"-{sorted(want_rna - got_rna)[:3]}")
    want_partial = {v for v, t in truth.items() if t == "partial"}
    if set(doc.get("partial", [])) != want_partial:
        out.problems.append(f"partial {doc.get('partial')}!={sorted(want_partial)}")
    for v, (ran, not_run, pattern) in sc.expect.partial.items():
        st = by_version.get(v, {}).get("statements") or {}
        present, absent = set(st.get("present", [])), set(st.get("absent", []))
        if not present or not absent or not present <= ran or not absent <= not_run:
            out.problems.append(f"{v} statements {sorted(present)[:3]}/{sorted(absent)[:3]} "
                                f"!= {sorted(ran)[:3]}/{sorted(not_run)[:3]}")
        if st.get("pattern") != pattern:
            out.problems.append(f"{v} pattern {st.get('pattern')}!={pattern}")
    want_unknown = [v for v in recorded if v not in truth]
    if list(doc.get("recorded_not_in_code", [])) != want_unknown:
        out.problems.append(f"recorded_not_in_code {doc.get('recorded_not_in_code')}")
    out.problems += _drift_problems(sc, doc.get("drift", []), source)
    return out


def _drift_problems(sc: Scenario, drift: list[dict[str, Any]], source: str) -> list[str]:
    expect = sc.expect
    # the scenarios' pg_dump files are --no-privileges: they cannot show a privilege's drift
    wanted = expect.drift if source != "file" else {
        item for item in expect.drift if not item.startswith("privilege ")}
    items = {f"{d['kind']} {d['object']}" for d in drift}
    if expect.renamed is not None:
        old, new = expect.renamed
        renamed = [d for d in drift if d.get("change") == "renamed"]
        ok = (len(drift) == 1 and len(renamed) == 1 and renamed[0]["object"] == old
              and str(renamed[0].get("actual") or "").rsplit(".", 1)[-1] == new)
        return [] if ok else [f"renamed: {len(drift)} drift item(s), want one `renamed` {old} "
                              f"-> {new}; got {sorted(items)[:3]}"]
    problems = []
    if items != wanted:
        extra, lack = sorted(items - wanted), sorted(wanted - items)
        problems.append(f"drift +{extra[:3]} -{lack[:3]}")
    if expect.rerun is not None:
        version, undone = expect.rerun
        for d in drift:
            why = d.get("explained_by") or {}
            undoes = set(why.get("undoes") or [])
            if why.get("rerun") != version or not undoes or not undoes <= undone:
                problems.append(f"drift {d['kind']} {d['object']} not explained as re-run of "
                                f"{version} undoing {sorted(undone)[:3]} (got {why or None})")
                break
    return problems
