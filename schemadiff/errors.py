"""Errors and diagnostics.

Every error a user can cause is a :class:`SchemaDiffError`; the CLI prints it on one line
(``path:line:col: message``) and exits 2. Nothing else should escape to the user.
"""

from __future__ import annotations

from schemadiff.records import record


@record
class Location:
    """Where something came from: a file and a 1-based line and column (0 = unknown)."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.path}:{self.line}:{self.col}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


class SchemaDiffError(Exception):
    """Base class of every error schemadiff reports to a user (exit code 2)."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class MigrationError(SchemaDiffError):
    """A migration directory or file that its tool would reject."""


class ParseError(SchemaDiffError):
    """SQL that could not be split or parsed (raised only in strict mode or for dumps)."""


class SourceError(SchemaDiffError):
    """A schema source (dump file, database) that could not be read."""


@record
class Diagnostic:
    """A statement the replay could not model: reported, never fatal unless ``--strict``."""

    location: Location
    message: str
    statement: str = ""

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"
