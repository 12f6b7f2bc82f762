"""Values that differ in text but not in meaning, given what only the schemas themselves know.

The normalizer (:mod:`schemadiff.sql.normalize`) maps both sides' text to one canonical form
without context. Two forms need the schema to be read right, and are compared here, where the
comparison has both catalogs:

- The catalog shows PostgreSQL's implicit promotion of an integer result to the wider number
  an operator expects as a cast: ``CHECK (my_int_fn(a) > 1.5)`` comes back as
  ``CHECK (((my_int_fn(a))::numeric > 1.5))``. The normalizer drops such a cast over integer
  builtins (``length``, ``count`` ...); a function of the schema's own returns an integer when
  every function of that name the catalogs hold does. The cast is left out on both sides,
  as for the builtins (the documented blind spot: an explicit such cast is not compared).
- A ``double precision`` or ``real`` default written as a string is stored as the float
  (``'0.10'`` is ``'0.1'::double precision``), one written as a number as that numeric:
  compared as the float both are.
- A date or time default written as ``'today'``, ``'now'``, ``'yesterday'`` or ``'tomorrow'``
  is read once, when the column is created: the catalog holds the constant it was then
  (``DEFAULT 'today'`` is ``'2024-05-01'::date``; so in a CHECK or an index predicate,
  where ``'epoch'`` is stored as ``'1970-01-01'`` too). The files cannot say which day that was,
  so the migration's word matches any constant of that kind that is not later than such a
  word could have given (tomorrow, seen from now); a default changed by hand to an
  expression (``CURRENT_DATE``), to ``NULL``, or to a day in the future is still a difference.
  One changed by hand to another past constant is not seen (the README's blind spot).
- A call of one of the schema's own functions with a ``VARIADIC t[]`` parameter is stored
  with its trailing arguments merged into one array: ``total(a, b)`` comes back as
  ``total(VARIADIC ARRAY[a, b])`` (the built-in ones, ``jsonb_extract_path`` and the
  multirange constructors, the normalizer knows: :mod:`schemadiff.sql.variadic`).
- A policy ``TO CURRENT_USER`` holds the role the migrations ran as, which only the server
  names: it matches the one role the server lists beyond those the migrations name (a
  policy's role changed by hand from it to another single role is not seen).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from schemadiff.model import MIGRATING_ROLE, Key

if TYPE_CHECKING:
    from sqlglot import exp

    from schemadiff.model import Catalog, SchemaObject

#: how a string constant of a row or an array of rows starts
_ROW_STARTS = ("'(", "'{")
_INTEGER_TYPES = frozenset({"integer", "bigint", "smallint"})
#: the special date/time inputs PostgreSQL reads relative to the moment they are read
FROZEN_WORDS = frozenset({"'now'", "'today'", "'yesterday'", "'tomorrow'"})
_DATE_OR_TIME = re.compile(
    r"'(?:(\d{4}-\d\d-\d\d)(?: \d\d:\d\d:\d\d(?:\.\d+)?)?(?:[+-]\d\d(?::\d\d)?)?"
    r"|\d\d:\d\d:\d\d(?:\.\d+)?)'\Z"
)


def integer_functions(*catalogs: Catalog) -> frozenset[str]:
    """The (lower-case) names of the functions that return an integer in every catalog given,
    under every signature: a call by that name is integer-valued whatever its arguments."""
    verdict: dict[str, bool] = {}
    for catalog in catalogs:
        for fn in catalog.of_kind("function"):
            name = fn.name.lower()  # type: ignore[attr-defined]
            ok = fn.returns in _INTEGER_TYPES  # type: ignore[attr-defined]
            verdict[name] = verdict.get(name, True) and ok
    return frozenset(name for name, ok in verdict.items() if ok)


def variadic_functions(*catalogs: Catalog) -> dict[str, int]:
    """The (lower-case) names of the functions whose last input parameter is ``VARIADIC
    t[]`` (not ``"any"``) under every signature the catalogs hold, with the same number of
    parameters before it: name -> that number."""
    found: dict[str, int | None] = {}
    for catalog in catalogs:
        for fn in catalog.of_kind("function"):
            name = fn.name.lower()  # type: ignore[attr-defined]
            fixed = _fixed_before_variadic(fn.arguments)  # type: ignore[attr-defined]
            found[name] = fixed if found.get(name, fixed) == fixed else None
    return {name: fixed for name, fixed in found.items() if fixed is not None}


def _fixed_before_variadic(arguments: str) -> int | None:
    """The number of input parameters before a last ``VARIADIC t[]`` one (None: none such)."""
    from schemadiff.sql.replay.text import top_items

    inputs = [p for p in top_items(arguments) if p.split(" ", 1)[0] != "OUT"] if arguments else []
    if not inputs or not inputs[-1].startswith("VARIADIC ") or '"any"' in inputs[-1]:
        return None
    return len(inputs) - 1


def _integer_valued(node: exp.Expression, names: frozenset[str]) -> bool:
    from sqlglot import exp

    if isinstance(node, exp.Paren):
        return _integer_valued(node.this, names)
    if isinstance(node, exp.Anonymous):
        return node.name.lower() in names
    if isinstance(node, (exp.Coalesce, exp.Nullif)):
        args = list(node.iter_expressions())
        return any(_integer_valued(a, names) for a in args) and all(
            _integer_valued(a, names)
            or isinstance(a, exp.Column)
            or (isinstance(a, exp.Literal) and not a.is_string and a.this.lstrip("-").isdigit())
            for a in args
        )
    return False


@lru_cache(maxsize=4096)
def without_promotions(text: str, names: frozenset[str]) -> str:
    """A canonical expression (or ``RETURN`` body) with the widening casts over calls of
    ``names`` left out; the text itself when there are none.

    sqlglot is imported here, not with the module: a comparison builds an
    :class:`Equivalence` on its first differing attribute, and a warm run that finds drift
    should not pay the parser's import (~0.1 s) unless a cast needs reading."""
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    from schemadiff.sql.normalize import _WIDER_NUMBERS, _parse_expression

    head = "RETURN " if text.startswith("RETURN ") else ""
    tree = _parse_expression(text[len(head) :])
    if tree is None:
        return text
    changed = False
    for cast in list(tree.find_all(exp.Cast)):
        to = cast.args.get("to")
        if (
            isinstance(to, exp.DataType)
            and to.this in _WIDER_NUMBERS
            and not to.expressions
            and _integer_valued(cast.this, names)
        ):
            cast.replace(cast.this)
            changed = True
    if not changed:
        return text
    try:
        return head + tree.sql(dialect="postgres", comments=False)
    except (SqlglotError, ValueError):  # pragma: no cover - generator gaps
        return text


def _frozen_constant(stored: str, today: date) -> bool:
    """Whether ``stored`` is a constant ``'today'`` and the like could have been read as."""
    m = _DATE_OR_TIME.match(stored)
    if m is None:
        return False
    day = m.group(1)
    return day is None or date.fromisoformat(day) <= today + timedelta(days=1)


_WORD_LITERAL = re.compile(r"'(now|today|yesterday|tomorrow|epoch)'", re.IGNORECASE)
_READ_ONCE = re.compile(r"'(?:now|today|yesterday|tomorrow)'", re.IGNORECASE)


def read_once(value: Any) -> bool:
    """Whether ``value`` (an attribute's text, or a tuple of them) holds a word PostgreSQL reads
    as the moment it reads it: a stored day matched to it shows that some such word was read,
    not that this one was (a day written by hand matches it as well)."""
    if isinstance(value, tuple):
        return any(read_once(v) for v in value)
    return isinstance(value, str) and "'" in value and _READ_ONCE.search(value) is not None


def _frozen_expression(expected: str, actual: str, today: date) -> bool:
    """Whether ``actual`` is ``expected`` with its ``'today'``-like constants as the days they
    were read as (``CHECK (d <= 'today')`` is stored as ``d <= '2024-05-01'::date``), and its
    ``'epoch'`` as ``'1970-01-01'`` (a date or time constant: the word's type is not known
    here, but both sides' other text must be the same)."""
    parts = _WORD_LITERAL.split(expected)
    pattern = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            pattern.append(re.escape(part))
        elif part.lower() == "epoch":
            pattern.append("(?:'1970-01-01'|'epoch')")
        else:
            pattern.append("('[^']*')")
    m = re.fullmatch("".join(pattern), actual)
    return m is not None and all(_frozen_constant(g, today) for g in m.groups())


_MONEY = re.compile(r"'?(-?)\$?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)'?\Z")


def _same_money(expected: str, actual: str) -> bool:
    """A ``money`` constant is stored as ``cash_out`` prints it, in the server's
    ``lc_monetary`` (``'12.5'`` is ``'$12.50'`` in C and en_US): the same amount at the
    two decimals of those locales, whatever the symbol and the grouping."""
    from decimal import Decimal, InvalidOperation

    amounts = []
    for text in (expected, actual):
        m = _MONEY.match(text.strip())
        if m is None:
            return False
        try:
            amounts.append(Decimal(m.group(1) + m.group(2).replace(",", "")).quantize(
                Decimal("0.01")))
        except InvalidOperation:
            return False
    return amounts[0] == amounts[1]


_FLOAT_TYPES = frozenset({"double precision", "real"})
_FLOAT_TEXT = re.compile(r"'?\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*'?\Z")


def _same_float(expected: str, actual: str, single: bool) -> bool:
    """A float column's default written as a string (``'0.10'``) is stored as the float,
    printed as ``float8out`` prints it (``'0.1'::double precision``), and one written as a
    number (``0.10``) as that numeric, cast on every insert: the same value when both are
    the same float (``real``: at single precision)."""
    import struct

    values = []
    for text in (expected, actual):
        if _FLOAT_TEXT.match(text) is None:
            return False
        value = float(text.strip("' "))
        if single:
            try:
                value = struct.unpack("f", struct.pack("f", value))[0]
            except OverflowError:
                return False
        values.append(value)
    return values[0] == values[1]


#: a money constant as ``cash_out`` prints it (C and en_US ``lc_monetary``), quoted
_MONEY_LITERAL = re.compile(r"'(-?)\$((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)'")
#: a quoted amount, money-printed or not (a view's canonical query quotes its numbers)
_AMOUNT_LITERAL = re.compile(r"'(-?)\$?((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)'")
_NUMBER = re.compile(r"(?<![\w.'])(\d+)\.(\d*?)0+(?![\w.])")


def _money_amounts(text: str) -> str:
    """An expression with its money constants as the amounts they hold (``'$1,000.50'``
    and ``'1,000.5'`` are ``1000.5``) and its numbers without trailing zeros (``12.50``
    is ``12.5``): a ``money`` constant compared in a CHECK, a predicate or a view is stored
    as ``cash_out`` prints it, where the migration wrote a number or a string."""
    text = _AMOUNT_LITERAL.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), text)
    return _NUMBER.sub(lambda m: m.group(1) + ("." + m.group(2) if m.group(2) else ""), text)


def _same_roles(expected: Any, actual: Any) -> bool:
    """A policy ``TO CURRENT_USER`` holds the role the migrations ran as, by its name: the
    migrations' marker matches the one role the server names that the migrations do not
    (not PUBLIC)."""
    if not (isinstance(expected, tuple) and isinstance(actual, tuple)
            and MIGRATING_ROLE in expected):
        return False
    named = set(expected) - {MIGRATING_ROLE}
    left = set(actual) - named
    return named <= set(actual) and len(left) == 1 and not left & {"public"}


class Equivalence:
    """Decides whether an expected and an actual value differ only in a form one of the
    schemas explains (see the module's doc); built once per comparison."""

    def __init__(self, *catalogs: Catalog) -> None:
        self._catalogs = catalogs
        self._names: frozenset[str] | None = None
        self._variadic: dict[str, int] | None = None
        self._today = datetime.now(timezone.utc).date()

    @property
    def names(self) -> frozenset[str]:
        if self._names is None:
            self._names = integer_functions(*self._catalogs)
        return self._names

    def __call__(
        self, obj: SchemaObject, attribute: str | None, expected: Any, actual: Any
    ) -> bool:
        """Whether ``obj``'s ``attribute`` is the same with these two values (``obj``: either
        side's object, of the kind and type both share)."""
        if attribute == "comment" and obj.KIND == "extension":
            return self._same_extension_comment(obj, expected, actual)
        if isinstance(expected, str) and isinstance(actual, str):
            return self._same_text(obj, attribute, expected, actual)
        if obj.KIND == "policy" and attribute == "roles":
            return _same_roles(expected, actual)
        if (
            isinstance(expected, tuple)
            and isinstance(actual, tuple)
            and len(expected) == len(actual)
        ):
            return all(
                e == a
                or (
                    isinstance(e, str)
                    and isinstance(a, str)
                    and self._same_text(obj, attribute, e, a)
                )
                for e, a in zip(expected, actual)
            )
        return False

    def _same_variadic(self, expected: str, actual: str) -> bool:
        """``expected`` with the calls of the schema's variadic-array functions written as
        stored is ``actual``."""
        from schemadiff.sql.variadic import normalize_variadic_calls

        if self._variadic is None:
            self._variadic = variadic_functions(*self._catalogs)
        return bool(self._variadic) and normalize_variadic_calls(
            expected, self._variadic) == actual

    def _same_extension_comment(self, obj: SchemaObject, expected: Any, actual: Any) -> bool:
        """An extension's comment: the control file's (None, what the migrations leave) is the
        actual's control file's comment, or any where the source does not know it (a dump,
        which prints whatever comment there is); none (``""``) is no ``COMMENT`` line."""
        other = self._catalogs[-1].get(obj.key) if self._catalogs else None
        control = getattr(other, "control_comment", "")
        if expected is None:  # the control file's: any comment where it is not known
            return control is None or actual == control
        return expected == "" and actual is None  # none: no COMMENT line

    def _composite(self, type_text: str) -> tuple[tuple[str, str], ...] | None:
        """The attributes of the composite type ``type_text`` names (the database's first:
        its rows were read with them), or None."""
        schema, dot, name = type_text.partition(".")
        for catalog in reversed(self._catalogs):
            found = catalog.get(Key("composite", schema.strip('"'), name.strip('"'), ""))
            if dot and found is not None:
                return found.attributes_  # type: ignore[attr-defined, no-any-return]
        return None

    def _date_or_time(self, type_text: str, depth: int = 0) -> bool:
        """Whether the type is a date or time type, or a domain over one."""
        if type_text.startswith(("date", "time")):
            return True
        schema, dot, name = type_text.partition(".")
        if not dot or depth > 8:
            return False
        for catalog in self._catalogs:
            domain = catalog.get(Key("domain", schema.strip('"'), name.strip('"'), ""))
            if domain is not None:
                return self._date_or_time(str(getattr(domain, "type", "")), depth + 1)
        return False

    def _same_text(
        self, obj: SchemaObject, attribute: str | None, expected: str, actual: str
    ) -> bool:
        if attribute == "default" and getattr(obj, "type", None) == "money":
            return _same_money(expected, actual)
        if attribute == "default" and getattr(obj, "type", None) in _FLOAT_TYPES:
            return _same_float(expected, actual, obj.type == "real")  # type: ignore[attr-defined]
        if (attribute == "default" and obj.KIND == "column" and expected[:2] in _ROW_STARTS
                and actual[:2] in _ROW_STARTS and getattr(obj, "type", None)):
            from schemadiff.sql.rowtext import same_rows

            if same_rows(expected, actual, obj.type, self._composite):  # type: ignore[attr-defined]
                return True
        if "$" in actual and _MONEY_LITERAL.search(actual):
            return _money_amounts(expected) == _money_amounts(actual)
        frozen = "'" in expected and _WORD_LITERAL.search(expected) is not None
        if frozen and attribute == "default" and obj.KIND in ("column", "domain"):
            # a default of another type holds the word as a string
            frozen = self._date_or_time(str(getattr(obj, "type", "")))
            if frozen and expected.lower() in FROZEN_WORDS:
                return _frozen_constant(actual, self._today)
        if frozen:
            return _frozen_expression(expected, actual, self._today)
        if "VARIADIC ARRAY[" in actual and self._same_variadic(expected, actual):
            return True
        if "CAST(" not in expected and "CAST(" not in actual:
            return False
        names = self.names
        if not names:
            return False
        return without_promotions(expected, names) == without_promotions(actual, names)
