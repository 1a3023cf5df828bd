"""Fuzzing the protocol loader: any file or text gives a Protocol or a one-line `ReviewError`, never another exception."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review.errors import ReviewError
from review.protocol import Protocol, load_protocol, parse_protocol
from tests.conftest import TEMPLATE_PROTOCOL

TEMPLATE = TEMPLATE_PROTOCOL.read_text(encoding="utf-8")
YAML_PIECES = st.sampled_from(
    list("[]{}:,-?&*!|>'\"#%@`\n\t \\\x00") + ["<<: ", "&a ", "*a", "!!binary ", "!!python/object "]
)
FIELDS = ["title", "question", "years", "stages", "codebook", "ranking", "other_sources", "highlight", "languages"]
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parses_or_explains(text: str) -> None:
    try:
        assert isinstance(parse_protocol(text, source="fuzz.yaml"), Protocol)
    except ReviewError as error:
        assert "\n" not in str(error)


@FUZZ
@given(st.binary(max_size=3000))
def test_any_bytes_as_a_protocol_file(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("protocol") / "fuzz.yaml"
    path.write_bytes(data)
    try:
        assert isinstance(load_protocol(path), Protocol)
    except ReviewError as error:
        assert "\n" not in str(error)


@FUZZ
@given(st.text(max_size=3000))
def test_any_text(text):
    parses_or_explains(text)


@FUZZ
@given(
    st.lists(
        st.tuples(st.integers(0, len(TEMPLATE)), st.integers(0, 30), st.lists(YAML_PIECES, max_size=6).map("".join)),
        min_size=1,
        max_size=8,
    )
)
def test_the_template_mutated(edits):
    text = TEMPLATE
    for at, delete, insert in edits:
        at %= len(text) + 1
        text = text[:at] + insert + text[at + delete :]
    parses_or_explains(text)


@FUZZ
@given(st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=5))
def test_wrong_values_in_known_fields(fields):
    data = {**yaml.safe_load(TEMPLATE), **fields}
    parses_or_explains(yaml.safe_dump(data, allow_unicode=True))


def nested(kind: str, depth: int) -> str:
    if kind == "block":
        return "\n" + "".join(" " * level + "k:\n" for level in range(1, depth + 1))
    return {"flow-list": "[", "flow-map": "{a: ", "mixed": "[{a: ", "dashes": "- "}[kind] * depth


@FUZZ
@given(st.integers(1, 5000), st.sampled_from(["flow-list", "flow-map", "mixed", "dashes", "block"]))
def test_deep_nesting(depth, kind):
    parses_or_explains("title: T\nquestion: Q\nx: " + nested(kind, depth))
