"""Exceptions the toolkit raises for problems a user can fix.

Messages say what is wrong in the review's own terms and never name a front
end's controls. Where a front end can offer a way round the problem (import
the same file again, draw an incomplete diagram as a draft, ...) the error
carries a `remedy` key; each front end words that remedy its own way (the
CLI as a flag, the app as a checkbox), see `review.cli.advice`.

The CLI turns a `ReviewError` into a one-line message and a non-zero exit;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from enum import StrEnum


class Remedy(StrEnum):
    """Ways round a problem that a front end may offer."""

    IMPORT_AGAIN = "import-again"  # import a file whose content was imported before
    MAP_COLUMNS = "map-columns"  # name the CSV column that holds a field
    CHOOSE_FORMAT = "choose-format"  # say which format a file is in
    DRAFT = "draft"  # draw an incomplete PRISMA flow as a marked draft
    REPLACE_DEMO = "replace-demo"  # replace an earlier demo in the same folder
    OTHER_FOLDER = "other-folder"  # choose another folder
    NAME_VIEWER = "name-viewer"  # say who is looking (blind stages show only their own labels)
    UNBLIND = "unblind"  # see every reviewer's label, recorded in the audit log
    INIT_PROJECT = "init-project"  # create the project first
    NAME_STUDY = "name-study"  # give the study a name


class ReviewError(Exception):
    """A problem with the user's input or project, explained in one line."""

    remedy: Remedy | None = None

    def __init__(self, message: str, remedy: Remedy | None = None):
        super().__init__(message)
        if remedy is not None:
            self.remedy = remedy


class ImportFormatError(ReviewError):
    """A file could not be read as a bibliographic export.

    Carries the file name and, where known, the 1-based line number so that
    the message can point the user at the exact place to fix.
    """

    def __init__(self, file: str, message: str, line: int | None = None, remedy: Remedy | None = None,
                 columns: list[str] | None = None):  # fmt: skip
        self.file = file
        self.line = line
        self.columns = columns or []  # a table's column names, when a field's column must be named
        self.reason = message
        where = f"{file}, line {line}" if line is not None else file
        super().__init__(f"{where}: {message}", remedy)


class AlreadyImportedError(ReviewError):
    """A file with the same content was imported before (or is given twice)."""

    remedy = Remedy.IMPORT_AGAIN


class ProtocolError(ReviewError):
    """A protocol file is missing a field or has an invalid value."""


class ProjectError(ReviewError):
    """The project folder or database is missing or not usable."""


class IncompleteFlowError(ReviewError):
    """The PRISMA counts do not add up yet (records or reports are undecided)."""

    remedy = Remedy.DRAFT

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("the PRISMA counts do not add up: " + "; ".join(problems))


class BlindStageError(ReviewError):
    """Labels were asked for without saying who is looking, while a blind stage is open."""

    remedy = Remedy.NAME_VIEWER

    def __init__(self, stages: list[str], what: str | None = None):
        self.stages = stages
        names = " and ".join(stages)
        if what is None:
            message = (f"screening at {names} is blind and not yet reconciled, so labels are shown only to the "
                       "reviewer who made them; say who you are (unblinding is recorded in the audit log)")  # fmt: skip
            super().__init__(message)
        else:
            super().__init__(f"screening at {names} is blind and not yet reconciled: {what}", Remedy.UNBLIND)


class AccessDenied(ReviewError):
    """The signed-in user's role does not allow this action."""
