"""How the CLI words the way round a library error (see `review.errors.Remedy`)."""

from __future__ import annotations

from review.errors import Remedy, ReviewError

ADVICE: dict[Remedy, str] = {
    Remedy.IMPORT_AGAIN: "use --force to import it again",
    Remedy.MAP_COLUMNS: "name the column with --map FIELD=COLUMN, e.g. --map title='Article Title'",
    Remedy.CHOOSE_FORMAT: "give the format with --format",
    Remedy.DRAFT: "use --allow-incomplete for a draft that shows the gaps",
    Remedy.REPLACE_DEMO: "use --force to replace it",
    Remedy.OTHER_FOLDER: "choose another folder",
    Remedy.NAME_VIEWER: "give --reviewer NAME (or set $REVIEW_REVIEWER), or --unblind",
    Remedy.UNBLIND: "the person reconciling them uses --unblind (recorded in the audit log)",
    Remedy.INIT_PROJECT: "create it with `review init DIR --protocol FILE`",
    Remedy.NAME_STUDY: "give it with --study NAME",
}


def message(error: ReviewError) -> str:
    """The one line the CLI prints for a library error: what is wrong, then what to do about it here."""
    text = str(error)
    advice = ADVICE.get(error.remedy) if error.remedy else None
    return f"{text}; {advice}" if advice else text
