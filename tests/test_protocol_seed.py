"""The seed review's protocol and the template: valid, faithful to the review, stable keys."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from review.protocol import load_protocol

PROTOCOLS = Path(__file__).resolve().parents[1] / "protocols"
SEED = PROTOCOLS / "helhedsorienteret-indsats.yaml"
KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def seed():
    return load_protocol(SEED)


def test_scope_years_countries_and_stages(seed):
    assert (seed.years.start, seed.years.end) == (2011, 2023)
    assert seed.countries == ["Denmark", "Norway", "Sweden", "Finland", "Iceland"]
    assert (seed.stages.ta.reviewers, seed.stages.ta.blind) == (2, True)
    assert (seed.stages.ft.reviewers, seed.stages.ft.reason_required) == (1, True)
    assert "forpligtende" in seed.description and "komplekse problemstillinger" in seed.question


def test_exclusion_reasons_per_stage(seed):
    ta, ft = seed.stages.ta.reason_keys(), seed.stages.ft.reason_keys()
    assert ta == ["not-cross-sector", "not-target-group", "not-nordic", "outside-years", "not-empirical"]
    assert set(ta) < set(ft)
    assert {"coordination-only", "no-findings", "duplicate-report"} <= set(ft)


def test_codebook_has_the_four_dimensions_and_outcomes(seed):
    dims = {d.key: d for d in seed.codebook.dimensions}
    assert list(dims)[:4] == ["framework", "goals", "roles", "knowledge"]
    for key in ("framework", "goals", "roles", "knowledge", "citizen-outcomes", "staff-outcomes", "sectors"):
        assert dims[key].type == "multiple"
    assert dims["framework"].value_keys() == [
        "legislation-exemptions",
        "management-anchoring",
        "cross-sector-budget-leadership",
        "joint-organisation",
        "it-systems",
        "consent",
    ]
    assert {
        "family-coordinator",
        "cross-sector-case-worker",
        "interdisciplinary-pairs",
        "network-meeting-chair",
        "company-consultant",
    } == set(dims["roles"].value_keys())
    assert {
        "employment-education",
        "self-sufficiency",
        "wellbeing",
        "functioning",
        "child-wellbeing",
        "notifications",
        "school-absence",
    } == set(dims["citizen-outcomes"].value_keys())
    assert dims["staff-outcomes"].value_keys() == ["motivation", "engagement"]
    assert dims["country"].value_keys()[:5] == ["dk", "no", "se", "fi", "is"]
    assert (dims["sample-size"].type, dims["notes"].type) == ("number", "text")


def test_keys_are_kebab_case_and_labels_bilingual(seed):
    for dimension in seed.codebook.dimensions:
        assert KEY.match(dimension.key) and {"da", "en"} <= set(dimension.label.languages())
        for value in dimension.values:
            assert KEY.match(value.key), value.key
            assert {"da", "en"} <= set(value.label.languages())
    for stage in ("ta", "ft"):
        for reason in seed.stage(stage).exclusion_reasons:
            assert KEY.match(reason.key) and "da" in reason.label.languages()


def test_highlight_terms_cover_the_nordic_languages(seed):
    terms = set(seed.highlight.include)
    assert {"tværfaglig", "helhedsorienteret", "tverrfaglig", "helhetlig", "samverkan", "interdisciplinary"} <= terms


def test_template_shows_every_dimension_type():
    template = load_protocol(PROTOCOLS / "template.yaml")
    assert {d.type for d in template.codebook.dimensions} == {"single", "multiple", "text", "number"}
    assert "no" in template.codebook.dimension("country").value_keys()
