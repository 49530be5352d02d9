"""The centre admin's upload page for the bulk import (with a preview) and the people export."""

import copy

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.people.selectors import centre_for_admin

from . import people_import

SESSION_KEY = "people_import"
NOTHING_TO_IMPORT = (
    "Upload the file again: the checked file was not found (it is kept only until you import it)."
)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="People file (CSV UTF-8 or .xlsx)", help_text="Columns: " + ",".join(people_import.ALL_COLUMNS)
    )


def _plain(rows):
    return [(n, {k: v for k, v in row.items() if not k.startswith("_")}) for n, row in rows]


def upload(request, centre_pk):
    centre = centre_for_admin(request.user, centre_pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"centre": centre, "form": form, "columns": people_import.ALL_COLUMNS}
    if request.method == "POST" and "confirm" in request.POST:
        stored = request.session.get(SESSION_KEY)
        if not stored or stored.get("centre") != centre.pk:
            messages.error(request, NOTHING_TO_IMPORT)
            return redirect("people_import:upload", centre_pk=centre.pk)
        result = people_import.people_import(actor=request.user, centre=centre, rows=stored["rows"])
        if result.committed:
            del request.session[SESSION_KEY]
            messages.success(
                request,
                f"Imported {result.people} people and {result.registrations} registrations; "
                "their invitations are on their way.",
            )
            return redirect("people:list", centre_pk=centre.pk)
        context.update(result=result, refused=True)
        return render(request, "assessment/people_import.html", context)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            rows = people_import.read_people_file(upload_file, upload_file.name)
        except people_import.ImportRefused as exc:
            form.add_error("file", exc.message)
        else:
            plain = _plain(rows)
            result = people_import.people_import(
                actor=request.user, centre=centre, rows=copy.deepcopy(rows), dry_run=True
            )
            if result.ok:
                request.session[SESSION_KEY] = {"centre": centre.pk, "rows": plain, "name": upload_file.name}
            context.update(result=result, preview=plain, filename=upload_file.name)
    return render(request, "assessment/people_import.html", context)


def export(request, centre_pk):
    centre = centre_for_admin(request.user, centre_pk)
    response = HttpResponse(people_import.people_export_csv(centre), content_type="text/csv; charset=utf-8")
    filename = f"people-{centre.number}-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
