"""Issue 17 item 6: Back and Save again is the same submission, for the witness forms as for records, feedback and
plans. Each test works the way a person does: open the form, save it, go Back (the page keeps its hidden token)
and save again."""

import re

import pytest
from django.urls import reverse

from evidence.models import EvidenceItem, Witness
from tests.evidence.conftest import multipart

pytestmark = pytest.mark.django_db

ALREADY = "already saved"


def _token(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def _follow(client, response):
    while response.status_code == 302:
        response = client.get(response["Location"])
    return response


def test_a_witness_saved_again_after_back_is_one_witness(client, people):
    client.force_login(people.candidate)
    url = reverse("evidence:witness_new")
    data = {
        "name": "Sam Supervisor",
        "relationship": "Line manager",
        "email": "sam@example.com",
        "token": _token(client.get(url)),
    }
    assert client.post(url, data).status_code == 302
    again = _follow(client, client.post(url, data))
    assert Witness.objects.filter(candidate=people.candidate).count() == 1
    assert ALREADY in again.content.decode()
    # A new form (a new token) is a new witness.
    assert client.post(url, {**data, "token": _token(client.get(url))}).status_code == 302
    assert Witness.objects.filter(candidate=people.candidate).count() == 2


def test_testimony_saved_again_after_back_is_one_item_and_one_email(
    client, people, mailoutbox, django_capture_on_commit_callbacks
):
    witness = Witness.objects.create(
        candidate=people.candidate,
        centre=people.centre,
        name="Sam Supervisor",
        relationship="Line manager",
        email="sam@example.com",
    )
    client.force_login(people.candidate)
    url = reverse("evidence:testimony_new")
    fields = {
        "witness": witness.pk,
        "statement_text": "I saw Cara greet customers.",
        "context": "real_work",
        "declaration": "on",
        "ask_witness": "on",
        "token": _token(client.get(url)),
    }

    def submit():
        body, content_type = multipart(fields)
        with django_capture_on_commit_callbacks(execute=True):
            return client.generic("POST", url, body, content_type=content_type)

    assert submit().status_code == 302
    again = _follow(client, submit())
    assert EvidenceItem.objects.filter(kind=EvidenceItem.Kind.WITNESS_TESTIMONY).count() == 1
    assert len(mailoutbox) == 1
    assert ALREADY in again.content.decode()


def test_the_witness_link_asked_again_after_back_is_sent_once_and_keeps_working(
    client, people, mailoutbox, django_capture_on_commit_callbacks
):
    from evidence.models import WitnessRequest
    from evidence.views import ALREADY_SENT

    witness = Witness.objects.create(
        candidate=people.candidate,
        centre=people.centre,
        name="Sam Supervisor",
        relationship="Line manager",
        email="sam@example.com",
    )
    client.force_login(people.candidate)
    body, content_type = multipart(
        {
            "witness": witness.pk,
            "statement_text": "I saw Cara greet customers.",
            "context": "real_work",
            "declaration": "on",
        }
    )
    item_url = client.generic("POST", reverse("evidence:testimony_new"), body, content_type=content_type)[
        "Location"
    ]
    data = {"token": _token(client.get(item_url))}
    url = reverse("evidence:testimony_request", args=[EvidenceItem.objects.get().pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
    with django_capture_on_commit_callbacks(execute=True):
        again = _follow(client, client.post(url, data))
    assert len(mailoutbox) == 1
    assert WitnessRequest.objects.count() == 1 and WitnessRequest.objects.get().is_open
    assert ALREADY_SENT.format(name="Sam Supervisor", email="sam@example.com") in again.content.decode()
    # Pressed from a page opened afresh, it sends a new link (the earlier one stops working).
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"token": _token(client.get(item_url))})
    assert len(mailoutbox) == 2 and WitnessRequest.objects.filter(withdrawn_at__isnull=True).count() == 1
