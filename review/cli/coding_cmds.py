"""`review code`, `review import-codes`, `review codes`, `review coding-agreement`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from review.cli.app import JsonFlag, ProjectDir, app, console, open_review, print_json
from review.coding.codes import coding_agreement, current_codes
from review.errors import ReviewError


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    """`--set DIMENSION=VALUE` options as a dict."""
    parsed: dict[str, str] = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ReviewError(f"--set takes DIMENSION=VALUE, not '{item}'")
        if key.strip() in parsed:
            raise ReviewError(f"dimension '{key.strip()}' is set twice; give multiple values comma-separated")
        parsed[key.strip()] = value
    return parsed


@app.command()
def code(
    project_dir: ProjectDir,
    study: Annotated[str, typer.Argument(help="The included study (see `review codes` or the included export).")],
    assignments: Annotated[
        list[str], typer.Option("--set", help="DIMENSION=VALUE; several values comma-separated; empty clears.")
    ],
    coder: Annotated[str, typer.Option(help="Who is coding.")],
    note: Annotated[str | None, typer.Option(help="A note kept with each value set.")] = None,
) -> None:
    """Code one included study: set one or more codebook dimensions.

    Values are the codebook's keys; multiple-choice values are comma-separated and
    replace this coder's earlier set. Unknown dimensions or values are errors that
    list the valid keys.

    Example:

        review code my-review record-12 --set roles=family-coordinator,company-consultant \\
            --set country=dk --set sample-size=120 --coder anna --note "p. 14"
    """
    with open_review(project_dir) as review:
        codes = review.set_codes(study, parse_assignments(assignments), coder, note)
    for item in codes:
        console.print(
            f"{item.study}  {item.dimension} = {', '.join(item.values) or '(cleared)'}  [{item.coder}]",
            markup=False,
            highlight=False,
        )


@app.command("import-codes")
def import_codes_command(
    project_dir: ProjectDir,
    file: Annotated[Path, typer.Argument(help="CSV with columns study, dimension, value, coder[, note].")],
    as_json: JsonFlag = False,
) -> None:
    """Import codes from a long CSV: one line per study, dimension, value and coder.

    The whole file is checked first (errors name the line) and imported in one
    transaction. A multiple-choice set may be one comma-separated value or
    several lines.

    Example:

        review import-codes my-review codes.csv
    """
    with open_review(project_dir) as review:
        summary = review.import_codes(file)
    if as_json:
        print_json(summary)
    else:
        console.print(
            f"Imported {summary['codes']} codes for {summary['studies']} studies by {summary['coders']} coders"
        )


@app.command()
def codes(
    project_dir: ProjectDir,
    study: Annotated[str | None, typer.Option(help="Only this study.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show the current codes: one line per study, dimension and coder.

    Example:

        review codes my-review --study record-12
    """
    with open_review(project_dir) as review:
        current = current_codes(review, study=study)
    if as_json:
        print_json(
            [
                {
                    "study": c.study,
                    "dimension": c.dimension,
                    "coder": c.coder,
                    "values": list(c.values),
                    "note": c.note,
                    "created_at": c.created_at,
                }
                for c in current
            ]
        )
        return
    table = Table("study", "dimension", "values", "coder", "note")
    for c in current:
        table.add_row(c.study, c.dimension, ", ".join(c.values), c.coder, c.note or "")
    console.print(table)


@app.command("coding-agreement")
def coding_agreement_command(
    project_dir: ProjectDir,
    coders: Annotated[
        str | None, typer.Option(help="Two coders, comma-separated (default: the two who coded most).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Agreement between two coders per dimension: studies coded by both, percentage
    agreement, Cohen's kappa (single choice) and mean Jaccard (multiple choice).

    Example:

        review coding-agreement my-review --coders anna,bo
    """
    pair = tuple(name.strip() for name in coders.split(",")) if coders else None
    with open_review(project_dir) as review:
        rows = coding_agreement(review, pair)
    if as_json:
        print_json(rows)
        return
    table = Table("dimension", "type", "coders", "both coded", "agreement %", "kappa", "jaccard")
    for row in rows:
        table.add_row(
            row["dimension"],
            row["type"],
            " / ".join(row["coders"]),
            str(row["studies"]),
            _number(row["agreement"]),
            _number(row["kappa"]),
            _number(row["jaccard"]),
        )
    console.print(table)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"
