"""The review protocol: a YAML file validated by a pydantic schema.

The protocol says what the review asks, who screens how, which exclusion
reasons exist per stage, how records are ranked and what the codebook is.
A copy is stored in the project database when the project is created, so a
project keeps the protocol it was screened under.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError, field_validator, model_validator

from review.errors import ProtocolError
from review.types import STAGES, Stage

PROTOCOL_VERSION = 1
MAX_NESTING = 50  # a protocol nests 8 levels deep; thousands would exhaust the parser's recursion
DIMENSION_KEY = re.compile(r"[^\W\d_][\w-]*")  # a letter, then letters, digits, '-' or '_'


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")  # ISO 639 code, optionally with a region
# Norwegian has two written standards and a macro code; a label in any of them serves the others.
LANGUAGE_FALLBACKS = {"nb": ("no", "nn"), "nn": ("no", "nb"), "no": ("nb", "nn")}


class Label(RootModel[dict[str, str]]):
    """A text in one or more languages, keyed by ISO 639 code (`en`, `da`, `nb`, `nn`, `no`, `sv`, ...).

    Written in YAML as a mapping (`{en: Wrong population, da: Forkert målgruppe}`)
    or as a plain string, which is taken as English.
    """

    @model_validator(mode="after")
    def _codes_and_texts(self) -> Label:
        if not self.root:
            raise ValueError("a label needs a text in at least one language")
        for code, text in self.root.items():
            if not LANGUAGE_CODE.match(code):
                raise ValueError(f"'{code}' is not an ISO 639 language code (such as en, da, nb, sv)")
            if not str(text).strip():
                raise ValueError(f"the {code} text is empty")
        return self

    def text(self, language: str = "en") -> str:
        """The text in `language`, else a closely related language, else English, else the first given."""
        for code in (language, *LANGUAGE_FALLBACKS.get(language, ()), language.split("-")[0], "en"):
            if code in self.root:
                return self.root[code]
        return next(iter(self.root.values()))

    def texts(self) -> list[str]:
        """Every language's text (for matching what a user typed)."""
        return list(self.root.values())

    def languages(self) -> list[str]:
        return list(self.root)


def _as_label(value: object) -> object:
    return {"en": value} if isinstance(value, str) else value


class Criteria(_Strict):
    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


class ExclusionReason(_Strict):
    key: str
    label: Label

    _label_from_text = field_validator("label", mode="before")(_as_label)


class StageSettings(_Strict):
    """How one screening stage runs."""

    reviewers: Literal[1, 2] = 1
    blind: bool = False
    criteria: Criteria = Field(default_factory=Criteria)
    exclusion_reasons: list[ExclusionReason] = Field(default_factory=list)
    reason_required: bool = False

    @model_validator(mode="after")
    def _reasons_unique(self) -> StageSettings:
        keys = [reason.key for reason in self.exclusion_reasons]
        duplicated = sorted({key for key in keys if keys.count(key) > 1})
        if duplicated:
            raise ValueError(f"exclusion reason keys must be unique; repeated: {', '.join(duplicated)}")
        return self

    def reason_keys(self) -> list[str]:
        return [reason.key for reason in self.exclusion_reasons]


class Stages(_Strict):
    ta: StageSettings = Field(default_factory=StageSettings)
    ft: StageSettings = Field(default_factory=lambda: StageSettings(reason_required=True))


class YearRange(_Strict):
    start: int = Field(alias="from")
    end: int = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> YearRange:
        if self.start > self.end:
            raise ValueError(f"'from' ({self.start}) is after 'to' ({self.end})")
        return self


class Highlight(_Strict):
    """Terms the screening view marks in titles and abstracts."""

    include: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


class Ranking(_Strict):
    """Which embedding model and classifier rank the records."""

    model: str = "all-MiniLM-L6-v2"
    use_embeddings: bool = True


class Stopping(_Strict):
    """When screening may stop: the recall to reach, the confidence required and the rule that decides
    (`review.stopping.rules`; `sample` is valid for any ranking)."""

    target: float = Field(default=0.95, gt=0, lt=1)
    confidence: float = Field(default=0.95, gt=0, lt=1)
    rule: Literal["sample", "hypergeometric"] = "sample"


class OtherSources(_Strict):
    """PRISMA counts the tool cannot derive from its own data."""

    registers: int = Field(default=0, ge=0)
    other_methods: int = Field(default=0, ge=0)


class CodeValue(_Strict):
    key: str
    label: Label

    _label_from_text = field_validator("label", mode="before")(_as_label)


class Dimension(_Strict):
    """One column of the codebook: what coders record about each study."""

    key: str
    label: Label
    type: Literal["single", "multiple", "text", "number"]
    group: str | None = None
    description: str | None = None
    values: list[CodeValue] = Field(default_factory=list)

    _label_from_text = field_validator("label", mode="before")(_as_label)

    @field_validator("key")
    @classmethod
    def _key_is_identifier(cls, key: str) -> str:
        """The key is a column name in every coded export, so it must not be text a spreadsheet would run."""
        if not DIMENSION_KEY.fullmatch(key):
            raise ValueError(
                f"dimension key {key!r} is not an identifier: start with a letter and use only letters, "
                "digits, '-' and '_'"
            )
        return key

    @model_validator(mode="after")
    def _choices_need_values(self) -> Dimension:
        if self.type in ("single", "multiple") and not self.values:
            raise ValueError(f"dimension '{self.key}' is {self.type}-choice but lists no values")
        if self.type in ("text", "number") and self.values:
            raise ValueError(f"dimension '{self.key}' is {self.type} and cannot list values")
        return self

    def value_keys(self) -> list[str]:
        return [value.key for value in self.values]


class EvidenceMap(_Strict):
    """The two choice dimensions an evidence map crosses by default."""

    rows: str
    cols: str


class Codebook(_Strict):
    dimensions: list[Dimension] = Field(default_factory=list)
    evidence_map: EvidenceMap | None = None

    @model_validator(mode="after")
    def _keys_unique(self) -> Codebook:
        keys = [dimension.key for dimension in self.dimensions]
        duplicated = sorted({key for key in keys if keys.count(key) > 1})
        if duplicated:
            raise ValueError(f"codebook dimension keys must be unique; repeated: {', '.join(duplicated)}")
        if self.evidence_map is not None:
            choice = {d.key for d in self.dimensions if d.type in ("single", "multiple")}
            for key in (self.evidence_map.rows, self.evidence_map.cols):
                if key not in choice:
                    raise ValueError(f"evidence_map names '{key}', which is not a choice dimension of the codebook")
        return self

    def dimension(self, key: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.key == key:
                return dimension
        known = ", ".join(d.key for d in self.dimensions) or "none"
        raise ProtocolError(f"unknown codebook dimension '{key}' (known: {known})")


class Protocol(_Strict):
    """A validated review protocol."""

    version: Literal[1] = PROTOCOL_VERSION
    title: str
    question: str
    description: str | None = None
    languages: list[str] = Field(default_factory=list)
    countries: list[str] = Field(default_factory=list)
    years: YearRange | None = None
    stages: Stages = Field(default_factory=Stages)
    highlight: Highlight = Field(default_factory=Highlight)
    ranking: Ranking = Field(default_factory=Ranking)
    stopping: Stopping = Field(default_factory=Stopping)
    other_sources: OtherSources = Field(default_factory=OtherSources)
    codebook: Codebook = Field(default_factory=Codebook)

    def stage(self, stage: Stage | str) -> StageSettings:
        return getattr(self.stages, Stage(stage).value)

    def label_languages(self) -> list[str]:
        """Every language any label of the protocol is written in, English first."""
        labels = [reason.label for stage in STAGES for reason in self.stage(stage).exclusion_reasons]
        for dimension in self.codebook.dimensions:
            labels += [dimension.label, *(value.label for value in dimension.values)]
        found = dict.fromkeys(code for label in labels for code in label.languages())
        return sorted(found, key=lambda code: (code != "en", code))

    def zero_shot_query(self) -> str:
        """The text screening starts from before any record is labelled."""
        parts = [self.title, self.question, *self.stages.ta.criteria.include, *self.highlight.include]
        return "\n".join(part for part in parts if part)


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        # keys come from the file: one with a line break or control character is shown quoted, on one line
        field = ".".join(str(part) if str(part).isprintable() else repr(part) for part in item["loc"]) or "(top level)"
        problems.append(f"{field}: {item['msg']}")
    return "; ".join(problems)


class _DuplicateKeyError(yaml.MarkedYAMLError):
    pass


class _TooDeepError(yaml.MarkedYAMLError):
    pass


class _ProtocolLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing what it accepts silently or cannot survive.

    A key given twice would let the second silently win (two `ft:` blocks, the
    first forgotten); nesting thousands deep exhausts the composer's recursion.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise _TooDeepError(
                    problem=f"nested more than {MAX_NESTING} levels deep", problem_mark=self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # '<<' merge keys may be overridden by design
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:
                continue  # an unhashable key: the base class reports it
            if first is not key_node:
                raise _DuplicateKeyError(
                    problem=f"duplicate key {key!r} (first given on line {first.start_mark.line + 1})",
                    problem_mark=key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


def _yaml_problem(error: yaml.YAMLError, text: str) -> tuple[str | None, str]:
    """A PyYAML error (several lines with a source excerpt) as one line: where, and what with its context."""
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        problem = error.problem or "invalid"
        if error.context and error.context_mark is not None:
            problem += f" ({error.context} at line {error.context_mark.line + 1})"
        return f"line {mark.line + 1}, column {mark.column + 1}", f"not valid YAML: {problem}"
    if isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        return f"line {line}", f"not valid YAML: character #x{error.character:04x} is not allowed in a protocol"
    return None, "not valid YAML: " + " ".join(str(error).split())


def parse_protocol(text: str, source: str = "protocol") -> Protocol:
    """Validate protocol YAML text; every error is one line naming the place (field or line) and the reason."""
    try:
        data = yaml.load(text, Loader=_ProtocolLoader)  # safe: _ProtocolLoader is a SafeLoader
    except yaml.YAMLError as error:
        where, problem = _yaml_problem(error, text)
        raise ProtocolError(f"{source}, {where}: {problem}" if where else f"{source}: {problem}") from error
    except ValueError as error:  # a value PyYAML cannot build: 2023-02-30, an integer of 5,000 digits
        raise ProtocolError(f"{source}: not a usable value ({' '.join(str(error).split())[:160]})") from error
    if not isinstance(data, dict):
        raise ProtocolError(f"{source}: expected a mapping of protocol fields at the top level")
    try:
        return Protocol.model_validate(data)
    except ValidationError as error:
        raise ProtocolError(f"{source}: {_describe(error)}") from error


def read_protocol_text(path: Path | str) -> str:
    """A protocol file's text; a binary, non-UTF-8 or unreadable file is a one-line `ProtocolError`."""
    path = Path(path)
    if not path.is_file():
        raise ProtocolError(f"protocol file not found: {path}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ProtocolError(f"{path}: cannot be read ({error.strerror or error})") from error
    if b"\x00" in data:
        raise ProtocolError(f"{path}: looks like a binary file, not a YAML protocol")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ProtocolError(
            f"{path}, line {line}: not UTF-8 text (byte 0x{data[error.start]:02x}); save the protocol as UTF-8"
        ) from error


def load_protocol(path: Path | str) -> Protocol:
    """Read and validate a protocol file."""
    return parse_protocol(read_protocol_text(path), source=str(path))


# --- edits after `init` --------------------------------------------------------------------------------------

PLACEHOLDER = "..."  # what the template leaves in the fields a review must fill in
TEMPLATE_TITLE = "Short title of the review"


def placeholder_fields(protocol: Protocol) -> list[str]:
    """Fields still holding the template's placeholders (a new review from the template must fill them in)."""
    found = ["title"] if protocol.title.strip() == TEMPLATE_TITLE else []
    if PLACEHOLDER in protocol.question:
        found.append("question")
    for stage in STAGES:
        criteria = protocol.stage(stage).criteria
        if any(PLACEHOLDER in text for text in [*criteria.include, *criteria.exclude]):
            found.append(f"stages.{stage}.criteria")
    return found


def edited(protocol: Protocol, changes: dict[str, object]) -> Protocol:
    """The protocol with `changes` (dotted field path -> new value) applied, validated as a whole.

    `stages.ft.reviewers: 2`, `highlight.include: [...]`; an unknown path or
    an invalid value is a one-line `ProtocolError` naming the field.
    """
    data = protocol.model_dump(by_alias=True, mode="json")
    for path, value in changes.items():
        target, *parents, last = [data, *path.split(".")]
        for part in parents:
            if not isinstance(target, dict) or part not in target:
                raise ProtocolError(f"no protocol field {path}")
            target = target[part]
        if not isinstance(target, dict) or last not in target:
            raise ProtocolError(f"no protocol field {path}")
        target[last] = value
    for name in ("title", "question"):
        if not str(data.get(name) or "").strip():
            raise ProtocolError(f"edited protocol: {name}: must not be empty")
    try:
        return Protocol.model_validate(data)
    except ValidationError as error:
        raise ProtocolError(f"edited protocol: {_describe(error)}") from error


def changed_fields(before: Protocol, after: Protocol) -> list[str]:
    """Dotted paths of the leaf fields that differ (lists compared whole), for the audit log."""

    def leaves(value: object, prefix: str = "") -> dict[str, object]:
        if isinstance(value, dict):
            return {k: v for key, item in value.items() for k, v in leaves(item, f"{prefix}{key}.").items()}
        return {prefix.rstrip("."): value}

    old, new = leaves(before.model_dump(mode="json")), leaves(after.model_dump(mode="json"))
    return sorted(path for path in old.keys() | new.keys() if old.get(path) != new.get(path))


def to_yaml(protocol: Protocol) -> str:
    """The protocol as YAML that `parse_protocol` reads back to the same protocol."""
    data = protocol.model_dump(by_alias=True, mode="json", exclude_none=True)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def reason_lines(reasons: list[ExclusionReason], language: str) -> str:
    """Exclusion reasons as editable text: one `key: label` line each, the label in `language`."""
    return "\n".join(f"{reason.key}: {reason.label.text(language)}" for reason in reasons)


def reasons_from_lines(text: str, existing: list[ExclusionReason], language: str) -> list[dict]:
    """Exclusion reasons from `key: label` lines; a kept key keeps its labels in the other languages."""
    known = {reason.key: reason.label.root for reason in existing}
    reasons = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, colon, label = (part.strip() for part in line.partition(":"))
        if not colon or not key or not label:
            raise ProtocolError(f"exclusion reasons, line {number}: write it as 'key: label'")
        reasons.append({"key": key, "label": {**known.get(key, {}), language: label}})
    return reasons
