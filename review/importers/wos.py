"""Web of Science's tagged plain text, its default export ("Plain text file", `savedrecs.txt`).

A file starts with `FN` and `VR` header lines and ends with `EF`; each record
runs from `PT` to `ER`. A tag is two characters at the start of a line followed
by a space and the value; a value continues on lines indented by three spaces
(one author or cited reference per line). rispy's `WokParser` maps the tags to
fields; the tags themselves are kept verbatim in `raw`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import rispy

from review.errors import ImportFormatError
from review.importers.model import (
    FileFormat,
    ParsedRecord,
    RecordStream,
    Warnings,
    clean_text,
    join_pages,
    normalise_doi,
    parse_year,
    split_list,
)
from review.importers.text import decode, first_line

TAG_LINE = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
CONTINUATION = re.compile(r"^ {2,}(\S.*)$")
FILE_HEADER_TAGS = frozenset({"FN", "VR"})
# rispy's WokParser looks an unknown tag up under a key its mapping lacks; hand it only the tags it maps
MAPPED_TAGS = frozenset(rispy.WokParser.DEFAULT_MAPPING) - {"FN", "VR", "ER", "EF"}
_PARSER = rispy.WokParser(skip_unknown_tags=True)


def looks_like_wos(text: str) -> bool:
    first = first_line(text)
    return first.startswith("FN ") or re.match(r"^PT [A-Z]\s*$", first) is not None


def _scan(lines: Iterable[tuple[int, str]], file: str, warnings: Warnings) -> Iterator[tuple[int, list[list[str]]]]:
    current: list[list[str]] | None = None
    start = 0
    ended = False
    for number, line in lines:
        line = line.rstrip()
        if ended:
            if line.strip():
                warnings.add("text after the end of file mark (EF) skipped", line=number, example=line.strip()[:60])
            continue
        if not line.strip():
            continue
        continuation = CONTINUATION.match(line)
        tag_match = None if continuation else TAG_LINE.match(line)
        if continuation and current:
            current[-1][1] = f"{current[-1][1]}\n{continuation.group(1).strip()}"
        elif tag_match:
            tag, value = tag_match.group(1), (tag_match.group(2) or "").strip()
            if tag == "EF":
                ended = True
            elif tag == "ER" and current is not None:
                yield start, current
                current = None
            elif tag == "ER":
                warnings.add("ER without an open record, skipped", line=number)
            elif tag == "PT":
                if current is not None:
                    warnings.add("record has no ER; closed where the next record starts", line=start)
                    yield start, current
                current, start = [["PT", value]], number
            elif current is not None:
                current.append([tag, value])
            elif tag not in FILE_HEADER_TAGS:
                raise ImportFormatError(
                    file, f"tag {tag} outside a record (every record starts with 'PT ')", line=number
                )
        else:
            raise ImportFormatError(file, f"not a Web of Science tag line: {line.strip()[:60]!r}", line=number)
    if current is not None:
        warnings.add("record has no ER; closed at the end of the file", line=start)
        yield start, current


def _wok_lines(pairs: list[list[str]]) -> Iterator[str]:
    for tag, value in pairs:
        if tag not in MAPPED_TAGS:
            continue
        first, *rest = value.split("\n")
        yield f"{tag} {first}"
        yield from (f"   {line}" for line in rest)
    yield "ER"


def _first(entry: dict, *names: str) -> str | None:
    for name in names:
        value = entry.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        if value:
            return str(value)
    return None


def _list(entry: dict, name: str) -> list[str]:
    value = entry.get(name) or []
    values = value if isinstance(value, list) else [value]
    return [text for text in map(clean_text, values) if text]


def _to_record(pairs: list[list[str]], line: int) -> ParsedRecord:
    (entry,) = _PARSER.parse_lines(_wok_lines(pairs))
    pages = join_pages(_first(entry, "beginning_page"), _first(entry, "ending_page"))
    return ParsedRecord(
        raw=pairs,
        raw_format=FileFormat.WOS,
        title=clean_text(_first(entry, "document_title")),
        abstract=clean_text(_first(entry, "abstract")),
        authors=_list(entry, "author_full_name") or _list(entry, "authors") or _list(entry, "group_authors"),
        year=parse_year(_first(entry, "publication_year", "publication_date", "early_access_date")),
        journal=clean_text(_first(entry, "publication_name")),
        volume=clean_text(_first(entry, "volume")),
        issue=clean_text(_first(entry, "issue")),
        pages=pages or clean_text(_first(entry, "article_number")),
        doi=normalise_doi(_first(entry, "doi")),
        pmid=clean_text(_first(entry, "pubmed_id")),
        keywords=split_list(_first(entry, "author_keywords"), ";") + split_list(_first(entry, "keywords_plus"), ";"),
        type=clean_text(_first(entry, "document_type", "publication_type")),
        language=clean_text(_first(entry, "language")),
        source_id=clean_text(_first(entry, "accession_number")),
        line=line,
    )


def iter_wos(lines: Iterable[tuple[int, str]], file: str, warnings: Warnings) -> Iterator[ParsedRecord]:
    found = False
    for line, pairs in _scan(lines, file, warnings):
        found = True
        yield _to_record(pairs, line)
    if not found:
        raise ImportFormatError(file, "no Web of Science records found (no line starting with 'PT ')")


def read_wos(data: bytes, file: str) -> RecordStream:
    warnings = Warnings()
    text = decode(data, file, warnings)
    return RecordStream(file, FileFormat.WOS, text.encoding, iter_wos(text.lines(), file, warnings), warnings)
