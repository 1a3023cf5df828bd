"""Exceptions the toolkit raises for problems a user can fix.

The CLI turns a `ReviewError` into a one-line message and a non-zero exit;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class ReviewError(Exception):
    """A problem with the user's input or project, explained in one line."""


class ImportFormatError(ReviewError):
    """A file could not be read as a bibliographic export.

    Carries the file name and, where known, the 1-based line number so that
    the message can point the user at the exact place to fix.
    """

    def __init__(self, file: str, message: str, line: int | None = None):
        self.file = file
        self.line = line
        self.reason = message
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: {message}")


class ProtocolError(ReviewError):
    """A protocol file is missing a field or has an invalid value."""


class ProjectError(ReviewError):
    """The project folder or database is missing or not usable."""
