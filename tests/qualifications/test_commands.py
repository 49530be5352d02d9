"""load_catalogue, validate_catalogue, export_catalogue, import_catalogue."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from audit.actions import Action
from audit.models import AuditEntry
from qualifications.models import AssessmentCriterion, Qualification, Unit
from qualifications.selectors import catalogue_export, qualification_is_certifiable
from qualifications.services import NOTHING_WRITTEN

from .catalogue_samples import load, load_real_catalogue, small_catalogue

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def fixture_objects():
    return [
        {
            "model": "qualifications.qualification",
            "fields": {"code": "FX-1", "title": "Fixture qual", "level": "Level 1"},
        },
        {
            "model": "qualifications.unit",
            "fields": {
                "ref": "FX-001",
                "scheme": "FX",
                "number": "001",
                "title": "A unit",
                "level": "Level 1",
                "credits": 3,
            },
        },
        {
            "model": "qualifications.qualificationunit",
            "fields": {"qualification": ["FX-1"], "unit": ["FX-001"], "status": "mandatory", "group": None},
        },
        {
            "model": "qualifications.rule",
            "fields": {
                "qualification": ["FX-1"],
                "order": 1,
                "kind": "mandatory_units",
                "params": {"units": ["001"]},
            },
        },
        {
            "model": "qualifications.learningoutcome",
            "fields": {"unit": ["FX-001"], "number": 1, "title": "Be able to do it", "kind": "performance"},
        },
        {
            "model": "qualifications.assessmentcriterion",
            "fields": {
                "unit": ["FX-001"],
                "outcome": ["FX-001", 1],
                "number": 1,
                "ref": "1.1",
                "text": "do it",
                "kind": "performance",
            },
        },
    ]


# --- load_catalogue ---------------------------------------------------------------------------------


def test_load_catalogue_loads_valid_fixture_files_and_is_idempotent(tmp_path):
    path = write(tmp_path, "fx.json", fixture_objects())
    out, _ = run("load_catalogue", str(path))
    assert "Loaded fx.json" in out
    assert Qualification.objects.get(code="FX-1").memberships.count() == 1
    out, _ = run("load_catalogue", str(path))
    assert "Already loaded, skipped" in out
    assert (Unit.objects.count(), AssessmentCriterion.objects.count()) == (1, 1)
    assert AuditEntry.objects.filter(action=Action.CATALOGUE_LOADED).count() == 1


def test_load_catalogue_keeps_admin_corrections_unless_reload(tmp_path):
    path = write(tmp_path, "fx.json", fixture_objects())
    run("load_catalogue", str(path))
    Unit.objects.filter(ref="FX-001").update(credits=5)
    run("load_catalogue", str(path))
    assert Unit.objects.get(ref="FX-001").credits == 5
    run("load_catalogue", str(path), "--reload")
    assert Unit.objects.get(ref="FX-001").credits == 3


def test_bad_json_names_the_file_and_writes_nothing(tmp_path):
    good = write(tmp_path, "a.json", fixture_objects())
    bad = write(tmp_path, "b.json", '[{"model": "qualifications.unit",')
    with pytest.raises(CommandError, match=NOTHING_WRITTEN):
        run("load_catalogue", str(good), str(bad))
    assert not Qualification.objects.exists()


def test_bad_json_message(tmp_path):
    bad = write(tmp_path, "b.json", "{nope")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_catalogue", str(bad), stdout=io.StringIO(), stderr=err)
    assert "b.json: is not valid JSON" in err.getvalue()


def test_missing_field_names_the_file_and_object(tmp_path):
    objects = fixture_objects()
    del objects[1]["fields"]["title"]
    path = write(tmp_path, "fx.json", objects)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_catalogue", str(path), stdout=io.StringIO(), stderr=err)
    assert "fx.json object 2 (qualifications.unit): the field 'title' is missing" in err.getvalue()
    assert not Unit.objects.exists()


def test_a_fixture_that_breaks_validation_is_rolled_back_with_the_record_named(tmp_path):
    objects = fixture_objects()
    objects[3]["fields"]["params"] = {"units": ["001", "404"]}
    first = write(
        tmp_path,
        "ok.json",
        [
            {
                "model": "qualifications.qualification",
                "fields": {"code": "OK-1", "title": "Fine", "level": "Entry 3"},
            }
        ],
    )
    path = write(tmp_path, "fx.json", objects)
    err = io.StringIO()
    with pytest.raises(CommandError, match="refused: 1 error"):
        call_command("load_catalogue", str(first), str(path), stdout=io.StringIO(), stderr=err)
    assert (
        "qualification FX-1 rule 1: mandatory unit 404 is not a unit of the qualification" in err.getvalue()
    )
    assert not Qualification.objects.exists()  # the valid file was rolled back too: all or nothing


def test_a_reference_no_fixture_defines_is_named(tmp_path):
    objects = fixture_objects()
    objects[2]["fields"]["unit"] = ["FX-999"]
    path = write(tmp_path, "fx.json", objects)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_catalogue", str(path), stdout=io.StringIO(), stderr=err)
    assert "fx.json: refers to unit FX-999, which no fixture defines" in err.getvalue()


def test_two_files_defining_a_record_differently_are_refused(tmp_path):
    a = write(tmp_path, "a.json", fixture_objects())
    objects = fixture_objects()
    objects[1]["fields"]["credits"] = 4
    b = write(tmp_path, "b.json", objects[1:2])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_catalogue", str(a), str(b), stdout=io.StringIO(), stderr=err)
    assert (
        "b.json object 1 (qualifications.unit FX-001): differs from a.json object 2 (credits)"
        in err.getvalue()
    )


# --- validate_catalogue ---------------------------------------------------------------------------


def test_validate_catalogue_reports_warnings_and_exits_zero():
    data = small_catalogue()
    data["qualifications"][0]["units"][1]["credits"] = None
    load(data)
    out, err = run("validate_catalogue")
    assert "0 error(s), 1 warning(s)" in out
    assert "WARNING qualification TST-02 unit TST-201: has no credit value" in err


def test_validate_catalogue_exits_non_zero_on_errors():
    load(small_catalogue())
    # data changed behind the catalogue's back (e.g. a raw SQL edit): a gap in criterion numbering
    AssessmentCriterion.objects.filter(unit__ref="TST-201", ref="1.2").update(number=5)
    err = io.StringIO()
    with pytest.raises(CommandError, match="invalid: 1 error"):
        call_command("validate_catalogue", stdout=io.StringIO(), stderr=err)
    assert "ERROR unit TST-201 outcome 1: criterion numbering has a gap" in err.getvalue()


# --- export / import ------------------------------------------------------------------------------


def test_export_has_the_documented_shape():
    load(small_catalogue())
    out, _ = run("export_catalogue")
    data = json.loads(out)
    qualification = data["qualifications"][0]
    assert {k: qualification[k] for k in ("code", "title", "level")} == {
        "code": "TST-02",
        "title": "Test Certificate in Customer Care",
        "level": "Level 2",
    }
    first = qualification["units"][0]
    assert {
        k: first[k] for k in ("ref", "number", "title", "level", "credits", "glh", "status", "group")
    } == {
        "ref": "TST-101",
        "number": "101",
        "title": "Greet customers",
        "level": "Level 1",
        "credits": 4,
        "glh": 20,
        "status": "mandatory",
        "group": None,
    }
    assert first["outcomes"][0]["number"] == 1
    assert first["outcomes"][0]["criteria"][0]["ref"] == "1.1"
    assert first["outcomes"][0]["criteria"][0]["text"] == "describe the first thing"
    assert [u["ref"] for u in data["units"]] == ["TST-900"]


def _wipe_catalogue():
    Qualification.objects.all().delete()
    Unit.objects.all().delete()
    assert catalogue_export() == {"qualifications": [], "units": []}


def test_export_then_import_into_an_empty_catalogue_is_lossless(tmp_path):
    load(small_catalogue())
    first, _ = run("export_catalogue")
    _wipe_catalogue()
    out, _ = run("import_catalogue", str(write(tmp_path, "cat.json", first)))
    assert "Imported 1 qualification(s) (TST-02)" in out
    second, _ = run("export_catalogue")
    assert json.loads(second) == json.loads(first)


def test_real_fixtures_round_trip_losslessly(tmp_path):
    load_real_catalogue()
    first, _ = run("export_catalogue")
    codes = {q["code"] for q in json.loads(first)["qualifications"]}
    assert {"4411-30", "4411-33", "4411-01", "4411-11", "4430-04", "4430-02"} <= codes
    _wipe_catalogue()
    run("import_catalogue", str(write(tmp_path, "cat.json", first)))
    second, _ = run("export_catalogue")
    assert second == first


def test_import_adds_another_awarding_bodys_qualification_without_touching_the_rest(tmp_path):
    load(small_catalogue())
    other = {
        "qualifications": [
            {
                "code": "OB-7",
                "title": "Other Body Award",
                "level": "Level 3",
                "awarding_body": "Other Body",
                "rules": [{"kind": "min_total_credits", "params": {"credits": 4}}],
                "units": [
                    {
                        "ref": "OB-1",
                        "title": "Listen",
                        "level": "Level 3",
                        "credits": 4,
                        "status": "optional",
                        "outcomes": [],
                    }
                ],
            }
        ]
    }
    run("import_catalogue", str(write(tmp_path, "ob.json", other)))
    assert sorted(Qualification.objects.values_list("code", flat=True)) == ["OB-7", "TST-02"]
    assert qualification_is_certifiable("OB-7") == (True, [])
    assert AuditEntry.objects.filter(action=Action.CATALOGUE_IMPORTED).count() == 2


def test_import_refuses_invalid_data_and_writes_nothing(tmp_path):
    data = small_catalogue()
    data["qualifications"][0]["rules"][1]["params"] = {"units": ["101", "555"]}
    err = io.StringIO()
    with pytest.raises(CommandError, match=NOTHING_WRITTEN):
        call_command(
            "import_catalogue", str(write(tmp_path, "bad.json", data)), stdout=io.StringIO(), stderr=err
        )
    assert (
        "qualification TST-02 rule 2: mandatory unit 555 is not a unit of the qualification" in err.getvalue()
    )
    assert not Qualification.objects.exists() and not Unit.objects.exists()


def test_import_refuses_what_conflicts_with_the_catalogue_already_there(tmp_path):
    load(small_catalogue())
    # same unit number 101, but the existing rule demands it mandatory while this import makes it optional
    data = small_catalogue()
    data["qualifications"][0]["units"][0]["status"] = "optional"
    data["qualifications"][0]["rules"] = []
    data["qualifications"][0]["units"][0]["title"] = "Changed title"
    with pytest.raises(CommandError):
        call_command(
            "import_catalogue",
            str(write(tmp_path, "c.json", data)),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Unit.objects.get(ref="TST-101").title == "Greet customers"


def test_import_of_bad_json_names_the_file(tmp_path):
    with pytest.raises(CommandError, match="bad.json: is not valid JSON"):
        run("import_catalogue", str(write(tmp_path, "bad.json", "{")))


def test_incomplete_qualification_loads_but_is_not_certifiable():
    data = small_catalogue()
    data["qualifications"][0]["units"][2]["credits"] = None
    load(data)
    ok, reasons = qualification_is_certifiable(Qualification.objects.get(code="TST-02"))
    assert ok is False
    assert reasons == [
        "qualification TST-02 unit TST-202: has no credit value, and the rules of combination count credits"
    ]
    Unit.objects.filter(ref="TST-202").update(credits=3)
    assert qualification_is_certifiable("TST-02") == (True, [])


def test_real_4430_02_cannot_be_certified_until_completed():
    load_real_catalogue()
    ok, reasons = qualification_is_certifiable("4430-02")
    assert ok is False
    assert any("rule" in r and "incomplete" in r for r in reasons)
    assert any("4430-212: has no credit value" in r for r in reasons)
    assert qualification_is_certifiable("4430-04") == (True, [])
