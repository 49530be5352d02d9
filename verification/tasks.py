"""Background tasks (django_tasks): sent by the worker, after the deciding transaction has committed."""
from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_referral_email(decision_id: int) -> bool:
    """Tell the assessor that the internal verifier referred a unit back, with the action points."""
    from .models import VerificationDecision
    from .selectors import mapping_label

    decision = VerificationDecision.objects.select_related(
        "unit_assessment__unit", "unit_assessment__registration__candidate",
        "unit_assessment__registration__assessor", "unit_assessment__registration__qualification", "verifier",
        "mapping__criterion", "mapping__range_item",
    ).filter(pk=decision_id).first()
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
            + (f"Assessment decision referred back: {mapping_label(decision.mapping)}\n\n" if decision.mapping else "")
            + f"Action points:\n{decision.action_points}\n\n"
            "Sign in to the portfolio to put it right, then sign the unit off again.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[assessor.email],
    )
    return True
