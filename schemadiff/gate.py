"""The CI verdict: which inference findings fail a deployment.

``schemadiff check`` runs the inference and fails (exit 1) on the categories asked for. The
default is every category but the opt-in ones: a database holding versions the code lacks
(the old image of seed 004, which sqlx refuses to start with), history and schema
disagreeing, a partial migration, a changed file of an applied migration, unexplained drift.
``pending`` (a migration not applied yet) is asked for by name. Pure: values in, values out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from schemadiff.choice import Choice
from schemadiff.records import record

if TYPE_CHECKING:  # the CLI imports this module for CATEGORIES: keep it light
    from schemadiff.differences import Difference
    from schemadiff.inference import Inference

#: ``schemadiff.differences.RUNTIME_PARTITION`` (not imported: keep this module light).
RUNTIME_PARTITION = "runtime-partition"


class Category(Choice):
    """A ``--fail-on`` category."""

    UNKNOWN_VERSIONS = "unknown-versions"  # the database ran versions this code lacks
    HISTORY = "history"  # rows missing from the history, or phantom rows
    PARTIAL = "partial"
    UNVERIFIED = "unverified"  # applied by order, unproven, not recorded
    CHECKSUM = "checksum"
    DRIFT = "drift"
    PENDING = "pending"  # opt-in: migrations not applied yet
    RUNTIME_PARTITIONS = "runtime-partitions"  # opt-in: partitions a migration's function made


#: ``--fail-on`` categories, in report order.
CATEGORIES = Category.values()

#: Categories checked only when ``--fail-on`` names them: ``pending`` (a migration not applied
#: yet) is the normal state of a deploy gate that runs before the migration job, and the
#: verification after it ("nothing pending after `goose up`"); ``runtime-partitions``
#: (partitions of a partitioned table the migrations create, made at run time by a function
#: they define) are the application working as designed.
OPT_IN = (Category.PENDING.value, Category.RUNTIME_PARTITIONS.value)

#: What ``check`` fails on without ``--fail-on``.
DEFAULT = tuple(c for c in CATEGORIES if c not in OPT_IN)


@record
class Failure:
    category: Category
    message: str
    versions: tuple[str, ...] = ()


def _join(versions: list[str], limit: int = 20) -> str:
    shown = ", ".join(versions[:limit])
    return shown + (f" (+{len(versions) - limit} more)" if len(versions) > limit else "")


def evaluate(result: Inference, fail_on: tuple[str, ...] = DEFAULT) -> list[Failure]:
    """The failures among ``fail_on`` categories, most urgent first."""
    out: list[Failure] = []
    if "unknown-versions" in fail_on and result.recorded_not_in_code:
        v = result.recorded_not_in_code
        out.append(
            Failure(
                Category.UNKNOWN_VERSIONS,
                f"code has fewer migrations than the database: {len(v)} applied version(s) are not "
                f"in this code ({_join(v)}); deploying it would fail or roll the schema back",
                tuple(v),
            )
        )
    if "history" in fail_on and result.missing_from_history:
        v = result.missing_from_history
        out.append(
            Failure(
                Category.HISTORY,
                f"{len(v)} applied migration(s) missing from the {result.tool} history "
                f"({_join(v)}); the tool would re-run them: generate the backfill with "
                f"`schemadiff sync`",
                tuple(v),
            )
        )
    if "history" in fail_on and result.recorded_not_applied:
        v = result.recorded_not_applied
        out.append(
            Failure(
                Category.HISTORY,
                f"{len(v)} version(s) recorded as applied whose schema changes are absent "
                f"({_join(v)})",
                tuple(v),
            )
        )
    if "partial" in fail_on and result.partial:
        v = result.partial
        out.append(
            Failure(Category.PARTIAL, f"partially applied migration(s): {_join(v)}", tuple(v))
        )
    if "unverified" in fail_on and result.unverified:
        v = result.unverified
        out.append(
            Failure(
                Category.UNVERIFIED,
                f"{len(v)} migration(s) the order places as applied but the schema cannot "
                f"verify, missing from the history ({_join(v)}): data or code migrations "
                f"leave no schema trace; check that they ran, then record them with "
                f"`schemadiff sync --assume-applied`",
                tuple(v),
            )
        )
    if "checksum" in fail_on and result.checksum_mismatch:
        v = result.checksum_mismatch
        out.append(
            Failure(
                Category.CHECKSUM,
                f"migration file(s) changed after they were applied (checksum differs): {_join(v)}",
                tuple(v),
            )
        )
    runtime = [d for d in result.drift if d.key.kind == RUNTIME_PARTITION]
    drift = [d for d in result.drift if d.key.kind != RUNTIME_PARTITION]
    if "drift" in fail_on and drift:
        items = [_drift_item(d) for d in drift]
        out.append(
            Failure(
                Category.DRIFT,
                f"{len(items)} schema difference(s) the applied migrations do not explain: "
                f"{_join(items, 10)}",
            )
        )
    if "runtime-partitions" in fail_on and runtime:
        names = [d.key.display for d in runtime]
        out.append(
            Failure(
                Category.RUNTIME_PARTITIONS,
                f"{len(names)} partition(s) created at run time: {_join(names, 10)}",
            )
        )
    if "pending" in fail_on:
        v = [x.migration.version for x in result.verdicts if x.status == "pending"]
        if v:
            out.append(
                Failure(
                    Category.PENDING,
                    f"{len(v)} migration(s) not applied to the database: {_join(v)}",
                    tuple(v),
                )
            )
    return out


def _drift_item(d: Difference) -> str:
    text = f"{d.change} {d.key}" + (f" {d.attribute}" if d.attribute else "")
    if d.change == "renamed":
        text += f" (now {d.actual})"
    if d.explained_by:
        undone = ", ".join(d.explained_by["undoes"])
        text += f" (re-run of {d.explained_by['rerun']}, undoing {undone})"
    return text


def github_annotations(failures: list[Failure]) -> str:
    """GitHub Actions workflow commands (``::error title=...::message``)."""

    def escape(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    return "".join(
        f"::error title=schemadiff {f.category}::{escape(f.message)}\n" for f in failures
    )
