"""Writes for the printing app: requesting a batch of forms (audited); the worker's side is printing.tasks."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from assessment.selectors import units_of_registrations
from audit.actions import Action
from audit.services import audit_record

from . import registry
from .models import PrintJob
from .tasks import render_print_job

NO_REGISTRATIONS = "No active registrations of {code} at {centre}: there is nothing to print."
NOT_A_BATCH_FORM = "The {title} is printed per candidate; choose a form for the cohort."


def batch_total(form: registry.PrintForm, registrations) -> int:
    """How many PDFs a batch makes: one per registration, or one per unit for the recording form."""
    if not form.per_unit:
        return len(registrations)
    units = units_of_registrations(registrations)
    return sum(len(units[r.pk]) for r in registrations)


@transaction.atomic
def print_job_create(*, actor, centre, form_slug: str, qualification, registrations) -> PrintJob:
    """Queue a cohort's completed forms for the worker. `registrations` are already scoped to `actor`."""
    form = registry.get_form(form_slug)
    registrations = list(registrations)
    if not registrations:
        raise ValidationError(NO_REGISTRATIONS.format(code=qualification.code, centre=centre.name))
    job = PrintJob(
        centre=centre,
        requested_by=actor,
        form=form.slug,
        qualification=qualification,
        registration_ids=[r.pk for r in registrations],
        total=batch_total(form, registrations),
    )
    job.full_clean(exclude=["result"])
    job.save()
    audit_record(
        actor=actor,
        action=Action.PRINTING_BATCH_REQUESTED,
        obj=job,
        centre=centre,
        details={
            "form": form.slug,
            "qualification": qualification.code,
            "registrations": len(registrations),
            "pdfs": job.total,
        },
    )
    transaction.on_commit(lambda: render_print_job.enqueue(job.pk))
    return job
