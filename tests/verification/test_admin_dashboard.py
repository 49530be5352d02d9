"""The centre admin's dashboard: candidates by stage, registration to certification, referral rates, all counted
by the database (the same queries whatever the size of the centre)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.models import Registration
from tests.assessment.factories import make_candidates
from verification import selectors, services
from verification.models import CertificationClaim

from .conftest import sample_item_for

SIZES = [2, 40]


def _claim(registration, days):
    """A claim made `days` after the registration date (straight in the database: the dashboard reads dates)."""
    registration.registered_on = timezone.localdate() - dt.timedelta(days=days)
    registration.save(update_fields=["registered_on"])
    return CertificationClaim.objects.create(
        registration=registration,
        centre=registration.centre,
        claimed_by=registration.centre.memberships.first().user,
        kind="units",
        units=["TV-101"],
    )


def test_the_panels_count_every_stage_duration_and_rate(signed_world, plan):
    w = signed_world
    crowd = make_candidates(
        centre=w.centre, count=3, qualification=w.qualification, assessor=w.ann, internal_verifier=w.ivy
    )
    Registration.objects.filter(pk=crowd[0].pk).update(status=Registration.Status.WITHDRAWN)
    _claim(w.reg1, 30)
    _claim(w.reg2, 91)
    item = sample_item_for(plan, w.ua(w.reg1, w.u101))
    services.decision_record(item=item, actor=w.pat, outcome="referred", action_points="Redo 1.2")
    data = selectors.centre_admin_dashboard(w.admin)
    assert dict(data["stages"]) == {
        "Withdrawn": 1,
        "Not started / no unit signed": 2,
        "Units signed, in progress": 1,  # reg1: 101 re-opened by the referral
        "Every unit signed": 1,
    }
    assert (data["certified_count"], data["average_days"], data["shortest_days"], data["longest_days"]) == (
        2,
        60,
        30,
        91,
    )
    assert data["referral_rates"] == [
        {"assessor": "Ann Assessor", "decisions": 1, "referred": 1, "percent": 100}
    ]


def test_an_empty_centre(world):
    data = selectors.centre_admin_dashboard(world.admin)
    assert data["certified_count"] == 0 and data["average_days"] is None and data["referral_rates"] == []
    assert dict(data["stages"]) == {"Not started / no unit signed": 2}


@pytest.mark.parametrize("count", SIZES)
def test_same_queries_at_two_sizes(client, world, count, django_assert_num_queries):
    w = world
    regs = make_candidates(
        centre=w.centre, count=count, qualification=w.qualification, assessor=w.ann, internal_verifier=w.ivy
    )
    for reg in regs[: count // 2]:
        _claim(reg, 10)
    client.force_login(w.admin)
    with django_assert_num_queries(10):
        body = client.get(reverse("dashboards:centre_admin")).content.decode()
    assert f"{count // 2} certified: 10 days on average" in body


def test_the_registrations_panel_lists_the_five_newest_of_the_centre_newest_first(client, world):
    w = world
    regs = make_candidates(
        centre=w.centre, count=7, qualification=w.qualification, assessor=w.ann, internal_verifier=w.ivy
    )
    now = timezone.now()
    for n, reg in enumerate(regs):  # regs[6] the newest
        Registration.objects.filter(pk=reg.pk).update(created_at=now + dt.timedelta(minutes=n))
    client.force_login(w.admin)
    body = client.get(reverse("dashboards:centre_admin")).content.decode()
    panel = body.split('id="registrations-panel-heading"', 1)[1].split("</section>", 1)[0]
    shown = [
        int(part.split("/", 1)[0])
        for part in panel.split('href="/assessment/registrations/')[1:]
        if part.split("/", 1)[0].isdigit()
    ]
    assert shown == [r.pk for r in reversed(regs[2:])]
    assert f"{Registration.objects.filter(centre=w.centre).count()} registrations." in panel
