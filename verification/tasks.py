"""Background tasks (django_tasks): sent by the worker, after the deciding transaction has committed."""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_referral_email(decision_id: int) -> bool:
    """Tell the assessor that the internal verifier referred a unit back, with the action points."""
    from .models import VerificationDecision
    from .selectors import mapping_label

    decision = (
        VerificationDecision.objects.select_related(
            "unit_assessment__unit",
            "unit_assessment__registration__candidate",
            "unit_assessment__registration__assessor",
            "unit_assessment__registration__qualification",
            "verifier",
            "mapping__criterion",
            "mapping__range_item",
        )
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        return False
    registration = decision.unit_assessment.registration
    assessor = registration.assessor
    if not assessor.email:
        return False
    unit = decision.unit_assessment.unit
    send_mail(
        subject=f"Unit {unit.ref} referred back by the internal verifier",
        message=(
            f"Hello {assessor.first_name or assessor.username},\n\n"
            f"{decision.verifier} has referred back unit {unit.ref} {unit.title} of {registration.candidate} "
            f"({registration.qualification.code}). The unit is open again for your corrections.\n\n"
            + (
                f"Assessment decision referred back: {mapping_label(decision.mapping)}\n\n"
                if decision.mapping
                else ""
            )
            + f"Action points:\n{decision.action_points}\n\n"
            "Sign in to the portfolio to put it right, then sign the unit off again.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[assessor.email],
    )
    return True


PROPOSAL_ROWS_KEPT = 50  # rows of a generated proposal described for the plan page (accepting takes them all)


@task()
def generate_sample(generation_id: int) -> int:
    """Run a queued sample generation; returns how many decisions it proposes."""
    from .models import SampleGeneration

    generation = (
        SampleGeneration.objects.filter(pk=generation_id)
        .select_related("plan__centre", "requested_by")
        .first()
    )
    if generation is None or generation.finished:
        return 0
    return len(sample_generation_run(generation).keys)


def sample_generation_run(generation):
    """The worker's side of services.sample_generation_request: the plan's whole pool (without the requester's
    own assessments), the greedy generator with its progress saved as it goes, the proposal saved and audited.
    No lock is held: accepting the proposal checks it again against the pool of that moment."""
    from django.utils import timezone

    from audit.actions import Action
    from audit.services import audit_record

    from . import sampling, selectors
    from .models import SampleGeneration

    rows = SampleGeneration.objects.filter(pk=generation.pk)
    rows.update(status=SampleGeneration.Status.RUNNING, done=0)
    plan, actor = generation.plan, generation.requested_by
    try:
        pool = selectors.plan_pool(plan, verifier=actor)
        rows.update(total=len(pool.decisions))
        proposal = sampling.propose_sample(
            pool.plain_plan,
            pool.decisions,
            already_sampled=pool.sampled_ids,
            progress=lambda done, _total: rows.filter(done__lt=done).update(done=done),
        )
    except Exception as exc:
        rows.update(status=SampleGeneration.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        audit_record(
            actor=actor,
            action=Action.SAMPLE_GENERATION_FAILED,
            obj=generation,
            centre=plan.centre,
            details={"plan": plan.pk, "error": str(exc)[:200]},
        )
        raise
    people = pool.people
    shown = [
        {
            "key": d.id,
            "candidate": people.get(d.candidate, d.candidate),
            "unit": d.unit,
            "stage": selectors.stage_label(d.stage),
            "assessor": people.get(d.assessor, d.assessor),
            "methods": ", ".join(sorted(selectors.method_label(m) for m in d.methods)),
            "site": d.site,
        }
        for d in proposal.items[:PROPOSAL_ROWS_KEPT]
    ]
    rows.update(
        status=SampleGeneration.Status.DONE,
        keys=[d.id for d in proposal.items],
        shown=shown,
        unmeetable=proposal.unmeetable,
        done=len(proposal.items),
        finished_at=timezone.now(),
    )
    generation.refresh_from_db()
    audit_record(
        actor=actor,
        action=Action.SAMPLE_GENERATED,
        obj=generation,
        centre=plan.centre,
        details={"plan": plan.pk, "decisions": generation.total, "proposed": len(generation.keys)},
    )
    return generation
