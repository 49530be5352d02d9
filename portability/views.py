"""Pages for portfolios that travel. Thin: selectors scope, services write, passport/credentials do the work."""

import json
import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from . import credentials, keys, passport, selectors, services
from .forms import (
    MAX_PASSPORT_UPLOAD,
    CredentialVerifyForm,
    PassportImportForm,
    PassportUploadForm,
    PriorDecisionForm,
    RevokeForm,
)
from .importing import passport_import, prior_unit_decide
from .models import CentreKey, PriorUnit

PASSPORT_TOO_BIG = "That file is larger than a passport may be (2 GB); nothing was read."
CREDENTIAL_NOT_JSON = "That is not a credential: the text is not JSON."


def centre_key(request, number):
    """The centre's published public key: what passports and credentials are checked against."""
    centre = selectors.public_centre(number)
    if centre is None:
        raise Http404
    row = CentreKey.objects.filter(centre=centre).first()
    if request.GET.get("format") == "json":
        if row is None:
            raise Http404
        return JsonResponse(
            {
                "centre": centre.number,
                "name": centre.name,
                "algorithm": "Ed25519",
                "public_key": row.public_key,
                "fingerprint": row.fingerprint,
                "did": keys.did_key(row.public_key),
            }
        )
    return render(request, "portability/centre_key.html", {"centre": centre, "key": row})


def passport_export(request, pk):
    registration = get_object_or_404(selectors.passport_registrations_for(request.user), pk=pk)
    spool = tempfile.TemporaryFile()
    try:
        services.passport_export(registration=registration, actor=request.user, target=spool)
    except PermissionDenied:
        spool.close()
        raise Http404 from None
    spool.seek(0)
    name = f"passport-{slugify(registration.candidate.username)}-{registration.qualification.code}.zip"
    return FileResponse(spool, as_attachment=True, filename=name, content_type="application/zip")


def passport_verify(request):
    form = PassportUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["passport"]
        if upload.size > MAX_PASSPORT_UPLOAD:
            form.add_error("passport", PASSPORT_TOO_BIG)
        else:
            report = passport.verify_passport(upload, known_public_key=selectors.published_key)
    return render(request, "portability/passport_verify.html", {"form": form, "report": report})


def credential_list(request):
    rows = (
        selectors.credentials_visible_to(request.user)
        .select_related("unit", "registration__qualification", "registration__candidate")
        .order_by("-issued_at", "-id")[:200]
    )
    return render(request, "portability/credential_list.html", {"credentials": rows})


def credential_download(request, uuid):
    row = get_object_or_404(selectors.credentials_visible_to(request.user), uuid=uuid)
    response = JsonResponse(row.document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="credential-{row.uuid}.json"'
    return response


@require_POST
def credentials_issue(request, pk):
    registration = get_object_or_404(selectors.passport_registrations_for(request.user), pk=pk)
    issued = services.credentials_for_claims(registration, actor=request.user)
    messages.success(request, f"{len(issued)} credential(s) ready for {registration.candidate}.")
    return redirect("portability:credential_list")


def credential_revoke(request, uuid):
    row = get_object_or_404(selectors.credentials_visible_to(request.user), uuid=uuid)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.credential_revoke(credential=row, actor=request.user, reason=form.cleaned_data["reason"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "The credential is revoked: it no longer verifies.")
            return redirect("portability:credential_list")
    return render(request, "portability/credential_revoke.html", {"credential": row, "form": form})


def credential_status(request, uuid):
    """The 1EdTechRevocationList answer for one credential this site issued."""
    revoked = selectors.credential_revoked(str(uuid))
    if revoked is None:
        raise Http404
    return JsonResponse({"id": f"urn:uuid:{uuid}", "revoked": revoked})


def credential_verify(request):
    form = CredentialVerifyForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("credential")
        raw = upload.read(512 * 1024 + 1) if upload else form.cleaned_data["text"].encode()
        try:
            document = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            form.add_error(None, CREDENTIAL_NOT_JSON)
        else:
            report = credentials.verify_credential(
                document,
                revoked_lookup=selectors.credential_revoked,
                known_key_lookup=selectors.published_key,
            )
    return render(request, "portability/credential_verify.html", {"form": form, "report": report})


def passport_import_page(request):
    centre = selectors.admin_centre(request.user)
    form = PassportImportForm(request.POST or None, request.FILES or None, centre=centre)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["passport"]
        if upload.size > MAX_PASSPORT_UPLOAD:
            form.add_error("passport", PASSPORT_TOO_BIG)
        else:
            try:
                record = passport_import(
                    source=upload,
                    centre=centre,
                    actor=request.user,
                    candidate=form.cleaned_data["candidate"],
                    assessor=form.cleaned_data["assessor"],
                    internal_verifier=form.cleaned_data["internal_verifier"],
                    entry_conditions_confirmed=form.cleaned_data.get("entry_conditions", []),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    f"Imported from {record.source_centre_name}: the assessor now confirms "
                    "or rejects each unit's prior evidence.",
                )
                return redirect("portability:provenance", record.registration_id)
    return render(request, "portability/passport_import.html", {"form": form, "centre": centre})


def provenance(request, pk):
    """Where an imported registration's prior evidence came from, and the assessor's decision per unit."""
    record = selectors.import_for(request.user, pk)
    units = record.units.select_related("unit", "decided_by").prefetch_related(
        "decisions__criterion", "decisions__range_item", "decisions__evidence"
    )
    can_decide = record.registration.assessor_id == request.user.pk
    return render(
        request,
        "portability/provenance.html",
        {"record": record, "units": units, "can_decide": can_decide, "form": PriorDecisionForm()},
    )


@require_POST
def prior_unit_decision(request, pk):
    prior = get_object_or_404(
        PriorUnit.objects.filter(
            passport_import__registration__in=selectors.import_registrations_for(request.user)
        ),
        pk=pk,
    )
    form = PriorDecisionForm(request.POST)
    form.is_valid()
    try:
        prior_unit_decide(
            prior_unit=prior,
            actor=request.user,
            confirm=request.POST.get("decision") == "confirm",
            note=form.cleaned_data.get("note", ""),
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"Unit {prior.unit.number}: prior evidence "
            f"{'confirmed' if request.POST.get('decision') == 'confirm' else 'rejected'}.",
        )
    return redirect("portability:provenance", prior.passport_import.registration_id)


@require_POST
def credential_email(request, uuid):
    row = get_object_or_404(selectors.credentials_visible_to(request.user), uuid=uuid)
    try:
        services.credential_email(credential=row, actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Credential emailed to {row.registration.candidate.email}.")
    return redirect("portability:credential_list")
