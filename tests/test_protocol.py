"""Protocol validation: good files load, bad ones name the field and the reason."""

from __future__ import annotations

import pytest

from review.errors import ProtocolError
from review.protocol import load_protocol, parse_protocol
from tests.conftest import TEMPLATE_PROTOCOL

MINIMAL = "title: T\nquestion: Q\n"


def test_template_is_valid():
    protocol = load_protocol(TEMPLATE_PROTOCOL)
    assert protocol.stage("ta").reviewers == 2 and protocol.stage("ta").blind
    assert protocol.stage("ft").reason_required
    assert protocol.codebook.dimension("design").type == "multiple"


def test_minimal_protocol_gets_defaults():
    protocol = parse_protocol(MINIMAL)
    assert protocol.stage("ta").reviewers == 1
    assert protocol.stage("ft").reason_required
    assert protocol.ranking.model == "all-MiniLM-L6-v2"
    assert "Q" in protocol.zero_shot_query()


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        ("question: Q\n", "title", "Field required"),
        (MINIMAL + "stages: {ta: {reviewers: 3}}\n", "stages.ta.reviewers", "Input should be 1 or 2"),
        (MINIMAL + "years: {from: 2023, to: 2011}\n", "years", "after"),
        (MINIMAL + "colour: blue\n", "colour", "Extra inputs are not permitted"),
        (
            MINIMAL + "codebook: {dimensions: [{key: x, label: X, type: single}]}\n",
            "codebook.dimensions.0",
            "lists no values",
        ),
        (
            MINIMAL + "stages: {ft: {exclusion_reasons: [{key: a, label: A}, {key: a, label: B}]}}\n",
            "stages.ft",
            "repeated: a",
        ),
    ],
)
def test_bad_protocol_names_field_and_reason(text, field, reason):
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(text, source="p.yaml")
    message = str(caught.value)
    assert message.startswith("p.yaml: ")
    assert field in message and reason in message


def test_not_yaml_and_not_a_mapping():
    with pytest.raises(ProtocolError, match="not valid YAML"):
        parse_protocol("title: [unclosed", source="p.yaml")
    with pytest.raises(ProtocolError, match="mapping"):
        parse_protocol("- a list", source="p.yaml")


def test_unknown_dimension_lists_known_ones():
    protocol = load_protocol(TEMPLATE_PROTOCOL)
    with pytest.raises(ProtocolError, match="unknown codebook dimension 'colour' \\(known: country"):
        protocol.codebook.dimension("colour")


def test_cli_init_rejects_bad_protocol(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: T\nquestion: Q\nstages: {ta: {reviewers: 5}}\n")
    result = cli("init", tmp_path / "p", "--protocol", bad)
    assert result.exit_code == 1
    assert "stages.ta.reviewers" in result.output
    assert not (tmp_path / "p" / "review.db").exists()
