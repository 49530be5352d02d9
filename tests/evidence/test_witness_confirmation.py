"""Witnesses confirm their testimony themselves, by a single-use expiring link, without an account."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.actions import Action
from audit.models import AuditEntry, Signature
from evidence import confirmations, services
from evidence.models import EvidenceItem, EvidenceRevision, WitnessRequest, WitnessTestimony
from evidence.services import EvidenceDetails

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://testserver/evidence/witness/([\w-]+)/")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver"
    settings.WITNESS_LINK_RATE_LIMIT = 1000


@pytest.fixture
def asked(people, catalogue, django_capture_on_commit_callbacks):
    witness = services.witness_create(
        candidate=people.candidate,
        centre=people.centre,
        name="Sam Supervisor",
        job_title="Store manager",
        email="sam@example.org",
        contact="2 Market Street",
        suggested_status_category=3,
        relationship="Line manager",
    )
    with django_capture_on_commit_callbacks(execute=True):
        item, _ = services.witness_testimony_submit(
            candidate=people.candidate,
            centre=people.centre,
            witness=witness,
            criteria=[catalogue.units[0].criteria.first()],
            declared=True,
            ask_witness=True,
            details=EvidenceDetails(title="Saturday rush", statement_text="Cara greeted every customer."),
        )
    return item


def _token():
    return LINK.search(mail.outbox[-1].body).group(1)


def test_the_witness_is_emailed_a_link_whose_token_is_not_stored(asked):
    assert mail.outbox[-1].to == ["sam@example.org"]
    token = _token()
    request = WitnessRequest.objects.get()
    assert token not in request.token_hash and len(request.token_hash) == 64
    assert AuditEntry.objects.filter(action=confirmations.AUDIT_REQUESTED).count() == 1
    assert token not in str(list(AuditEntry.objects.values_list("details", flat=True)))


def test_testimony_without_text_may_be_left_for_the_witness_to_write(people, catalogue):
    witness = services.witness_create(
        candidate=people.candidate,
        centre=people.centre,
        name="Pat",
        email="p@x.org",
        relationship="Colleague",
    )
    item, _ = services.witness_testimony_submit(
        candidate=people.candidate,
        centre=people.centre,
        witness=witness,
        criteria=[],
        declared=True,
        ask_witness=True,
        details=EvidenceDetails(statement_text=""),
    )
    assert item.witness_testimony.confirmation_text == "not confirmed by the witness"


def test_the_witness_sees_only_the_request_and_confirms_in_their_own_words(client, people, asked):
    token = _token()
    other, _ = services.evidence_statement_create(
        candidate=people.candidate,
        centre=people.centre,
        declared=True,
        details=EvidenceDetails(title="Private diary", statement_text="x"),
    )
    url = reverse("evidence:witness_confirm", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    text = page.content.decode()
    assert "Cara Candidate" in text and "Saturday rush" in text and "Cara greeted every customer." in text
    assert "T-101" in text and "Private diary" not in text and "Sign out" not in text
    response = client.post(
        url,
        {
            "statement_text": "Cara greeted every customer and kept the queue informed.",
            "name": "Sam Supervisor",
            "job_title": "Store manager",
            "declaration": "on",
            "confirm": "1",
        },
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 200
    testimony = WitnessTestimony.objects.get(evidence=asked)
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert testimony.confirmation_text == f"confirmed by Sam Supervisor, Store manager, {today}"
    asked.refresh_from_db()
    assert asked.statement_text.endswith("kept the queue informed.") and asked.revision == 2
    assert (
        EvidenceRevision.objects.get(item=asked).content["statement text"] == "Cara greeted every customer."
    )
    signature = testimony.signature
    assert signature.client_ip == "203.0.113.7" and signature.signer is None
    assert (
        signature.statement in response.content.decode()
        or signature.display_code in response.content.decode()
    )
    assert AuditEntry.objects.filter(action=confirmations.AUDIT_CONFIRMED).count() == 1
    assert User.objects.count() == len({u.pk for u in User.objects.all()})  # nobody was added
    assert not User.objects.filter(username__icontains="sam").exists()


def test_the_assessor_sees_whether_testimony_is_confirmed_before_mapping(client, people, asked):
    url = reverse("assessment:evidence_map", args=[people.registration.pk, asked.pk])
    client.force_login(people.assessor)
    assert "not confirmed by the witness" in client.get(url).content.decode()
    confirmations.witness_confirm(
        token=_token(),
        name="Sam Supervisor",
        job_title="Store manager",
        statement_text=asked.statement_text,
        declared=True,
    )
    page = client.get(url).content.decode()
    assert "confirmed by Sam Supervisor, Store manager" in page and "verification code" in page


@pytest.mark.parametrize("case", ["reused", "forged", "expired", "withdrawn", "deleted"])
def test_a_link_that_cannot_be_used_is_refused_with_who_to_contact(
    client, people, asked, case, django_capture_on_commit_callbacks
):
    token = _token()
    if case == "reused":
        confirmations.witness_decline(token=token, reason="Not me")
    elif case == "forged":
        token = token[:-4] + "AAAA"
    elif case == "expired":
        WitnessRequest.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    elif case == "withdrawn":
        with django_capture_on_commit_callbacks(execute=True):
            confirmations.witness_confirmation_request(
                testimony=asked.witness_testimony, actor=people.candidate
            )
    elif case == "deleted":
        services.evidence_delete(item=asked, actor=people.candidate)
    url = reverse("evidence:witness_confirm", args=[token])
    response = client.get(url)
    text = response.content.decode()
    assert response.status_code == 410
    assert "Cara greeted" not in text
    if case == "forged":
        assert "Cara Candidate" not in text and "ask them to send you a new link" in text
    else:
        assert "Cara Candidate or Test Centre" in text
    posted = client.post(url, {"name": "X", "job_title": "Y", "declaration": "on", "statement_text": "z"})
    assert posted.status_code == 410
    assert not WitnessTestimony.objects.filter(confirmed_at__isnull=False).exists()


def test_declining_is_audited_and_marked(client, asked):
    url = reverse("evidence:witness_confirm", args=[_token()])
    client.post(url, {"decline": "1", "reason": "I was not working that day"})
    testimony = WitnessTestimony.objects.get(evidence=asked)
    assert testimony.declined_at and testimony.decline_reason == "I was not working that day"
    assert testimony.confirmation_text.startswith("declined by the witness")
    assert AuditEntry.objects.filter(action=confirmations.AUDIT_DECLINED).count() == 1


def test_confirming_needs_name_job_title_and_the_declaration_and_loses_nothing(client, asked):
    url = reverse("evidence:witness_confirm", args=[_token()])
    response = client.post(
        url, {"statement_text": "My corrected words", "name": "Sam", "job_title": "", "confirm": "1"}
    )
    assert response.status_code == 400
    assert (
        confirmations.ERR_NAME in response.content.decode()
        and "My corrected words" in response.content.decode()
    )
    assert client.get(url).status_code == 200  # the link still works


def test_the_link_pages_are_rate_limited(client, settings, asked):
    settings.WITNESS_LINK_RATE_LIMIT = 3
    url = reverse("evidence:witness_confirm", args=["forged-token-guess"])
    codes = [client.get(url, REMOTE_ADDR="198.51.100.9").status_code for _ in range(5)]
    assert codes == [410, 410, 410, 429, 429]


def test_who_may_send_the_link(client, people, asked):
    url = reverse("evidence:testimony_request", args=[asked.pk])
    expected = {
        "candidate": 302,
        "assessor": 302,
        "iv": 302,
        "admin": 302,
        "peer": 404,
        "stranger_assessor": 404,
        "other_assessor": 404,
        "other_admin": 404,
        "other_candidate": 404,
        "ev": 404,
    }
    seen = {}
    for name in expected:
        client.force_login(getattr(people, name))
        seen[name] = client.post(url).status_code
    assert seen == expected
    client.logout()
    assert client.post(url).status_code == 302  # to the sign-in page
    assert WitnessRequest.objects.filter(withdrawn_at__isnull=True).count() == 1


def test_the_witness_link_is_public_and_the_same_for_every_role(client, people, asked):
    url = reverse("evidence:witness_confirm", args=[_token()])
    for name in ["candidate", "assessor", "other_candidate", "ev"]:
        client.force_login(getattr(people, name))
        assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 200


def test_the_status_category_is_the_assessors_call(client, people, asked):
    witness = asked.witness_testimony.witness
    assert witness.status_category is None and witness.suggested_status_category == 3
    url = reverse("evidence:witness_status_decide", args=[people.registration.pk, witness.pk])
    for name in ["candidate", "iv", "admin", "other_assessor", "ev"]:
        client.force_login(getattr(people, name))
        assert client.post(url, {"status_category": 2}).status_code == 404, name
    client.force_login(people.assessor)
    client.post(url, {"status_category": 4})
    witness.refresh_from_db()
    assert (witness.status_category, witness.status_decided_by) == (4, people.assessor)
    page = client.get(
        reverse("evidence:registration_witnesses", args=[people.registration.pk])
    ).content.decode()
    assert "decided by" in page and "candidate suggests 3" in page
    with pytest.raises(Exception, match="Only an assessor"):
        services.witness_status_decide(witness=witness, actor=people.candidate, status_category=1)


def test_verify_signature_reports_the_match_then_a_change_behind_the_apps_back(asked, capsys):
    testimony = confirmations.witness_confirm(
        token=_token(),
        name="Sam Supervisor",
        job_title="Store manager",
        statement_text=asked.statement_text,
        declared=True,
    )
    code = testimony.signature.display_code
    call_command("verify_signature", code)
    out = capsys.readouterr().out
    assert "Signed by Sam Supervisor, Store manager (no account)" in out and "still matches" in out
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {EvidenceItem._meta.db_table} SET statement_text = %s WHERE id = %s",
            ["Something Sam never said.", asked.pk],
        )
    with pytest.raises(CommandError, match="changed"):
        call_command("verify_signature", code)
    out = capsys.readouterr().out
    assert "DOES NOT MATCH" in out and "Something Sam never said." in out
    with pytest.raises(CommandError, match="No signature"):
        call_command("verify_signature", "NOPE-NOPE")


def test_signatures_cannot_be_changed_through_the_orm(asked):
    testimony = confirmations.witness_confirm(
        token=_token(), name="Sam", job_title="Manager", statement_text=asked.statement_text, declared=True
    )
    from audit.models import AuditImmutableError

    with pytest.raises(AuditImmutableError):
        Signature.objects.filter(pk=testimony.signature_id).update(signer_name="Someone")


def test_the_verification_page_shows_a_signature_to_the_centres_staff_only(client, people, asked):
    testimony = confirmations.witness_confirm(
        token=_token(), name="Sam", job_title="Manager", statement_text=asked.statement_text, declared=True
    )
    url = f"{reverse('signature_verify')}?code={testimony.signature.display_code}"
    expected = {
        "assessor": 200,
        "iv": 200,
        "admin": 200,
        "stranger_assessor": 200,
        "other_assessor": 404,
        "other_admin": 404,
        "candidate": 404,
        "other_candidate": 404,
    }
    seen = {}
    for name in expected:
        client.force_login(getattr(people, name))
        seen[name] = client.get(url).status_code
    assert seen == expected
    client.force_login(people.admin)
    page = client.get(url).content.decode()
    assert "Signed by Sam, Manager (no account)" in page and "still matches" in page
    assert client.get(f"{reverse('signature_verify')}?code=ZZZZZ-ZZZZZ").status_code == 404


def test_an_expert_witness_confirms_their_statement_with_their_expertise(
    client, people, catalogue, django_capture_on_commit_callbacks
):
    from django.core.exceptions import ValidationError

    from audit.signatures import STATEMENTS, Kind

    with pytest.raises(ValidationError):
        services.witness_create(
            candidate=people.candidate,
            centre=people.centre,
            name="Eve Expert",
            relationship="Area manager",
            is_expert=True,
            expertise="",
        )
    expert = services.witness_create(
        candidate=people.candidate,
        centre=people.centre,
        name="Eve Expert",
        email="eve@example.org",
        relationship="Area manager",
        is_expert=True,
        expertise="Six years managing customer service teams; trains new staff.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.witness_testimony_submit(
            candidate=people.candidate,
            centre=people.centre,
            witness=expert,
            criteria=list(catalogue.units[0].criteria.all()[:2]),
            declared=True,
            ask_witness=True,
            details=EvidenceDetails(title="Handling complaints", statement_text=""),
        )
    assert "expert witness statement" in mail.outbox[-1].subject
    url = reverse("evidence:witness_confirm", args=[_token()])
    page = client.get(url).content.decode()
    assert "Six years managing customer service teams" in page and STATEMENTS[Kind.EXPERT_WITNESS] in page
    client.post(
        url,
        {
            "statement_text": "Cara resolves complaints calmly and by the procedure.",
            "name": "Eve Expert",
            "job_title": "Area manager",
            "declaration": "on",
            "confirm": "1",
        },
    )
    signature = Signature.objects.get()
    assert signature.kind == Kind.EXPERT_WITNESS and signature.statement == STATEMENTS[Kind.EXPERT_WITNESS]
    assert signature.content["expertise"].startswith("Six years") and len(signature.content["criteria"]) == 2


def test_the_candidate_editing_confirmed_testimony_makes_it_unconfirmed_again(people, asked):
    confirmations.witness_confirm(
        token=_token(), name="Sam", job_title="Manager", statement_text=asked.statement_text, declared=True
    )
    details = EvidenceDetails(
        title=asked.title,
        statement_text="Something the witness never saw.",
        kind=asked.kind,
        context=asked.context,
        units=list(asked.units.all()),
    )
    services.evidence_update(item=asked, actor=people.candidate, details=details)
    testimony = WitnessTestimony.objects.get(evidence=asked)
    assert testimony.confirmation_text == "not confirmed by the witness" and testimony.signature is None
    assert Signature.objects.count() == 1  # the record of what Sam signed stays
    assert AuditEntry.objects.filter(action=Action.WITNESS_CONFIRMATION_VOIDED).exists()
