"""Portfolio pages. Thin: forms collect, services decide, selectors say what each person may see.

The access table (portfolio_site/access.py) says which roles reach each URL; evidence_visible_to says
which items: anything else is a 404, the same as a missing item.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from audit.storage import signed_redirect, signs_urls

from . import confirmations, links, ranges, registry, revisions, selectors, services, sniffing, visibility
from .forms import (
    ALREADY_SAVED,
    TOKEN_RE,
    CorrectionForm,
    EditForm,
    StatementForm,
    UploadForm,
    WitnessConfirmForm,
    WitnessForm,
    WitnessStatusForm,
    WitnessTestimonyForm,
    new_token,
)
from .models import AUTHENTICITY_DECLARATION, EvidenceItem, Witness
from .sniffing import FileRefused
from .uploads import parse_evidence_upload

ALREADY_SENT = (
    "The link was already emailed to {name} ({email}) from this page: nothing was sent again, and the "
    "link they have still works."
)
STAFF_ROLES = {Role.ASSESSOR, Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN}


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _error_text(exc) -> list[str]:
    if isinstance(exc, ValidationError):
        return [str(m) for m in exc.messages]
    return [str(exc)]


def _my_centre(request):
    centre = selectors.candidate_centre(request.user)
    if centre is None:
        raise Http404("You are not a candidate at any centre.")
    return centre


def _visible_item(request, pk, *, own=False) -> EvidenceItem:
    try:
        item = selectors.evidence_detail_for(request.user, pk)
    except EvidenceItem.DoesNotExist:
        raise Http404("No such evidence.") from None
    if own and item.candidate_id != request.user.pk:
        raise Http404("No such evidence.")
    return item


def _opened(request, item) -> None:
    """Tell the apps above who opened what (verification writes an external verifier's grant access log)."""
    visibility.evidence_opened(
        user=request.user,
        item=item,
        path=request.get_full_path(),
        view_name=request.resolver_match.view_name if request.resolver_match else "",
    )


EVIDENCE_PER_PAGE = 50


def _list_filters(request, units) -> dict:
    """The list's filters from the query string; anything unknown is ignored (the whole list)."""
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    unit = request.GET.get("unit", "")
    unit_id = int(unit) if unit.isdigit() and int(unit) in {u.pk for u in units} else None
    return {
        "kind": kind if kind in EvidenceItem.Kind.values else "",
        "unit_id": unit_id,
        "status": status if status in selectors.EVIDENCE_STATUSES else "",
    }


def evidence_list(request):
    """The candidate's evidence, newest first, a page at a time (the same queries on every page)."""
    units = list(selectors.units_tagged_by(request.user))
    filters = _list_filters(request, units)
    items = selectors.evidence_filter(
        selectors.evidence_for_candidate(request.user, viewer=request.user), **filters
    ).order_by("-created_at", "-id")
    page = Paginator(items, EVIDENCE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "evidence/list.html",
        {
            "page": page,
            "items": page.object_list,
            "filters": filters,
            "filtered": any(filters.values()),
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "kinds": EvidenceItem.Kind.choices,
            "units": units,
            "statuses": selectors.EVIDENCE_STATUSES.items(),
        },
    )


def _form_errors(form) -> list[str]:
    out = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields and name != "__all__" else ""
        out.extend(f"{label}: {e}" if label and name != "declaration" else str(e) for e in errors)
    return out


@csrf_exempt
@require_http_methods(["GET", "POST"])
def upload(request):
    """Upload page; POST takes one file (the JavaScript sends one request per file) or many (no JS)."""
    if request.method != "POST":
        return _upload_page(request, UploadForm(candidate=request.user))
    parsed = parse_evidence_upload(request)  # before anything reads request.POST
    if parsed.aborted:
        # Nothing was stored; no state changes, so no CSRF check is needed to say so.
        return _upload_answer(request, status=400, errors=parsed.errors, created=[])
    return csrf_protect(_upload_post)(request, parsed)


def _upload_post(request, parsed):
    centre = _my_centre(request)
    form = UploadForm(parsed.post, candidate=request.user)
    if not form.is_valid():
        for upload in parsed.files:
            upload.close()
        return _upload_answer(
            request, status=400, errors=parsed.errors + _form_errors(form), created=[], form=form
        )
    errors = list(parsed.errors)
    if not parsed.files and not errors:
        errors.append(services.ERR_NO_FILE)
    created = []
    token = form.cleaned_data["token"]
    for index, upload_file in enumerate(parsed.files):
        details = form.details()
        if details.title and len(parsed.files) > 1:
            details.title = f"{details.title} ({index + 1})"
        try:
            item, was_created = services.evidence_upload(
                candidate=request.user,
                centre=centre,
                upload=upload_file,
                details=details,
                declared=form.cleaned_data["declaration"],
                token=f"{token}-{index}" if token else "",
            )
            created.append((item, was_created))
        except (FileRefused, ValidationError) as exc:
            errors.extend(_error_text(exc))
        finally:
            upload_file.close()
    status = 200 if created and not errors else (207 if created else 400)
    return _upload_answer(request, status=status, errors=errors, created=created, form=form)


def _upload_answer(request, *, status, errors, created, form=None):
    if _wants_json(request):
        return JsonResponse(
            {
                "ok": not errors,
                "errors": errors,
                "items": [
                    {
                        "id": item.pk,
                        "title": item.title,
                        "url": reverse("evidence:detail", args=[item.pk]),
                        "duplicate": not was_created,
                    }
                    for item, was_created in created
                ],
            },
            status=status,
        )
    for item, _ in created:
        messages.success(request, f"Uploaded “{item.title}”.")
    if errors:
        for message in errors:
            messages.error(request, message)
        return _upload_page(request, form or UploadForm(candidate=request.user), status=400)
    return redirect("evidence:list")


def _upload_page(request, form, status=200):
    return render(
        request,
        "evidence/upload.html",
        {
            "form": form,
            "max_size": settings.EVIDENCE_MAX_FILE_SIZE,
            "max_size_text": sniffing.human_size(settings.EVIDENCE_MAX_FILE_SIZE),
            "max_files": settings.EVIDENCE_MAX_FILES_PER_REQUEST,
            "accept": sniffing.ACCEPT_ATTRIBUTE,
            "allowed_summary": sniffing.ALLOWED_SUMMARY,
            "messages_text": {
                "empty": sniffing.ERR_EMPTY,
                "too_big": sniffing.ERR_TOO_BIG,
                "not_allowed": sniffing.ERR_NOT_ALLOWED,
                "too_many": sniffing.ERR_TOO_MANY_FILES,
                "declaration": services.ERR_DECLARATION,
            },
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def statement_new(request):
    form = StatementForm(request.POST or None, candidate=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item, _ = services.evidence_statement_create(
                candidate=request.user,
                centre=_my_centre(request),
                details=form.details(),
                declared=form.cleaned_data["declaration"],
                token=form.cleaned_data["token"],
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, f"Saved “{item.title}”.")
            return redirect("evidence:detail", pk=item.pk)
    return render(request, "evidence/statement_form.html", {"form": form})


def _attach(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def detail(request, pk):
    item = _visible_item(request, pk)
    _opened(request, item)
    return render(
        request,
        "evidence/detail.html",
        {
            "item": item,
            "versions": selectors.evidence_versions(item, viewer=request.user),
            "inline": item.content_type in sniffing.INLINE_SAFE_TYPES,
            "player": sniffing.player_for(item.content_type) if item.file else None,
            "crumbs": (
                [("My evidence", reverse("evidence:list"))]
                if item.candidate_id == request.user.pk
                else registry.trail(request.user, item)
            ),
            "is_owner": item.candidate_id == request.user.pk,
            "newer": _newer_version(request, item),
            "authenticity_declaration": AUTHENTICITY_DECLARATION,
            "submission_token": new_token(),  # the "email the witness" button, pressed again after Back: sent once
            # the candidate, or staff of the centre (not an external verifier) may (re)send the witness's link
            "may_request_confirmation": item.deleted_at is None
            and (item.candidate_id == request.user.pk or bool(request.user.role_set & STAFF_ROLES)),
        },
    )


def _newer_version(request, item):
    try:
        newer = item.next_version
    except EvidenceItem.DoesNotExist:
        return None
    if newer.deleted_at or not selectors.evidence_visible_to(request.user).filter(pk=newer.pk).exists():
        return None
    return newer


def _file_response(request, item, fieldfile, content_type, filename, inline):
    disposition = content_disposition_header(as_attachment=not inline, filename=filename)
    storage = fieldfile.storage
    if signs_urls(storage):
        # Object storage: after the access check, send the browser to a short-lived signed URL that
        # carries the same headers.
        response = signed_redirect(fieldfile, disposition=disposition, content_type=content_type)
    else:
        try:
            handle = fieldfile.open("rb")
        except FileNotFoundError:
            raise Http404("The file is missing.") from None
        response = _ranged_response(request, handle, fieldfile.size, content_type)
        response["Content-Disposition"] = disposition
        if content_type != "application/pdf":
            response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


RANGE_CHUNK = 64 * 1024


def _read_slice(handle, start: int, length: int):
    try:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(RANGE_CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _ranged_response(request, handle, size: int, content_type: str):
    """The whole file (200), the byte range a player asks for (206), or 416 for a range beyond the file."""
    try:
        wanted = ranges.requested_range(request.headers.get("Range"), size)
    except ranges.Unsatisfiable:
        handle.close()
        response = HttpResponse(status=416, content_type="text/plain")
        response["Content-Range"] = f"bytes */{size}"
    else:
        if wanted is None:
            response = FileResponse(handle, content_type=content_type)
        else:
            response = StreamingHttpResponse(
                _read_slice(handle, wanted.start, wanted.length), status=206, content_type=content_type
            )
            response["Content-Range"] = wanted.content_range(size)
            response["Content-Length"] = str(wanted.length)
    response["Accept-Ranges"] = "bytes"
    return response


def _first_request(request) -> bool:
    """Not a player's follow-up range request (those would log one opening per seek)."""
    header = request.headers.get("Range", "")
    return not header or header.strip().startswith("bytes=0-")


def download(request, pk):
    """The file, for people who may see the item: inline only for PDF/PNG/JPEG/WebP, else attachment."""
    item = _visible_item(request, pk)
    if not item.file:
        raise Http404("This evidence has no file.")
    if _first_request(request):
        _opened(request, item)
    content_type = item.content_type or "application/octet-stream"
    inline = content_type in sniffing.INLINE_SAFE_TYPES and request.GET.get("attachment") != "1"
    return _file_response(request, item, item.file, content_type, item.original_name or "evidence", inline)


def preview(request, pk):
    item = _visible_item(request, pk)
    if not item.preview:
        raise Http404("No preview.")
    _opened(request, item)
    return _file_response(request, item, item.preview, "image/jpeg", f"preview-{item.pk}.jpg", True)


@require_http_methods(["GET", "POST"])
def edit(request, pk):
    item = _visible_item(request, pk, own=True)
    if item.is_locked:
        messages.info(request, services.ERR_LOCKED)
        return redirect("evidence:correct", pk=item.pk)
    form = EditForm(
        request.POST or None, candidate=request.user, item=item, initial=EditForm.initial_for(item)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evidence_update(item=item, actor=request.user, details=form.details())
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect("evidence:detail", pk=item.pk)
    return render(request, "evidence/edit.html", {"form": form, "item": item})


@require_http_methods(["GET", "POST"])
def delete(request, pk):
    item = _visible_item(request, pk, own=True)
    error = None
    if request.method == "POST":
        try:
            services.evidence_delete(item=item, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Deleted “{item.title}”.")
            return redirect("evidence:list")
    elif item.is_locked:
        error = services.ERR_LOCKED
    return render(
        request,
        "evidence/delete.html",
        {"item": item, "error": error},
        status=400 if error and request.method == "POST" else 200,
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def correct(request, pk):
    """A correction of a locked item: a new version (with or without a new file); the old one is kept."""
    item = _visible_item(request, pk, own=True)
    if request.method != "POST":
        form = CorrectionForm(candidate=request.user, item=item, initial=EditForm.initial_for(item))
        return render(request, "evidence/correct.html", {"form": form, "item": item, "errors": []})
    parsed = parse_evidence_upload(request, field_name="file")
    if parsed.aborted:
        return render(
            request,
            "evidence/correct.html",
            {
                "form": CorrectionForm(candidate=request.user, item=item, initial=EditForm.initial_for(item)),
                "item": item,
                "errors": parsed.errors,
            },
            status=400,
        )
    return csrf_protect(_correct_post)(request, item, parsed)


def _correct_post(request, item, parsed):
    form = CorrectionForm(parsed.post, candidate=request.user, item=item)
    errors = list(parsed.errors)
    upload_file = parsed.files[0] if parsed.files else None
    try:
        if form.is_valid() and not errors:
            try:
                new, _ = services.evidence_correct(
                    item=item,
                    actor=request.user,
                    details=form.details(),
                    upload=upload_file,
                    declared=form.cleaned_data["declaration"],
                    token=form.cleaned_data["token"],
                )
            except (FileRefused, ValidationError) as exc:
                errors.extend(_error_text(exc))
            else:
                messages.success(
                    request, f"Saved version {new.version} of “{new.title}”; the earlier version is kept."
                )
                return redirect("evidence:detail", pk=new.pk)
    finally:
        for upload in parsed.files:
            upload.close()
    return render(
        request, "evidence/correct.html", {"form": form, "item": item, "errors": errors}, status=400
    )


def witness_list(request):
    """The candidate's witness status list, built from their witness testimony."""
    return render(
        request,
        "evidence/witness_list.html",
        {
            "witnesses": selectors.witness_status_list(request.user),
            "categories": Witness.StatusCategory.choices,
        },
    )


def registration_witnesses(request, pk):
    """A candidate's witness status list, for the staff of their registration (everyone else: 404)."""
    registration = get_object_or_404(selectors.staff_registrations_visible_to(request.user), pk=pk)
    return render(
        request,
        "evidence/witness_status.html",
        {
            "registration": registration,
            "witnesses": selectors.witness_status_list(registration.candidate, centre=registration.centre),
            "categories": Witness.StatusCategory.choices,
            "decides_status": registration.assessor_id == request.user.pk,
        },
    )


@require_http_methods(["GET", "POST"])
def witness_new(request):
    form = WitnessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            witness = services.witness_create(
                candidate=request.user, centre=_my_centre(request), **form.cleaned_data
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            if getattr(witness, "resubmitted", False):
                messages.info(request, ALREADY_SAVED.format(what=f"The witness {witness.name}"))
            else:
                messages.success(request, f"Added {witness.name} as a witness.")
            return redirect(
                request.GET.get("next") == "testimony" and "evidence:testimony_new" or "evidence:witness_list"
            )
    return render(request, "evidence/witness_form.html", {"form": form, "witness": None})


@require_http_methods(["GET", "POST"])
def witness_edit(request, pk):
    witness = get_object_or_404(selectors.witnesses_of(request.user), pk=pk)
    if revisions.testimony_in_use(witness).exists():
        messages.info(request, services.ERR_WITNESS_FROZEN.format(name=witness.name))
        return redirect("evidence:witness_list")
    form = WitnessForm(request.POST or None, instance=witness)
    if request.method == "POST" and form.is_valid():
        try:
            services.witness_update(
                witness=Witness.objects.get(pk=witness.pk), actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, "Witness details saved.")
            return redirect("evidence:witness_list")
    return render(request, "evidence/witness_form.html", {"form": form, "witness": witness})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def testimony_new(request):
    """Witness testimony: statement text and/or the signed statement file, units and criteria attested."""
    if request.method != "POST":
        return _testimony_page(request, WitnessTestimonyForm(candidate=request.user), [])
    parsed = parse_evidence_upload(request, field_name="file")
    if parsed.aborted:
        return _testimony_page(request, WitnessTestimonyForm(candidate=request.user), parsed.errors, 400)
    return csrf_protect(_testimony_post)(request, parsed)


def _testimony_post(request, parsed):
    form = WitnessTestimonyForm(parsed.post, candidate=request.user)
    errors = list(parsed.errors)
    upload_file = parsed.files[0] if parsed.files else None
    try:
        if form.is_valid() and not errors:
            try:
                item, created = services.witness_testimony_submit(
                    candidate=request.user,
                    centre=_my_centre(request),
                    witness=form.cleaned_data["witness"],
                    details=form.details(),
                    criteria=form.cleaned_data.get("criteria") or [],
                    declared=form.cleaned_data["declaration"],
                    upload=upload_file,
                    token=form.cleaned_data["token"],
                    ask_witness=form.cleaned_data.get("ask_witness", False),
                )
            except (FileRefused, ValidationError) as exc:
                errors.extend(_error_text(exc))
            else:
                if created:
                    messages.success(request, f"Saved “{item.title}”.")
                else:
                    messages.info(request, ALREADY_SAVED.format(what=f"“{item.title}”"))
                return redirect("evidence:detail", pk=item.pk)
    finally:
        for upload in parsed.files:
            upload.close()
    return _testimony_page(request, form, errors, 400)


def _testimony_page(request, form, errors, status=200):
    return render(
        request,
        "evidence/testimony_form.html",
        {
            "form": form,
            "errors": errors,
            "accept": sniffing.ACCEPT_ATTRIBUTE,
            "has_witnesses": selectors.witnesses_of(request.user).exists(),
        },
        status=status,
    )


# --- witness confirmation ------------------------------------------------------------------------------------
# shared with every link for people without an account (evidence/links.py)
_client_ip, _rate_limited, _link_page = links.client_ip, links.rate_limited, links.link_page


@require_http_methods(["GET", "POST"])
def witness_confirm(request, token):
    """The witness's page (no account): exactly what they are asked to confirm, and nothing else."""
    if _rate_limited(request):
        return _link_page(
            request, "evidence/witness_link_refused.html", {"message": confirmations.RATE_LIMITED}, status=429
        )
    try:
        link = confirmations.request_for_token(token)
    except confirmations.LinkRefused as exc:
        return _link_page(request, "evidence/witness_link_refused.html", {"message": str(exc)}, status=410)
    testimony = link.testimony
    item = testimony.evidence
    form = WitnessConfirmForm(
        request.POST or None,
        kind=confirmations.signature_kind(testimony),
        initial={
            "statement_text": item.statement_text,
            "name": testimony.witness.name,
            "job_title": testimony.witness.job_title,
        },
    )
    errors = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "decline" in request.POST:
                confirmations.witness_decline(
                    token=token, reason=data["reason"], client_ip=_client_ip(request)
                )
                return _link_page(request, "evidence/witness_done.html", {"declined": True})
            done = confirmations.witness_confirm(
                token=token,
                name=data["name"],
                job_title=data["job_title"],
                statement_text=data["statement_text"],
                declared=data["declaration"],
                client_ip=_client_ip(request),
            )
            return _link_page(request, "evidence/witness_done.html", {"testimony": done})
        except confirmations.LinkRefused as exc:
            return _link_page(
                request, "evidence/witness_link_refused.html", {"message": str(exc)}, status=410
            )
        except ValidationError as exc:
            errors = _error_text(exc)
    candidate = item.candidate
    return _link_page(
        request,
        "evidence/witness_confirm.html",
        {
            "form": form,
            "errors": errors,
            "item": item,
            "witness": testimony.witness,
            "expert": testimony.witness.is_expert,
            "candidate_name": candidate.get_full_name() or candidate.get_username(),
            "centre_name": item.centre.name,
            "criteria": testimony.criteria.select_related("unit").order_by(
                "unit__ref", "outcome__number", "number"
            ),
            "locked": item.locked_at is not None,
            "has_file": bool(item.file),
            "expires_at": link.expires_at,
        },
        status=400 if errors else 200,
    )


@require_http_methods(["POST"])
def testimony_request(request, pk):
    """The candidate (or staff who can see the item) emails the witness a confirmation link."""
    item = _visible_item(request, pk)
    testimony = getattr(item, "witness_testimony", None)
    if testimony is None:
        raise Http404("Not witness testimony.")
    try:
        token = request.POST.get("token", "")
        link, _ = confirmations.witness_confirmation_request(
            testimony=testimony, actor=request.user, submission_token=token if TOKEN_RE.match(token) else ""
        )
    except ValidationError as exc:
        messages.error(request, " ".join(_error_text(exc)))
    else:
        if getattr(link, "resubmitted", False):
            messages.info(request, ALREADY_SENT.format(name=testimony.witness.name, email=link.email))
        else:
            messages.success(
                request, f"Emailed {testimony.witness.name} ({link.email}) a link to confirm this testimony."
            )
    return redirect("evidence:detail", pk=item.pk)


@require_http_methods(["POST"])
def witness_status_decide(request, pk, witness_pk):
    """The assessor decides a witness's status category, from the registration's witness status list."""
    registration = get_object_or_404(selectors.staff_registrations_visible_to(request.user), pk=pk)
    witness = get_object_or_404(
        Witness.objects.filter(candidate=registration.candidate, centre=registration.centre), pk=witness_pk
    )
    form = WitnessStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the five witness status categories.")
    else:
        try:
            services.witness_status_decide(
                witness=witness, actor=request.user, status_category=form.cleaned_data["status_category"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(_error_text(exc)))
        else:
            messages.success(request, f"Witness status of {witness.name} recorded.")
    return redirect("evidence:registration_witnesses", pk=registration.pk)
