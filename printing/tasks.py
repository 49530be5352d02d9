"""Background tasks (django_tasks): batch rendering runs in `manage.py db_worker`, never in a request."""
from django_tasks import task


@task()
def render_print_job(job_id: int) -> int:
    """Render a queued batch of forms; returns how many PDFs were written."""
    from .models import PrintJob
    from .services import print_job_run

    job = PrintJob.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        return 0
    return print_job_run(job).done
