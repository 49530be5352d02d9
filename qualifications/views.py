"""Catalogue pages: thin views over qualifications.selectors (which decide visibility)."""

from django.http import Http404
from django.shortcuts import render

from . import selectors
from .forms import UnitSearchForm


def qualification_list(request):
    return render(
        request,
        "qualifications/list.html",
        {
            "qualifications": selectors.qualification_list(request.user),
            "form": UnitSearchForm(),
        },
    )


def qualification_detail(request, code):
    page = selectors.qualification_structure(request.user, code)
    if page is None:
        raise Http404("No such qualification.")
    return render(request, "qualifications/detail.html", page)


def unit_detail(request, ref):
    page = selectors.unit_page(request.user, ref)
    if page is None:
        raise Http404("No such unit.")
    return render(request, "qualifications/unit.html", page)


def unit_search(request):
    form = UnitSearchForm(request.GET or None)
    units = selectors.unit_search(request.user, form.cleaned_data["q"]) if form.is_valid() else []
    return render(
        request,
        "qualifications/search.html",
        {"form": form, "units": units, "searched": form.is_bound and form.is_valid()},
    )
