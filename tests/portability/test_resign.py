"""Units signed at the sending centre arrive signed there, not here: shown as "signed at <centre> on <date>, to
be re-signed here", they count for nothing in sign-off, claims or the rules of combination until the receiving
assessor re-signs them through the ordinary sign-off (which checks the mapped evidence). The original signature
stays as provenance."""

import io
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from assessment import services as assessment_services
from assessment.models import UnitAssessment
from audit.models import AuditEntry
from portability import selectors
from portability.importing import prior_unit_decide
from portability.models import PassportImport
from tests.conftest import PASSWORD
from verification import selectors as verification_selectors
from verification import services as verification_services


def imported(w, tmp_path, other_centre):
    """reg1's passport (both units signed and claimed at Test Centre) imported at Other Centre."""
    path = tmp_path / "passport.zip"
    call_command("export_passport", str(w.reg1.pk), "--output", str(path), stdout=io.StringIO())
    people = SimpleNamespace(
        candidate=w.make_user(
            "cara2", other_centre, Role.CANDIDATE, first_name="Cara", last_name="Candidate"
        ),
        assessor=w.make_user("rosa", other_centre, Role.ASSESSOR, first_name="Rosa", last_name="Receiving"),
        iv=w.make_user("ian", other_centre, Role.INTERNAL_VERIFIER, first_name="Ian", last_name="Verifier"),
        admin=w.make_user("radmin", other_centre, Role.CENTRE_ADMIN),
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


def confirm_and_declare(r, unit):
    prior_unit_decide(prior_unit=r.prior[unit.ref], actor=r.assessor, confirm=True)
    assessment_services.authenticity_sign(unit_assessment=ua_of(r, unit), actor=r.candidate)


@pytest.mark.django_db
def test_an_imported_signed_unit_counts_for_nothing_before_it_is_re_signed(
    claimed_world, tmp_path, other_centre
):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    assert (
        r.prior["TV-101"].signed_at_source and r.prior["TV-101"].source_sign_off["signer"] == "Ann Assessor"
    )
    for unit in (w.u101, w.u102):
        confirm_and_declare(r, unit)  # prior evidence confirmed and declared: still not signed here
        assert ua_of(r, unit).status == UnitAssessment.Status.OPEN
    check = verification_selectors.claim_checks([r.registration])[0]
    assert check.signed_refs == [] and check.claimable_refs == [] and not check.full_ready
    assert check.verdict.status != "achieved"
    with pytest.raises(ValidationError):
        verification_services.claim_submit(registration=r.registration, actor=r.admin, kind="unit")
    with pytest.raises(ValidationError):
        verification_services.claim_submit(registration=r.registration, actor=r.admin, kind="full")
    # the receiving assessor re-signs through the ordinary sign-off: now, and only now, it counts
    assessment_services.unit_sign_off(unit_assessment=ua_of(r, w.u101), actor=r.assessor, password=PASSWORD)
    check = verification_selectors.claim_checks([r.registration])[0]
    assert check.signed_refs == ["TV-101"]


@pytest.mark.django_db
def test_re_signing_needs_the_prior_evidence_confirmed_and_mapped(claimed_world, tmp_path, other_centre):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    assessment_services.authenticity_sign(unit_assessment=ua_of(r, w.u101), actor=r.candidate)
    with pytest.raises(ValidationError, match="cannot be signed off yet"):
        assessment_services.unit_sign_off(
            unit_assessment=ua_of(r, w.u101), actor=r.assessor, password=PASSWORD
        )
    prior_unit_decide(prior_unit=r.prior["TV-102"], actor=r.assessor, confirm=False, note="Too old")
    assessment_services.authenticity_sign(unit_assessment=ua_of(r, w.u102), actor=r.candidate)
    with pytest.raises(ValidationError, match="cannot be signed off yet"):  # rejected: nothing mapped
        assessment_services.unit_sign_off(
            unit_assessment=ua_of(r, w.u102), actor=r.assessor, password=PASSWORD
        )


@pytest.mark.django_db
def test_the_original_signature_is_kept_and_the_re_signature_names_it(claimed_world, tmp_path, other_centre):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    original = dict(r.prior["TV-101"].source_sign_off)
    confirm_and_declare(r, w.u101)
    assessment_services.unit_sign_off(unit_assessment=ua_of(r, w.u101), actor=r.assessor, password=PASSWORD)
    row = AuditEntry.objects.get(action="portability.unit_re_signed")
    assert row.details["unit"] == "TV-101" and row.details["from_centre"] == "T001"
    assert row.details["original"]["signer"] == "Ann Assessor"
    assert row.details["original"]["content_sha256"] == original["content_sha256"]
    assert row.details["re_signed_by"] == "rosa"
    r.prior["TV-101"].refresh_from_db()
    assert r.prior["TV-101"].source_sign_off == original  # provenance untouched
    state = selectors.prior_signature_states(r.registration)
    assert state[w.u101.pk].re_signed and state[w.u101.pk].re_signed_by == r.assessor
    assert not state[w.u102.pk].re_signed


@pytest.mark.django_db
def test_pages_say_signed_there_to_be_re_signed_here(client, claimed_world, tmp_path, other_centre):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    signed_on = timezone.localtime(w.ua(w.reg1, w.u101).signed_at).strftime("%d/%m/%Y")
    expected = f"Signed at Test Centre on {signed_on} by Ann Assessor, to be re-signed here"
    client.force_login(r.assessor)
    provenance = client.get(reverse("portability:provenance", args=[r.registration.pk])).content.decode()
    assert provenance.count(expected) == 2
    unit_page = client.get(
        reverse("assessment:unit_matrix", args=[r.registration.pk, w.u101.pk])
    ).content.decode()
    assert expected in unit_page and "the unit counts for nothing here" in unit_page
    hub = client.get(reverse("assessment:registration_detail", args=[r.registration.pk])).content.decode()
    assert hub.count(expected) == 2
    confirm_and_declare(r, w.u101)
    assessment_services.unit_sign_off(unit_assessment=ua_of(r, w.u101), actor=r.assessor, password=PASSWORD)
    provenance = client.get(reverse("portability:provenance", args=[r.registration.pk])).content.decode()
    assert provenance.count(expected) == 1
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert (
        f"Signed at Test Centre on {signed_on} by Ann Assessor; re-signed here by Rosa Receiving on {today}"
        in provenance
    )
    # the sending centre's own pages are unchanged: no note on a registration that was not imported
    client.force_login(w.ann)
    own = client.get(reverse("assessment:unit_matrix", args=[w.reg1.pk, w.u101.pk])).content.decode()
    assert "to be re-signed here" not in own


@pytest.mark.django_db
def test_the_hub_and_unit_page_keep_their_query_counts(
    client, claimed_world, tmp_path, other_centre, django_assert_num_queries
):
    w = claimed_world
    r = imported(w, tmp_path, other_centre)
    client.force_login(r.assessor)
    hub = reverse("assessment:registration_detail", args=[r.registration.pk])
    client.get(hub)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two_units:
        client.get(hub)
    r.prior["TV-102"].delete()  # one imported unit fewer: the same number of queries
    with django_assert_num_queries(len(two_units)):
        client.get(hub)
