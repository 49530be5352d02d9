"""Download endpoints of the printed forms, the Forms pages and the batch jobs. Thin: the selectors of
the owning apps decide visibility (404 for what is not yours), printing.registry renders."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from accounts.models import Role
from accounts.selectors import centres_of
from assessment.selectors import registration_units, registrations_visible_to
from audit.storage import signed_redirect, signs_urls
from qualifications.selectors import qualifications_visible_to

from . import registry, selectors, services

STAFF_ROLES = {Role.ASSESSOR.value, Role.INTERNAL_VERIFIER.value, Role.CENTRE_ADMIN.value}
BATCH_FORMS = [f for f in registry.FORMS.values()]


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _render_or_message(request, render, filename, *, fallback):
    """The PDF, or (when rendering fails) back to the page the person came from with the failure in words:
    a message on the page they know instead of a server error page or a broken download."""
    try:
        return _pdf(render(), filename)
    except registry.RenderFailed as exc:
        messages.error(request, str(exc))
        back = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = fallback
        return redirect(back)


def _form_or_404(slug):
    try:
        return registry.get_form(slug)
    except LookupError:
        raise Http404("No such form.") from None


def _is_staff(user) -> bool:
    return bool(user.role_set & STAFF_ROLES)


@require_GET
def index(request):
    """The Forms page: the registrations the user may print for, blank forms for centre staff, batches."""
    registrations = list(
        registrations_visible_to(request.user).order_by(
            "qualification__code", "candidate__last_name", "candidate__first_name", "id"
        )[:500]
    )
    admin_centres = list(centres_of(request.user, roles=[Role.CENTRE_ADMIN]))
    context = {
        "registrations": registrations,
        "qualifications": list(qualifications_visible_to(request.user).order_by("code"))
        if _is_staff(request.user)
        else [],
        "admin_centres": admin_centres,
        "batch_forms": BATCH_FORMS,
        "jobs": list(selectors.print_jobs_visible_to(request.user)[:10]) if admin_centres else [],
    }
    return render(request, "printing/index.html", context)


@require_GET
def qualification_forms(request, code):
    qualification = get_object_or_404(qualifications_visible_to(request.user), code=code)
    forms = [f for f in registry.FORMS.values() if f.has_blank and not f.per_unit]
    return render(
        request,
        "printing/qualification_forms.html",
        {
            "qualification": qualification,
            "forms": forms,
            "units": selectors.qualification_units(qualification),
        },
    )


@require_GET
def blank_pdf(request, code, slug, number=None):
    form = _form_or_404(slug)
    if not form.has_blank:
        raise Http404("This form has no blank version.")
    qualification = get_object_or_404(qualifications_visible_to(request.user), code=code)
    unit = None
    if number is not None:
        units = selectors.qualification_units(qualification, number=number)
        if not units:
            raise Http404("No such unit in this qualification.")
        unit = units[0]
    elif form.per_unit:
        raise Http404("Name a unit.")
    return _render_or_message(
        request,
        lambda: registry.render_blank(form, qualification, unit),
        form.filename(qualification=qualification, unit=unit),
        fallback=reverse("printing:qualification", args=[qualification.code]),
    )


@require_GET
def registration_forms(request, pk):
    registration = get_object_or_404(registrations_visible_to(request.user), pk=pk)
    forms = [f for f in registry.FORMS.values() if not f.per_unit]
    return render(
        request,
        "printing/registration_forms.html",
        {
            "registration": registration,
            "forms": forms,
            "units": registration_units(registration),
        },
    )


@require_GET
def completed_pdf(request, pk, slug, unit_pk=None):
    form = _form_or_404(slug)
    registration = get_object_or_404(registrations_visible_to(request.user), pk=pk)
    unit = None
    if unit_pk is not None:
        unit = next((u for u in registration_units(registration) if u.pk == unit_pk), None)
        if unit is None:
            raise Http404("No such unit in this registration.")
    elif form.per_unit:
        raise Http404("Name a unit.")
    return _render_or_message(
        request,
        lambda: registry.render_completed(form, registration, unit),
        form.filename(registration=registration, unit=unit),
        fallback=reverse("printing:registration", args=[registration.pk]),
    )


def batch_create(request):
    if request.method != "POST":
        return redirect("printing:index")  # the form lives on the Forms page
    centre = get_object_or_404(
        centres_of(request.user, roles=[Role.CENTRE_ADMIN]), pk=request.POST.get("centre")
    )
    qualification = get_object_or_404(
        qualifications_visible_to(request.user), code=request.POST.get("qualification")
    )
    form = _form_or_404(request.POST.get("form", ""))
    cohort = selectors.registrations_for_batch(
        registrations_visible_to(request.user).filter(centre=centre), qualification=qualification
    )
    try:
        job = services.print_job_create(
            actor=request.user,
            centre=centre,
            form_slug=form.slug,
            qualification=qualification,
            registrations=cohort,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("printing:index")
    return redirect("printing:job", pk=job.pk)


@require_GET
def job_detail(request, pk):
    job = get_object_or_404(selectors.print_jobs_visible_to(request.user), pk=pk)
    return render(request, "printing/job.html", {"job": job, "form": registry.FORMS.get(job.form)})


@require_GET
def job_status(request, pk):
    job = get_object_or_404(selectors.print_jobs_visible_to(request.user), pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "finished": job.finished,
            "error": job.error if job.status == job.Status.FAILED else "",
        }
    )


@require_GET
def job_download(request, pk):
    job = get_object_or_404(selectors.print_jobs_visible_to(request.user), pk=pk)
    if job.status != job.Status.DONE or not job.result:
        raise Http404("Not ready.")
    filename = f"{job.form}_batch{job.pk}.zip"
    if signs_urls(job.result.storage):
        # Object storage: the browser fetches the zip from the bucket, not through a web process.
        return signed_redirect(
            job.result,
            disposition=content_disposition_header(as_attachment=True, filename=filename),
            content_type="application/zip",
        )
    return FileResponse(
        job.result.open("rb"), as_attachment=True, filename=filename, content_type="application/zip"
    )
