"""Protocol validation: good files load, bad ones name the field and the reason."""

from __future__ import annotations

import json

import pytest
import yaml

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


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("title: Café\nquestion: Q\n".encode("latin-1"), "bad.yaml, line 1: not UTF-8 text (byte 0xe9)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "bad.yaml: looks like a binary file, not a YAML protocol"),
        (b"[" * 20_000, "bad.yaml, line 1, column 51: not valid YAML: nested more than 50 levels deep"),
        (
            b"title: T\nquestion: Q\nstages:\n  ft: {reviewers: 2}\n  ft: {reviewers: 1}\n",
            "bad.yaml, line 5, column 3: not valid YAML: duplicate key 'ft' (first given on line 4)",
        ),
        (
            b"title: T\nquestion: Q\nlanguages: [en,\n  da\nyears: {from: 2000, to: 2020}\n",
            "bad.yaml, line 5, column 6: not valid YAML: expected ',' or ']', but got ':' "
            "(while parsing a flow sequence at line 3)",
        ),
        (b"title: T\x07\nquestion: Q\n", "bad.yaml, line 1: not valid YAML: character #x0007 is not allowed"),
        (b"title: T\nquestion: Q\nyears: {from: 2023-02-30, to: 2024}\n", "bad.yaml: not a usable value (day is"),
        (b'title: T\nquestion: Q\n"col\\nour": blue\n', "bad.yaml: 'col\\nour': Extra inputs are not permitted"),
    ],
)
def test_unreadable_protocol_files_are_one_line_errors(tmp_path, data, message):
    path = tmp_path / "bad.yaml"
    path.write_bytes(data)
    with pytest.raises(ProtocolError) as caught:
        load_protocol(path)
    text = str(caught.value).replace(str(tmp_path) + "/", "")
    assert "\n" not in text
    assert text.startswith(message)


def test_utf8_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufefftitle: Helhedsorienteret indsats\nquestion: Hvad virker?\n".encode())
    assert load_protocol(path).title == "Helhedsorienteret indsats"


def test_merge_keys_may_override_what_they_merge():
    text = MINIMAL + "stages:\n  ta: &stage {reviewers: 2, blind: true}\n  ft:\n    <<: *stage\n    blind: false\n"
    protocol = parse_protocol(text)
    assert protocol.stage("ft").reviewers == 2 and not protocol.stage("ft").blind


@pytest.mark.parametrize("key", ["=cmd|' /C calc'!A0", "@SUM(1+1)", "-x", "1st", "two words", "", "a\nb"])
def test_dimension_keys_that_are_not_identifiers_are_refused(key):
    text = MINIMAL + yaml.safe_dump({"codebook": {"dimensions": [{"key": key, "label": "X", "type": "text"}]}})
    with pytest.raises(ProtocolError, match="codebook.dimensions.0.key: .* is not an identifier"):
        parse_protocol(text, source="p.yaml")


@pytest.mark.parametrize("key", ["country", "sample-size", "staff_outcomes", "målgruppe", "design2"])
def test_identifier_dimension_keys_are_accepted(key):
    text = MINIMAL + yaml.safe_dump({"codebook": {"dimensions": [{"key": key, "label": "X", "type": "text"}]}})
    assert parse_protocol(text).codebook.dimensions[0].key == key


def test_labels_take_any_iso_language_and_fall_back_sensibly():
    text = load_protocol(TEMPLATE_PROTOCOL).model_dump_json(by_alias=True)
    data = json.loads(text)
    data["stages"]["ta"]["exclusion_reasons"] = [
        {"key": "not-nordic", "label": {"en": "Not Nordic", "nb": "Ikke nordisk", "sv": "Inte nordisk"}},
        {"key": "plain", "label": "Plain text is English"},
    ]
    protocol = parse_protocol(json.dumps(data))
    [nordic, plain] = protocol.stage("ta").exclusion_reasons
    assert nordic.label.text("sv") == "Inte nordisk"
    assert nordic.label.text("nn") == "Ikke nordisk"  # a Norwegian written standard serves the other
    assert nordic.label.text("da") == "Not Nordic" and plain.label.text("sv") == "Plain text is English"
    assert {"nb", "sv"} <= set(protocol.label_languages()) and protocol.label_languages()[0] == "en"
    data["stages"]["ta"]["exclusion_reasons"] = [{"key": "x", "label": {"english": "wrong code"}}]
    with pytest.raises(ProtocolError, match="ISO 639"):
        parse_protocol(json.dumps(data))
