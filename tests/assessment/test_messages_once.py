"""Each message once, next to what it is about (issue 17 item 6): a refusal is shown by the form or by the
messages framework, never both, and never repeated by a summary on the same page."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role
from assessment import services
from assessment.models import UnitAssessment
from qualifications.models import Unit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _visible(response):
    """The page's text as a person reads it (tags and the <head> dropped, whitespace folded)."""
    html = response.content.decode()
    html = re.sub(r"(?s)<head>.*?</head>|<script.*?</script>", " ", html)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text.replace("&#x27;", "'").replace("&quot;", '"'))


def _follow(client, response):
    while response.status_code == 302:
        response = client.get(response["Location"])
    return response


def assert_once(response, text):
    count = _visible(response).count(text)
    assert count == 1, f"{text!r} appears {count} times"


def test_failed_sign_off_says_why_once(client, world):
    services.mapping_add(
        registration=world.registration,
        evidence=world.evidence,
        actor=world.assessor,
        criteria=list(world.unit.criteria.all()),
        method="observation",
        decision="accepted",
    )
    client.force_login(world.assessor)
    ua = UnitAssessment.objects.get(registration=world.registration, unit=world.unit)
    response = _follow(
        client,
        client.post(
            reverse("assessment:unit_sign", args=[world.registration.pk, world.unit.pk]),
            {"password": PASSWORD, "version": ua.version},
        ),
    )
    assert_once(response, "has not signed the authenticity statement")
    assert_once(response, services.NOT_SIGNED_SEE_LIST.format(unit=world.unit.number))


def test_wrong_password_at_sign_off_is_said_once(client, world):
    services.mapping_add(
        registration=world.registration,
        evidence=world.evidence,
        actor=world.assessor,
        criteria=list(world.unit.criteria.all()),
        method="observation",
        decision="accepted",
    )
    ua = UnitAssessment.objects.get(registration=world.registration, unit=world.unit)
    services.authenticity_sign(unit_assessment=ua, actor=world.candidate)
    ua.refresh_from_db()
    client.force_login(world.assessor)
    response = _follow(
        client,
        client.post(
            reverse("assessment:unit_sign", args=[world.registration.pk, world.unit.pk]),
            {"password": "wrong", "version": ua.version},
        ),
    )
    assert_once(response, services.BAD_PASSWORD)
    assert 'id="sign-off-missing"' not in response.content.decode()


def test_empty_action_plan_is_refused_once(client, world):
    client.force_login(world.assessor)
    response = _follow(
        client,
        client.post(
            reverse("assessment:action_plan_new", args=[world.registration.pk]),
            {
                "items-TOTAL_FORMS": 3,
                "items-INITIAL_FORMS": 0,
                "items-MIN_NUM_FORMS": 0,
                "items-MAX_NUM_FORMS": 20,
            },
        ),
    )
    assert_once(response, services.PLAN_NEEDS_ITEMS)


@pytest.fixture
def catalogue_people(centre, make_user):
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4411.json"), verbosity=0)
    return {
        "admin": make_user("adm", centre, Role.CENTRE_ADMIN),
        "candidate": make_user("cand", centre, Role.CANDIDATE),
        "assessor": make_user("ass", centre, Role.ASSESSOR),
        "iv": make_user("iv", centre, Role.INTERNAL_VERIFIER, Role.ASSESSOR),
    }


def _register(client, people, units, **extra):
    client.force_login(people["admin"])
    data = {
        "qualification": "4411-01",
        "centre": people["admin"].memberships.get().centre_id,
        "candidate": people["candidate"].username,
        "assessor": people["assessor"].pk,
        "internal_verifier": people["iv"].pk,
        "registered_on": dt.date.today().isoformat(),
        "save": "1",
        "optional_units": [Unit.objects.get(ref=f"4411-{n}").pk for n in units],
        **extra,
    }
    return _follow(
        client, client.post(reverse("assessment:registration_new") + "?qualification=4411-01", data)
    )


def test_barred_units_at_registration_are_named_once(client, catalogue_people):
    response = _register(client, catalogue_people, ["002", "101", "103"])
    assert_once(response, "002 and 102 cannot both be claimed")  # in the tally, beside the units
    assert_once(response, "cannot lead to 4411-01")
    assert 'id="route"' not in response.content.decode()  # no route to suggest: nothing to repeat


def test_assessor_equal_to_internal_verifier_is_said_once(client, catalogue_people):
    response = _register(client, catalogue_people, ["101", "103", "104"], assessor=catalogue_people["iv"].pk)
    assert_once(response, "nobody verifies their own assessments")


def test_assessor_equal_to_internal_verifier_is_said_once_when_changing_a_registration(
    client, catalogue_people
):
    assert _register(client, catalogue_people, ["101", "103", "104"]).status_code == 200
    from assessment.models import Registration

    registration = Registration.objects.get()
    response = _follow(
        client,
        client.post(
            reverse("assessment:registration_edit", args=[registration.pk]),
            {
                "assessor": catalogue_people["iv"].pk,
                "internal_verifier": catalogue_people["iv"].pk,
                "save": "1",
                "optional_units": [u.pk for u in registration.optional_units.all()],
            },
        ),
    )
    assert_once(response, "nobody verifies their own assessments")


def _token(response):
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def test_back_and_save_again_is_the_same_submission_for_records_feedback_and_plans(client, world):
    from assessment.models import ActionPlan, AssessmentRecord, Feedback
    from assessment.views import ALREADY_SAVED

    client.force_login(world.assessor)
    reg = world.registration.pk
    criterion = world.unit.criteria.first()
    forms = [
        (
            AssessmentRecord,
            reverse("assessment:record_new", args=[reg, "observation"]),
            {
                "date": "2026-03-01",
                "description": "Greeted customers.",
                "criteria": [criterion.pk],
                "setting": "real_work",
            },
        ),
        (Feedback, reverse("assessment:feedback_new", args=[reg]), {"text": "Well done."}),
        (
            ActionPlan,
            reverse("assessment:action_plan_new", args=[reg]),
            {
                "items-TOTAL_FORMS": 1,
                "items-INITIAL_FORMS": 0,
                "items-MIN_NUM_FORMS": 0,
                "items-MAX_NUM_FORMS": 20,
                "items-0-activity": "Observe a complaint",
                "items-0-target_date": "2026-05-01",
            },
        ),
    ]
    for model, url, data in forms:
        data = {**data, "token": _token(client.get(url))}
        first = client.post(url, data)
        assert first.status_code == 302, (model, first.content.decode()[:3000])
        again = _follow(client, client.post(url, data))  # Back, then Save again: the page's token is the same
        assert model.objects.filter(registration=world.registration).count() == 1, model
        assert_once(again, ALREADY_SAVED.format(what="")[1:])
        # A new form (a new token) is a new submission.
        assert client.post(url, {**data, "token": _token(client.get(url))}).status_code == 302
        assert model.objects.filter(registration=world.registration).count() == 2, model


def test_resubmitted_feedback_sends_no_second_email(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.assessor)
    url = reverse("assessment:feedback_new", args=[world.registration.pk])
    data = {"text": "Well done.", "token": _token(client.get(url))}
    with django_capture_on_commit_callbacks() as first:
        client.post(url, data)
    with django_capture_on_commit_callbacks() as again:
        client.post(url, data)
    assert first and not again  # the email (and the notification) go out for the first one only


def test_testimony_sent_again_with_its_token_is_one_item(world):
    """Testimony already takes the upload's token (evidence.services): Back and Save again makes no second item."""
    from evidence import services as evidence_services
    from evidence.models import EvidenceItem
    from evidence.services import EvidenceDetails

    witness = evidence_services.witness_create(
        candidate=world.candidate,
        centre=world.centre,
        name="Sam Supervisor",
        contact="2 Market Street",
        relationship="Line manager",
    )

    def submit():
        return evidence_services.witness_testimony_submit(
            candidate=world.candidate,
            centre=world.centre,
            witness=witness,
            criteria=[],
            declared=True,
            details=EvidenceDetails(statement_text="I saw Cara greet customers."),
            token="testimony-token-1",
        )

    first, created = submit()
    again, created_again = submit()
    assert created and not created_again and again.pk == first.pk
    assert EvidenceItem.objects.filter(kind=EvidenceItem.Kind.WITNESS_TESTIMONY).count() == 1


def test_a_refused_plan_review_and_report_say_why_once(client, world):
    """A refusal the service makes (not a field's) is shown once, not by the page and again by the form."""
    plan = services.action_plan_create(
        registration=world.registration,
        actor=world.assessor,
        items=[("Observe a complaint", dt.date(2026, 5, 1), [])],
    )
    client.force_login(world.assessor)
    made = plan.created_at.date()
    response = client.post(
        reverse("assessment:action_plan_detail", args=[plan.pk]),
        {"reviewed_on": (made - dt.timedelta(days=3)).isoformat(), "notes": "Going well."},
    )
    assert_once(response, "A review cannot be dated before the plan was made")


def test_an_assessment_report_without_yes_no_answers_is_saved(client, world):
    """The seven questions may be left unanswered (the form offers "—"): no "This field cannot be blank."."""
    from assessment.models import AssessmentReport

    client.force_login(world.assessor)
    response = client.post(
        reverse("assessment:assessment_report_new", args=[world.registration.pk]),
        {"unit": world.unit.pk, "date": "2026-03-02", "outcome": "Not yet competent."},
    )
    assert response.status_code == 302, _visible(response)[-600:]
    assert AssessmentReport.objects.get().answers == {}
