"""Coding included studies against the protocol's codebook.

Codes belong to studies (the names `review.fulltext.studies.included_studies` gives),
not to reports. Every `set_code` appends one row to the `codes` table; the
current value for a (study, dimension, coder) is the latest row. A row's value
is stored as text: a single key, a JSON list of keys for multiple choice, the
text itself, or the number as written canonically; NULL clears the value.

Reading rules, used by every table built here:
- `coder` given: that coder's current values.
- `coder` None: the *agreed* value per study and dimension. The current value
  of the coder named `consensus` when there is one (how a reconciliation is
  recorded, `reconcile_code`); otherwise the value every coder who gave one
  gave (a coder's empty value is no value). Where coders differ the value is
  unreconciled: tables mark it and `coding_conflicts` lists it.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from review.errors import ProtocolError, ReviewError
from review.fulltext.studies import included_studies
from review.protocol import Dimension, Protocol
from review.screening.log import check_reviewer
from review.stats import jaccard, kappa_from_pairs
from review.store import now, transaction

if TYPE_CHECKING:
    from review.core import Review

CONSENSUS_CODER = "consensus"
CODES_LONG_HEADER = ["study", "dimension", "value", "coder", "note", "created_at"]
IMPORT_COLUMNS = ("study", "dimension", "value", "coder")


@dataclass(frozen=True)
class Code:
    """The current value one coder gave one study on one dimension."""

    study: str
    dimension: str
    coder: str
    values: tuple[str, ...]
    note: str | None
    created_at: str
    code_id: int


def _dimension(protocol: Protocol, key: str) -> Dimension:
    try:
        return protocol.codebook.dimension(key)
    except ProtocolError as error:
        raise ReviewError(str(error)) from None


def _split(value: str | Iterable[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(item).strip() for item in items if str(item).strip()]


def _number(dimension: Dimension, value: object) -> str:
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise ReviewError(f"dimension '{dimension.key}' takes a number, not '{value}'") from None
    if not math.isfinite(number):
        raise ReviewError(f"dimension '{dimension.key}' takes a finite number, not '{value}'")
    return str(int(number)) if number.is_integer() else repr(number)


def normalise_value(dimension: Dimension, value: object) -> str | None:
    """Check a value against its dimension and return what is stored (None clears).

    Multiple choice takes a list or a comma-separated string of value keys.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if dimension.type == "text":
        return str(value).strip()
    if dimension.type == "number":
        return _number(dimension, value)
    keys = _split(value) if isinstance(value, (str, list, tuple)) else [str(value)]
    unknown = [key for key in keys if key not in dimension.value_keys()]
    if unknown:
        raise ReviewError(
            f"unknown value '{unknown[0]}' for dimension '{dimension.key}' (valid: {', '.join(dimension.value_keys())})"
        )
    if dimension.type == "single":
        if len(keys) > 1:
            raise ReviewError(f"dimension '{dimension.key}' is single choice; got {', '.join(keys)}")
        return keys[0]
    if not keys:
        return None
    ordered = [key for key in dimension.value_keys() if key in keys]
    return json.dumps(ordered)


def _values(stored: str | None, dimension_type: str | None) -> tuple[str, ...]:
    if stored is None:
        return ()
    if dimension_type == "multiple":
        return tuple(json.loads(stored))
    return (stored,)


def _dimension_types(review: Review) -> dict[str, str]:
    return {d.key: d.type for d in review.protocol.codebook.dimensions}


def _check_study(studies: dict[str, list[int]], study: str) -> None:
    if study not in studies:
        sample = ", ".join(sorted(studies)[:5]) or "none yet"
        more = ", ..." if len(studies) > 5 else ""
        raise ReviewError(f"'{study}' is not an included study (included: {sample}{more})")


def set_code(
    review: Review,
    study: str,
    dimension: str,
    value: object,
    coder: str,
    note: str | None = None,
) -> Code:
    """Record one coder's value for one study and dimension (replacing their earlier one)."""
    return set_codes(review, study, {dimension: value}, coder, note)[0]


def set_codes(
    review: Review,
    study: str,
    values: dict[str, object],
    coder: str,
    note: str | None = None,
) -> list[Code]:
    """Several dimensions for one study at once, all validated before anything is written (in one transaction)."""
    coder = check_reviewer(coder)
    protocol, db = review.protocol, review.db
    stored = [(key, normalise_value(_dimension(protocol, key), value)) for key, value in values.items()]
    created = now()
    with transaction(db):
        _check_study(included_studies(review), study)
        ids = [
            db.execute(
                "INSERT INTO codes (study, dimension, value, coder, note, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [study, key, value, coder, note, created],
            ).lastrowid
            for key, value in stored
        ]
    return [
        Code(study, key, coder, _values(value, protocol.codebook.dimension(key).type), note, created, code_id)
        for (key, value), code_id in zip(stored, ids)
    ]


def current_codes(review: Review, study: str | None = None, coder: str | None = None) -> list[Code]:
    """The latest code per (study, dimension, coder), ordered by study, dimension, coder."""
    sql = (
        "SELECT c.code_id, c.study, c.dimension, c.value, c.coder, c.note, c.created_at FROM codes c "
        "JOIN (SELECT MAX(code_id) AS code_id FROM codes GROUP BY study, dimension, coder) latest "
        "ON latest.code_id = c.code_id WHERE (? IS NULL OR c.study = ?) AND (? IS NULL OR c.coder = ?) "
        "ORDER BY c.study, c.dimension, c.coder"
    )
    types = _dimension_types(review)
    return [
        Code(row[1], row[2], row[4], _values(row[3], types.get(row[2])), row[5], row[6], row[0])
        for row in review.db.execute(sql, [study, study, coder, coder]).fetchall()
    ]


@dataclass(frozen=True)
class AgreedValue:
    """What the coded tables show for one study and dimension: the agreed value, or each coder's when they differ."""

    study: str
    dimension: str
    values: tuple[str, ...]  # the agreed value; empty when unreconciled
    by_coder: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # coder -> their current, non-empty value
    reconciled_by: str | None = None  # the note of a `consensus` code

    @property
    def unreconciled(self) -> bool:
        return not self.values and len(set(self.by_coder.values())) > 1


def _agreed(study: str, dimension: str, codes: list[Code]) -> AgreedValue:
    consensus = next((code for code in codes if code.coder == CONSENSUS_CODER), None)
    given = {code.coder: code.values for code in codes if code.values and code.coder != CONSENSUS_CODER}
    if consensus is not None:
        return AgreedValue(study, dimension, consensus.values, given, consensus.note)
    distinct = set(given.values())
    return AgreedValue(study, dimension, distinct.pop() if len(distinct) == 1 else (), given)


def agreed_values(review: Review, coder: str | None = None) -> dict[tuple[str, str], AgreedValue]:
    """One value per (study, dimension) under the module's reading rule."""
    grouped: dict[tuple[str, str], list[Code]] = defaultdict(list)
    for code in current_codes(review, coder=coder):
        grouped[code.study, code.dimension].append(code)
    if coder is not None:
        return {key: AgreedValue(*key, codes[0].values) for key, codes in grouped.items()}
    return {key: _agreed(*key, codes) for key, codes in grouped.items()}


def coding_conflicts(review: Review) -> list[AgreedValue]:
    """Study and dimension pairs where coders gave different values and nobody has reconciled them yet."""
    included = included_studies(review)
    return [item for key, item in sorted(agreed_values(review).items()) if item.unreconciled and key[0] in included]


def reconcile_code(review: Review, study: str, dimension: str, value: object, reviewer: str) -> Code:
    """Record the agreed value of a study's dimension (as the `consensus` coder, noting who reconciled it)."""
    reviewer = check_reviewer(reviewer)
    if reviewer == CONSENSUS_CODER:
        raise ReviewError(f"'{CONSENSUS_CODER}' records reconciliations; reconcile under your own name")
    return set_code(review, study, dimension, value, CONSENSUS_CODER, note=f"reconciled by {reviewer}")


def changed_codes(review: Review, study: str, coder: str, entered: Mapping[str, object]) -> dict[str, object]:
    """The entries of a coding form that differ from the coder's current values: what saving it should write.

    A dimension left as it was (empty included) is not written, so saving a
    form never blanks or repeats what the coder did not touch.
    """
    current = {code.dimension: code.values for code in current_codes(review, study=study, coder=coder)}
    protocol, changed = review.protocol, {}
    for key, value in entered.items():
        dimension = _dimension(protocol, key)
        if _values(normalise_value(dimension, value), dimension.type) != current.get(key, ()):
            changed[key] = value
    return changed


def codes_long(review: Review, study: str | None = None) -> tuple[list[str], list[list[object]]]:
    """Current codes in long form: one row per study, dimension, value and coder."""
    rows: list[list[object]] = []
    for code in current_codes(review, study=study):
        for value in code.values or ("",):
            rows.append([code.study, code.dimension, value, code.coder, code.note or "", code.created_at])
    return list(CODES_LONG_HEADER), rows


def _label(dimension: Dimension, key: str, language: str | None) -> str:
    if language is None or dimension.type not in ("single", "multiple"):
        return key
    for value in dimension.values:
        if value.key == key:
            return value.label.text(language)
    return key


def _study_reports(review: Review, record_ids: list[int]) -> tuple[str, object]:
    records = [review.record(record_id) for record_id in record_ids]
    titles = list(dict.fromkeys(r.title for r in records if r.title))
    years = [r.year for r in records if r.year]
    return " | ".join(titles), min(years) if years else ""


UNRECONCILED_MARK = "[unreconciled]"


def _cell(dimension: Dimension, item: AgreedValue | None, language: str | None) -> object:
    if item is not None and item.unreconciled:
        coders = " | ".join(
            f"{coder}: {'; '.join(_label(dimension, value, language) for value in values)}"
            for coder, values in sorted(item.by_coder.items())
        )
        return f"{UNRECONCILED_MARK} {coders}"
    values = item.values if item else ()
    if dimension.type == "number" and values:
        return float(values[0]) if "." in values[0] else int(values[0])
    return "; ".join(_label(dimension, value, language) for value in values)


def coded_table(
    review: Review, coder: str | None = None, language: str | None = "en"
) -> tuple[list[str], list[list[object]]]:
    """The wide coded table: one row per included study, one column per dimension.

    Columns: study, record_ids, title, year, the codebook's dimension keys,
    then `unreconciled` (the dimensions whose coders still differ). Choice
    values are shown by their label in `language` (keys when None), several
    values joined with '; '. Numbers are numbers; uncoded cells empty; an
    unreconciled cell reads `[unreconciled] anna: ... | bo: ...`.
    """
    dimensions = review.protocol.codebook.dimensions
    chosen = agreed_values(review, coder)
    rows: list[list[object]] = []
    for study, record_ids in sorted(included_studies(review).items()):
        title, year = _study_reports(review, record_ids)
        cells = [_cell(dimension, chosen.get((study, dimension.key)), language) for dimension in dimensions]
        open_keys = [d.key for d in dimensions if (item := chosen.get((study, d.key))) and item.unreconciled]
        rows.append([study, "; ".join(map(str, record_ids)), title, year, *cells, "; ".join(open_keys)])
    return ["study", "record_ids", "title", "year", *(d.key for d in dimensions), "unreconciled"], rows


def evidence_map(
    review: Review,
    row_dim: str,
    col_dim: str,
    coder: str | None = None,
    language: str = "en",
) -> tuple[list[str], list[list[object]]]:
    """Cross-tabulate two choice dimensions: how many included studies have each pair.

    The first column holds the row dimension's value labels; the last column
    counts the studies with that row value at all; every value appears, zero or not.
    Only agreed values count: an unreconciled value is in no cell until it is reconciled.
    """
    protocol = review.protocol
    dims = [_dimension(protocol, row_dim), _dimension(protocol, col_dim)]
    for dimension in dims:
        if dimension.type not in ("single", "multiple"):
            raise ReviewError(f"evidence maps need choice dimensions; '{dimension.key}' is {dimension.type}")
    rows_d, cols_d = dims
    chosen = agreed_values(review, coder)
    studies = included_studies(review)

    def values_of(study: str, dimension: Dimension) -> tuple[str, ...]:
        item = chosen.get((study, dimension.key))
        return item.values if item else ()

    header = [f"{rows_d.label.text(language)} \\ {cols_d.label.text(language)}"]
    header += [value.label.text(language) for value in cols_d.values] + ["studies"]
    table: list[list[object]] = []
    for row_value in rows_d.values:
        with_row = [s for s in studies if row_value.key in values_of(s, rows_d)]
        counts = [sum(col.key in values_of(s, cols_d) for s in with_row) for col in cols_d.values]
        table.append([row_value.label.text(language), *counts, len(with_row)])
    return header, table


def read_codes_csv(protocol: Protocol, csv_path: Path | str) -> list[tuple[str, str, str, str | None, str | None]]:
    """Parse and validate a long-format codes CSV; returns (study, dimension, coder, stored, note).

    Lines with the same study, dimension and coder are merged (so a multiple-choice
    set may be spread over lines). Every problem is reported with its line number.
    """
    path = Path(csv_path)
    if not path.is_file():
        raise ReviewError(f"codes file not found: {path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ReviewError(
                f"{path}: missing column(s) {', '.join(missing)} (need study, dimension, value, coder[, note])"
            )
        lines = [(number, row) for number, row in enumerate(reader, 2)]
    merged: dict[tuple[str, str, str], dict] = {}
    errors: list[str] = []
    for number, row in lines:
        study, key, coder = (str(row.get(c) or "").strip() for c in ("study", "dimension", "coder"))
        try:
            if not study or not coder:
                raise ReviewError("study and coder must not be empty")
            dimension = _dimension(protocol, key)
            normalise_value(dimension, row.get("value"))
        except ReviewError as error:
            errors.append(f"line {number}: {error}")
            continue
        entry = merged.setdefault((study, key, coder), {"values": [], "notes": [], "lines": [], "dim": dimension})
        entry["values"].append(row.get("value") or "")
        entry["lines"].append(number)
        if row.get("note"):
            entry["notes"].append(row["note"].strip())
    result = []
    for (study, key, coder), entry in merged.items():
        dimension = entry["dim"]
        raw: object = entry["values"][-1]
        if dimension.type == "multiple":
            raw = [item for value in entry["values"] for item in _split(value)]
        elif len(set(entry["values"])) > 1:
            lines_text = ", ".join(map(str, entry["lines"]))
            errors.append(f"lines {lines_text}: different values for {study} / {key} / {coder}")
            continue
        note = "; ".join(dict.fromkeys(entry["notes"])) or None
        result.append((study, key, coder, normalise_value(dimension, raw), note))
    if errors:
        raise ReviewError(f"{path}: " + "; ".join(errors))
    return result


def import_codes(review: Review, csv_path: Path | str) -> dict[str, int]:
    """Import a long-format codes CSV (study, dimension, value, coder, note) in one transaction."""
    parsed = read_codes_csv(review.protocol, csv_path)
    created = now()
    with transaction(review.db):
        studies = included_studies(review)
        unknown = sorted({study for study, *_ in parsed if study not in studies})
        if unknown:
            raise ReviewError(f"{csv_path}: not included studies: {', '.join(unknown)}")
        for study, key, coder, stored, note in parsed:
            review.db.execute(
                "INSERT INTO codes (study, dimension, value, coder, note, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [study, key, stored, coder, note, created],
            )
    return {
        "codes": len(parsed),
        "studies": len({row[0] for row in parsed}),
        "coders": len({row[2] for row in parsed}),
    }


def _pick_coders(codes: list[Code], coders: tuple[str, ...] | None) -> tuple[str, str]:
    studies: dict[str, set[str]] = defaultdict(set)
    for item in codes:
        studies[item.coder].add(item.study)
    if coders is not None:
        if len(coders) != 2:
            raise ReviewError(f"agreement compares exactly two coders, got {len(coders)}")
        missing = [name for name in coders if name not in studies]
        if missing:
            raise ReviewError(f"no codes by {', '.join(missing)} (coders: {', '.join(sorted(studies)) or 'none'})")
        return coders[0], coders[1]
    candidates = [name for name in studies if name != CONSENSUS_CODER]
    ranked = sorted(candidates, key=lambda name: (-len(studies[name]), name))
    if len(ranked) < 2:
        raise ReviewError(f"agreement needs two coders; coded so far by: {', '.join(ranked) or 'nobody'}")
    return ranked[0], ranked[1]


def coding_agreement(review: Review, coders: tuple[str, ...] | None = None) -> list[dict]:
    """Per dimension, how far two coders agree on the studies both coded.

    Coders default to the two (other than `consensus`) who coded the most studies; a study counts on a
    dimension when both gave it a value (an empty code is no code). `agreement` is the
    percentage of studies with identical values (sets for multiple choice,
    numeric equality for numbers); `kappa` is Cohen's kappa (single choice only;
    None when undefined), `jaccard` the mean Jaccard index (multiple choice only).
    """
    codes = current_codes(review)
    pair = _pick_coders(codes, coders)
    by_key = {(c.study, c.dimension, c.coder): c.values for c in codes if c.values}  # an empty code is no code
    result = []
    for dimension in review.protocol.codebook.dimensions:
        studies = sorted({c.study for c in codes if c.dimension == dimension.key})
        both = [
            (by_key[s, dimension.key, pair[0]], by_key[s, dimension.key, pair[1]])
            for s in studies
            if (s, dimension.key, pair[0]) in by_key and (s, dimension.key, pair[1]) in by_key
        ]
        row: dict = {
            "dimension": dimension.key,
            "type": dimension.type,
            "coders": list(pair),
            "studies": len(both),
            "agreement": None,
            "kappa": None,
            "jaccard": None,
        }
        if both:
            if dimension.type == "number":
                same = [bool(a and b and float(a[0]) == float(b[0])) or a == b for a, b in both]
            else:
                same = [set(a) == set(b) for a, b in both]
            row["agreement"] = 100 * sum(same) / len(both)
            if dimension.type == "single":
                row["kappa"] = kappa_from_pairs([("; ".join(a), "; ".join(b)) for a, b in both])
            if dimension.type == "multiple":
                row["jaccard"] = sum(jaccard(set(a), set(b)) for a, b in both) / len(both)
        result.append(row)
    return result
