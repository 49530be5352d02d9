"""Writes for the printing app: requesting a batch of forms (audited), and the worker's progress."""
from __future__ import annotations

import io
import zipfile

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessment.selectors import units_of_registrations
from audit.services import audit_record

from . import registry
from .models import PrintJob

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
        centre=centre, requested_by=actor, form=form.slug, qualification=qualification,
        registration_ids=[r.pk for r in registrations], total=batch_total(form, registrations),
    )
    job.full_clean(exclude=["result"])
    job.save()
    audit_record(actor=actor, action="printing.batch_requested", obj=job, centre=centre,
                 details={"form": form.slug, "qualification": qualification.code, "registrations": len(registrations),
                          "pdfs": job.total})
    from .tasks import render_print_job

    transaction.on_commit(lambda: render_print_job.enqueue(job.pk))
    return job


def print_job_run(job: PrintJob) -> PrintJob:
    """Render every PDF of the job into one zip file, counting progress as it goes (the worker calls this).

    Registrations are re-read by id and centre, so a registration moved out of the centre since the request
    is left out rather than printed for the wrong people.
    """
    from assessment.models import Registration

    form = registry.get_form(job.form)
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJob.Status.RUNNING, done=0)
    registrations = list(Registration.objects.filter(pk__in=job.registration_ids, centre_id=job.centre_id)
                         .select_related("candidate", "qualification").order_by("pk"))
    buffer = io.BytesIO()
    try:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            units = units_of_registrations(registrations) if form.per_unit else {}
            for registration in registrations:
                folder = _folder(registration)
                for unit in (units[registration.pk] if form.per_unit else [None]):
                    pdf = registry.render_completed(form, registration, unit)
                    archive.writestr(f"{folder}/{form.filename(registration=registration, unit=unit)}", pdf)
                    PrintJob.objects.filter(pk=job.pk, done__lt=F("total")).update(done=F("done") + 1)
    except Exception as exc:
        PrintJob.objects.filter(pk=job.pk).update(status=PrintJob.Status.FAILED, error=str(exc)[:2000],
                                                  finished_at=timezone.now())
        raise
    job.refresh_from_db()
    job.result.save(f"job-{job.pk}.zip", ContentFile(buffer.getvalue()), save=False)
    job.status = PrintJob.Status.DONE
    job.done = job.total
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "status", "done", "finished_at"])
    return job


def _folder(registration) -> str:
    name = registration.candidate.get_full_name() or registration.candidate.username
    safe = "".join(ch if ch.isalnum() else "-" for ch in name).strip("-") or "candidate"
    return f"{safe}-reg{registration.pk}"
