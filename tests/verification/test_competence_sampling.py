"""The sampling plan samples every candidate of trainee and newly qualified assessors, from the competence records."""

import datetime as dt

from django.utils import timezone

from accounts.competence import selectors as competence
from accounts.competence import services as competence_services
from accounts.models import StaffQualification
from verification.selectors import plan_pool


def test_trainee_and_newly_qualified_assessors_are_sampled_in_full(world, plan):
    pool = plan_pool(plan)
    assert pool.plain_plan.full_sample_assessors == frozenset()
    competence_services.trainee_set(
        actor=world.admin,
        centre=world.centre,
        person=world.ann,
        is_trainee=True,
        countersigning_assessor=None,
    )
    competence_services.staff_qualification_add(
        actor=world.admin,
        centre=world.centre,
        person=world.pat,
        kind=StaffQualification.Kind.TAQA_ASSESSOR,
        achieved_on=timezone.localdate() - dt.timedelta(days=40),
    )
    pool = plan_pool(plan)
    assert pool.plain_plan.full_sample_assessors == frozenset({"ann", "pat"})
    assert pool.flagged == {"ann": competence.TRAINEE_FLAG, "pat": competence.NEWLY_QUALIFIED_FLAG}


def test_an_assessor_qualified_for_years_is_not_flagged(world, plan):
    for kind, years in ((StaffQualification.Kind.D32, 8), (StaffQualification.Kind.TAQA_ASSESSOR, 0)):
        competence_services.staff_qualification_add(
            actor=world.admin,
            centre=world.centre,
            person=world.pat,
            kind=kind,
            achieved_on=timezone.localdate() - dt.timedelta(days=365 * years + 1),
        )
    assert "pat" not in plan_pool(plan).flagged
