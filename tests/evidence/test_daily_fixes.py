"""Issue 17 item 6 (in part): a future activity date is refused where the activity must have happened; the
witness form ticks no empty "---------" status."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evidence import services
from evidence.services import ERR_FUTURE_DATE, EvidenceDetails
from tests.evidence.conftest import make_statement

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def test_a_statement_dated_tomorrow_is_refused_with_the_reason_and_today_is_accepted(client, people):
    client.force_login(people.candidate)
    fields = {
        "title": "Till",
        "statement_text": "I cashed up.",
        "kind": "statement",
        "context": "real_work",
        "declaration": "on",
    }
    response = client.post(
        reverse("evidence:statement_new"), fields | {"activity_date": f"{TOMORROW:%d/%m/%Y}"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and page.count("the activity must have happened already") == 1
    response = client.post(
        reverse("evidence:statement_new"), fields | {"activity_date": f"{timezone.localdate():%d/%m/%Y}"}
    )
    assert response.status_code == 302


def test_the_services_refuse_a_future_activity_date_too(people):
    with pytest.raises(ValidationError, match="must have happened already"):
        services.evidence_statement_create(
            candidate=people.candidate,
            centre=people.centre,
            declared=True,
            details=EvidenceDetails(title="x", statement_text="y", activity_date=TOMORROW),
        )
    item = make_statement(people.candidate, people.centre)
    with pytest.raises(ValidationError) as caught:
        services.evidence_update(
            item=item,
            actor=people.candidate,
            details=EvidenceDetails(title="x", statement_text="y", kind="statement", activity_date=TOMORROW),
        )
    assert caught.value.message_dict == {"activity_date": [ERR_FUTURE_DATE]}


def test_the_witness_form_ticks_no_empty_status(client, people):
    client.force_login(people.candidate)
    page = client.get(reverse("evidence:witness_new")).content.decode()
    assert "---------" not in page
    assert 'name="suggested_status_category"' in page
    radios = [chunk for chunk in page.split("<input")[1:] if 'name="suggested_status_category"' in chunk]
    assert len(radios) == 5 and not any(" checked" in r.split(">")[0] for r in radios)
    response = client.post(reverse("evidence:witness_new"), {"name": "Sam", "relationship": "Supervisor"})
    assert response.status_code == 302
    assert people.candidate.witnesses.get().suggested_status_category is None
