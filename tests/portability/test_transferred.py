"""Units signed at the sending centre stay signed: a unit whose sending-centre sign-off stands and all of whose
accepted decisions were imported arrives SIGNED, transferred (signed_by empty, the sending centre and signer kept
on the unit assessment), shown with its original signature, counted at once for progress and the rules of
combination, and confirmed or rejected by the receiving assessor on the prior-learning page. Until it is
confirmed no claim covers it and the internal verifier does not sample it; nothing else changes it."""

import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from accounts.models import Role
from assessment.models import UnitAssessment
from portability.models import PassportImport
from qualifications.models import AssessmentCriterion


def export(w, tmp_path):
    path = tmp_path / "passport.zip"
    call_command("export_passport", str(w.reg1.pk), "--output", str(path), stdout=io.StringIO())
    return path


def imported(w, tmp_path, other_centre, *, path=None):
    """reg1's passport (both units signed and claimed at Test Centre) imported at Other Centre."""
    path = path or export(w, tmp_path)
    people = SimpleNamespace(
        candidate=w.make_user(
            "cara2", other_centre, Role.CANDIDATE, first_name="Cara", last_name="Candidate"
        ),
        assessor=w.make_user("rosa", other_centre, Role.ASSESSOR, first_name="Rosa", last_name="Receiving"),
        iv=w.make_user("ian", other_centre, Role.INTERNAL_VERIFIER, first_name="Ian", last_name="Verifier"),
        admin=w.make_user("radmin", other_centre, Role.CENTRE_ADMIN, first_name="Rita", last_name="Admin"),
    )
    call_command(
        "import_passport",
        str(path),
        "--centre",
        other_centre.number,
        "--candidate",
        "cara2",
        "--assessor",
        "rosa",
        "--internal-verifier",
        "ian",
        stdout=io.StringIO(),
    )
    people.record = PassportImport.objects.get()
    people.registration = people.record.registration
    people.prior = {p.unit.ref: p for p in people.record.units.all()}
    return people


def ua_of(r, unit):
    return UnitAssessment.objects.get(registration=r.registration, unit=unit)


def imported_with_a_dropped_decision(w, tmp_path, other_centre):
    """As imported(), but this catalogue's text of unit 101 renumbered its first criterion since the export: the
    decisions on it are dropped as catalogue mismatches."""
    path = export(w, tmp_path)
    criterion = AssessmentCriterion.objects.filter(unit=w.u101).order_by("number").first()
    old_ref = criterion.ref
    AssessmentCriterion.objects.filter(pk=criterion.pk).update(ref="9.9")
    return imported(w, tmp_path, other_centre, path=path), old_ref


# --- 8. the decision-level mismatches are saved ----------------------------------------------------------------
@pytest.mark.django_db
def test_decision_level_mismatches_are_saved_on_the_import_record(claimed_world, tmp_path, other_centre):
    w = claimed_world
    r, old_ref = imported_with_a_dropped_decision(w, tmp_path, other_centre)
    r.record.refresh_from_db()
    assert any(
        m.startswith(f"Unit TV-101: criterion {old_ref} is not in this catalogue")
        for m in r.record.mismatches
    ), r.record.mismatches
