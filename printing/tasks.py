"""Background tasks (django_tasks): batch rendering runs in `manage.py db_worker`, never in a request.

The batch is requested (and audited) by printing.services, which enqueues `render_print_job`; this module is
the worker's side and imports nothing from the services.
"""

from __future__ import annotations

import tempfile
import zipfile

from django.core.files import File
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from assessment.models import Registration
from assessment.selectors import units_of_registrations

from . import registry
from .models import PrintJob


@task()
def render_print_job(job_id: int) -> int:
    """Render a queued batch of forms; returns how many PDFs were written."""
    job = PrintJob.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        return 0
    return print_job_run(job).done


def print_job_run(job: PrintJob) -> PrintJob:
    """Render every PDF of the job into one zip file, counting progress as it goes (the worker calls this).

    Registrations are re-read by id and centre, so a registration moved out of the centre since the request
    is left out rather than printed for the wrong people. Each PDF goes into a zip on a temporary file as soon
    as it is rendered, so the worker holds one form's pages in memory however big the cohort; the finished
    zip is then copied to the configured storage.
    """
    form = registry.get_form(job.form)
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJob.Status.RUNNING, done=0)
    registrations = list(
        Registration.objects.filter(pk__in=job.registration_ids, centre_id=job.centre_id)
        .select_related("candidate", "qualification")
        .order_by("pk")
    )
    with tempfile.TemporaryFile(prefix="print-job-") as spool:
        _write_zip(job, form, registrations, spool)
        job.refresh_from_db()
        spool.seek(0)
        name = f"job-{job.pk}.zip"
        job.result.save(name, File(spool, name=name), save=False)
    job.status = PrintJob.Status.DONE
    job.done = job.total
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "status", "done", "finished_at"])
    return job


def _write_zip(job, form, registrations, spool) -> None:
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
            units = units_of_registrations(registrations) if form.per_unit else {}
            for registration in registrations:
                folder = _folder(registration)
                for unit in units[registration.pk] if form.per_unit else [None]:
                    pdf = registry.render_completed(form, registration, unit)
                    archive.writestr(f"{folder}/{form.filename(registration=registration, unit=unit)}", pdf)
                    PrintJob.objects.filter(pk=job.pk, done__lt=F("total")).update(done=F("done") + 1)
    except Exception as exc:
        PrintJob.objects.filter(pk=job.pk).update(
            status=PrintJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise


def _folder(registration) -> str:
    name = registration.candidate.get_full_name() or registration.candidate.username
    safe = "".join(ch if ch.isalnum() else "-" for ch in name).strip("-") or "candidate"
    return f"{safe}-reg{registration.pk}"
