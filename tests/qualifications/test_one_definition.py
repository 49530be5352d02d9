"""Levels, assessment methods and date formats are each defined once; every other module imports them."""

from django.conf import settings

from assessment import coverage
from assessment.models import Method
from audit import dates
from portfolio_site.formats.en_GB import formats
from qualifications import levels, methods, models, rules, validation


def test_the_levels_are_one_list():
    assert (
        models.LEVELS is levels.LEVELS
        and rules.LEVELS is levels.LEVELS
        and validation.LEVELS is levels.LEVELS
    )
    assert models.level_rank is levels.level_rank is rules.level_rank
    assert levels.LEVELS[0] == "Entry 1" and levels.LEVELS[-1] == "Level 8" and len(levels.LEVELS) == 11


def test_the_methods_a_mapping_records_are_the_vocabulary():
    assert Method.choices == list(methods.METHODS)
    assert set(Method.values) == methods.METHOD_NAMES
    assert coverage.normalise_method is methods.normalise_method


def test_every_method_wording_the_catalogue_accepts_counts_toward_coverage():
    """Before: "statement" and "recognition_of_prior_learning" passed catalogue validation but normalised to
    no method a mapping can have, so a requirement naming them was never met."""
    for wording in ("statement", "recognition_of_prior_learning", "product", "observation", "PD"):
        assert methods.is_known_method(wording)
        assert methods.methods_of(wording)[0] in Method.values, wording
    assert not methods.is_known_method("telepathy")
    assert methods.is_known_method("")


def test_a_requirement_with_an_unknown_method_is_refused_naming_the_methods():
    data = {
        "qualifications": [],
        "units": [
            {
                "ref": "9999-101",
                "title": "Unit",
                "outcomes": [
                    {"number": 1, "title": "Do it", "criteria": [{"ref": "1.1", "text": "Does it"}]}
                ],
                "evidence_requirements": [{"ref": "R1", "text": "Show it", "method": "telepathy"}],
            }
        ],
    }
    problems = validation.validate_catalogue_data(data)
    messages = [p.message for p in problems if p.code == validation.UNKNOWN_KIND]
    assert messages == ['method "telepathy" is not one of ' + ", ".join(name for name, _ in methods.METHODS)]


def test_the_date_formats_are_one_definition():
    assert settings.DATE_INPUT_FORMATS == dates.INPUT_FORMATS == formats.DATE_INPUT_FORMATS
    assert settings.DATE_FORMAT == dates.TEMPLATE_DATE == formats.DATE_FORMAT
    assert dates.parse_day("02/12/2026") == dates.parse_day("2026-12-02")
    assert dates.parse_day("2/30/2026") is None
