"""One date input style everywhere (issue 17 item 6): every date field of every form of the project uses the one
date widget (audit.dates.DateInput, the browser's date picker), every date-and-time field the one date-and-time
widget, no template writes a date input by hand, and a date typed as the handbooks write it (dd/mm/yyyy, where a
browser shows a text box instead of a picker) is still understood."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django import forms

from audit.dates import DateInput, DateTimeInput

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "audit",
    "accounts",
    "qualifications",
    "evidence",
    "assessment",
    "verification",
    "printing",
    "portability",
    "api",
    "portfolio_site",
)


def _import_everything():
    """Every page's forms, by loading the URLs (views import their forms); then every forms module of the apps
    must be among what was loaded, so that a form no page uses yet is walked too."""
    import sys

    from django.urls import get_resolver

    def load(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                load(pattern.url_patterns)

    load(get_resolver().url_patterns)
    modules = [
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for app in APPS
        for path in (ROOT / app).rglob("forms.py")
    ]
    missing = [name for name in modules if name not in sys.modules]
    assert modules and not missing, f"forms modules no URL loads (import them here): {missing}"


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_forms() -> list[type[forms.BaseForm]]:
    _import_everything()
    return sorted(
        {f for f in _subclasses(forms.BaseForm) if f.__module__.split(".")[0] in APPS},
        key=lambda f: f"{f.__module__}.{f.__qualname__}",
    )


def test_every_date_field_of_every_form_uses_the_one_date_widget():
    found, wrong = [], []
    for form in project_forms():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.DateTimeField):
                expected = DateTimeInput
            elif isinstance(field, forms.DateField):
                expected = DateInput
            else:
                continue
            found.append(f"{form.__qualname__}.{name}")
            if type(field.widget) is not expected and not isinstance(field.widget, forms.HiddenInput):
                wrong.append(f"{form.__module__}.{form.__qualname__}.{name}: {type(field.widget).__name__}")
    assert not wrong, "date fields with another widget: " + "; ".join(wrong)
    # The walk sees the forms it should (a walk that found nothing would pass too).
    for expected in (
        "RecordForm.date",
        "EvidenceDetailsForm.activity_date",
        "PlanForm.period_start",
        "GrantForm.expires_on",
        "CpdForm.date",
        "ActionPlanForm.scheduled_at",
        "AssessmentReportForm.date",
    ):
        assert expected in found, expected


def test_no_template_writes_a_date_input_by_hand():
    pattern = re.compile(r'<input[^>]*(type="date|type="datetime|placeholder="dd/mm)', re.IGNORECASE)
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "templates").rglob("*.html")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders


class _Dated(forms.Form):
    day = forms.DateField(widget=DateInput())
    at = forms.DateTimeField(widget=DateTimeInput())


def test_the_picker_and_a_typed_date_are_both_understood():
    picked = _Dated({"day": "2026-03-21", "at": "2026-03-21T09:30"})
    typed = _Dated({"day": "21/03/2026", "at": "21/03/2026 09:30"})
    for form in (picked, typed):
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == dt.date(2026, 3, 21)
        assert form.cleaned_data["at"].replace(tzinfo=None) == dt.datetime(2026, 3, 21, 9, 30)


def test_the_widgets_render_the_picker_with_an_iso_value():
    html = str(_Dated(initial={"day": dt.date(2026, 3, 21), "at": dt.datetime(2026, 3, 21, 9, 30)}))
    assert 'type="date"' in html and 'value="2026-03-21"' in html
    assert 'type="datetime-local"' in html and 'value="2026-03-21T09:30"' in html
