"""Writing project tables to CSV, Excel and JSON, and records to RIS.

Each exportable table is a `TableSpec`: a builder returning (header, rows),
the options it takes, and where RIS makes sense the records it covers.
`export_table` is the single entry point for the CLI and the app; `EXPORT_TABLES`
maps every table name to its export function. Cells a spreadsheet would run as
formulas are neutralised in CSV and Excel alike, header cells included (their
text comes from the protocol's labels). Text longer than an Excel cell holds is
cut with a visible marker in the cell and an `on_warning` message, never silently.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from review.errors import ReviewError
from review.export import tables
from review.importers.ris import dumps_fields, dumps_raw
from review.screening.blind import Viewer

if TYPE_CHECKING:
    from review.core import Review

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# the control characters an Excel cell cannot hold (openpyxl refuses them); openpyxl itself is imported
# only when a workbook is written, since it alone takes a fifth of a second to import
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
EXCEL_CELL_LIMIT = 32_767  # characters (UTF-16 code units) an Excel cell holds
MAX_CELLS_NAMED = 5

Warn = Callable[[str], None]


class ExportWarning(UserWarning):
    """An export had to change what it wrote (a cell cut to fit Excel); raised when no `on_warning` is given."""


def _warn_by_default(message: str) -> None:
    warnings.warn(message, ExportWarning, stacklevel=3)


def neutralise_formula(value: object) -> object:
    """Prefix a quote to text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _write_text(text: str, path: Path | None) -> str:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return text


def write_csv(header: list[str], rows: Iterable[list[object]], path: Path | None) -> str:
    """CSV with formula-like cells neutralised; returns the text when no path is given."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([neutralise_formula(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise_formula(tables.flat(cell)) for cell in row])
    return _write_text(buffer.getvalue(), path)


def record_as_ris(record: dict) -> str:
    """A record as RIS: verbatim tags for RIS imports, mapped fields otherwise."""
    if record["raw_format"] == "ris":
        return dumps_raw(record["raw"])
    return dumps_fields(record)


def write_ris(records: Iterable[dict], path: Path | None) -> str:
    return _write_text("\n".join(record_as_ris(record) for record in records), path)


def write_json(header: list[str], rows: Iterable[list[object]], path: Path | None) -> str:
    return _write_text(json.dumps(_as_dicts(header, rows), ensure_ascii=False, indent=2, default=str), path)


def _as_dicts(header: list[str], rows: Iterable[list[object]]) -> list[dict]:
    return [dict(zip(header, row)) for row in rows]


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit_excel(text: str) -> tuple[str, bool]:
    """The text cut to Excel's cell limit with a marker saying how much was left out, and whether it was cut."""
    length = _utf16_length(text)
    if length <= EXCEL_CELL_LIMIT:
        return text, False
    marker = f" [CUT: {length:,} characters do not fit in an Excel cell; the CSV or JSON export has the full text]"
    keep = EXCEL_CELL_LIMIT - len(marker)
    cut = text[:keep]
    while (excess := _utf16_length(cut) - keep) > 0:  # characters outside the BMP take two units
        cut = cut[: len(cut) - excess]
    return cut + marker, True


def _excel_cell(value: object) -> tuple[object, bool]:
    value = tables.flat(value)
    if isinstance(value, str):
        return _fit_excel(neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value)))
    return value, False


def _excel_row(values: Iterable[object], row: int, cut: list[str]) -> list[object]:
    cells = []
    for column, value in enumerate(values, 1):
        cell, was_cut = _excel_cell(value)
        if was_cut:
            from openpyxl.utils import get_column_letter

            cut.append(f"{get_column_letter(column)}{row}")
        cells.append(cell)
    return cells


def _cut_message(sheet: str, cut: list[str]) -> str:
    named = ", ".join(cut[:MAX_CELLS_NAMED]) + (
        f" and {len(cut) - MAX_CELLS_NAMED} more" if len(cut) > MAX_CELLS_NAMED else ""
    )
    return (
        f"sheet '{sheet}': {len(cut)} cell(s) longer than Excel's {EXCEL_CELL_LIMIT:,} characters were cut "
        f"and marked [CUT: ...] ({named}); the CSV or JSON export has the full text"
    )


def write_xlsx(
    sheets: list[tuple[str, list[str], list[list[object]]]], path: Path, on_warning: Warn | None = None
) -> str:
    """One workbook, one sheet per (name, header, rows): header frozen, filters on.

    Text cells are always stored as strings (never formulas); text that would
    run as a formula is neutralised as in CSV. Text too long for a cell is cut
    with a [CUT: ...] marker and reported through `on_warning` (by default an
    `ExportWarning`), one message per sheet.
    """
    warn = on_warning or _warn_by_default
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, header, rows in sheets:
        sheet = workbook.create_sheet(title=name[:31])
        cut: list[str] = []
        sheet.append(_excel_row(header, 1, cut))
        for number, row in enumerate(rows, 2):
            sheet.append(_excel_row(row, number, cut))
        for cells in sheet.iter_rows():
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for index, column in enumerate(sheet.iter_cols(values_only=True), 1):
            width = max((len(str(value)) for value in column if value is not None), default=8)
            sheet.column_dimensions[get_column_letter(index)].width = min(max(width, 8), 60) + 2
        if cut:
            warn(_cut_message(sheet.title, cut))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return str(path)


Builder = Callable[..., tuple[list[str], list[list[object]]]]


@dataclass(frozen=True)
class TableSpec:
    """An exportable table: its builder, the options it accepts, and its records for RIS."""

    build: Builder
    options: tuple[str, ...] = ()
    ris_records: Callable[..., Iterable[dict]] | None = None
    ris_options: tuple[str, ...] = ()


TABLE_SPECS: dict[str, TableSpec] = {
    "included": TableSpec(tables.included_table, ("coder", "language"), tables.included_records),
    "codes": TableSpec(tables.codes_table),
    "evidence-map": TableSpec(tables.evidence_map_table, ("rows", "cols", "coder", "language")),
    "decisions": TableSpec(tables.decisions_table, ("language",)),
    "records": TableSpec(tables.records_table, ("unique_only",), tables.records_for_ris, ("unique_only",)),
}
FORMATS = ("csv", "xlsx", "json", "ris")


def _options_for(table: str, spec: TableSpec, options: dict[str, object]) -> dict[str, object]:
    given = {name: value for name, value in options.items() if value not in (None, False)}
    stray = sorted(set(given) - set(spec.options))
    if stray:
        raise ReviewError(f"option {', '.join(stray)} does not apply to table '{table}'")
    return given


def _need_path(path: Path | None, what: str) -> Path:
    if path is None:
        raise ReviewError(f"{what} cannot go to stdout; give a path with -o")
    return path


def export_spec(
    review: Review,
    viewer: Viewer,
    table: str,
    file_format: str,
    path: Path | None,
    on_warning: Warn | None = None,
    **options: object,
) -> str:
    """Export one table from `TABLE_SPECS`; returns the text written (or the .xlsx path)."""
    spec = TABLE_SPECS[table]
    given = _options_for(table, spec, options)
    if file_format == "ris":
        if spec.ris_records is None:
            raise ReviewError(f"table '{table}' cannot be exported as ris (only: included, records)")
        ris_options = {name: value for name, value in given.items() if name in spec.ris_options}
        return write_ris(spec.ris_records(review, viewer, **ris_options), path)
    if file_format not in FORMATS:
        raise ReviewError(f"unknown format '{file_format}' (known: {', '.join(FORMATS)})")
    header, rows = spec.build(review, viewer, **given)
    if file_format == "csv":
        return write_csv(header, rows, path)
    if file_format == "json":
        return write_json(header, rows, path)
    return write_xlsx([(table, header, rows)], _need_path(path, "an Excel workbook"), on_warning)


def export_all(
    review: Review, viewer: Viewer, file_format: str, path: Path | None, on_warning: Warn | None = None,
    **options: object,
) -> str:  # fmt: skip
    """Every table: an Excel sheet each, one JSON object keyed by table, or a CSV file each.

    For csv, `path` is a folder that receives TABLE.csv per table; the file names are returned.
    """
    if file_format not in ("xlsx", "json", "csv"):
        raise ReviewError(f"all tables export as xlsx, json or csv (a folder of files), not '{file_format}'")
    built = []
    for table, spec in TABLE_SPECS.items():
        given = {name: value for name, value in options.items() if name in spec.options}
        built.append((table, *spec.build(review, viewer, **_options_for(table, spec, given))))
    if file_format == "json":
        data = {table: _as_dicts(header, rows) for table, header, rows in built}
        return _write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), path)
    if file_format == "csv":
        folder = _need_path(path, "a folder of CSV files")
        for table, header, rows in built:
            write_csv(header, rows, folder / f"{table}.csv")
        return "\n".join(str(folder / f"{table}.csv") for table, *_ in built) + "\n"
    return write_xlsx(built, _need_path(path, "an Excel workbook"), on_warning)


def _exporter(table: str) -> Callable[..., str]:
    def export(
        review: Review,
        viewer: Viewer,
        file_format: str,
        path: Path | None,
        on_warning: Warn | None = None,
        **options: object,
    ) -> str:
        return export_spec(review, viewer, table, file_format, path, on_warning, **options)

    return export


EXPORT_TABLES: dict[str, Callable[..., str]] = {table: _exporter(table) for table in TABLE_SPECS}
EXPORT_TABLES["all"] = export_all


def export_table(
    review: Review,
    viewer: Viewer,
    table: str,
    file_format: str,
    path: Path | None,
    on_warning: Warn | None = None,
    **options: object,
) -> str:
    """Export one named table in one format, as `viewer` may see it; the single entry point for CLI and app.

    `on_warning` receives each one-line note on what the export had to change
    (cells cut to fit Excel); without it they are raised as `ExportWarning`s.
    """
    if table not in EXPORT_TABLES:
        raise ReviewError(f"unknown table '{table}' (known: {', '.join(EXPORT_TABLES)})")
    if file_format not in FORMATS:
        raise ReviewError(f"unknown format '{file_format}' (known: {', '.join(FORMATS)})")
    return EXPORT_TABLES[table](review, viewer, file_format, path, on_warning, **options)
