"""Dates as the handbooks write them (dd/mm/yyyy), and dates in forms, the same everywhere: the one definition
of each format (the settings, the en_GB format module, forms, services' messages and imports read it), one date
widget, one date-and-time widget, one check for the day of something that has already happened.

The widgets are the browser's own pickers (`<input type="date">`, `<input type="datetime-local">`), which send
ISO dates. Where a browser shows a plain text box instead, the server still reads what a person types as the
handbooks write it, dd/mm/yyyy (INPUT_FORMATS, used by DATE_INPUT_FORMATS in settings and in
portfolio_site/formats/en_GB). tests/test_date_inputs.py walks every form of the project and fails on a date
field with any other widget.
"""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

DATE = "%d/%m/%Y"  # strftime and f-strings: f"{day:{DATE}}"
DATETIME = "%d/%m/%Y %H:%M"
ISO_DATE = "%Y-%m-%d"  # an <input type="date">'s value, and files
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"  # an <input type="datetime-local">'s value
ISO_DATETIME = ISO_DATETIME_LOCAL
INPUT_FORMATS = [DATE, ISO_DATE]  # what a person may type
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
TEMPLATE_DATE = "d/m/Y"  # Django's date filter and DATE_FORMAT
TEMPLATE_DATETIME = "d/m/Y H:i"
PLACEHOLDER = "dd/mm/yyyy"

FUTURE_DATE = (
    "The date is in the future: this records something that has already happened. Give the day it took "
    "place (dd/mm/yyyy)."
)


def parse_day(text: str) -> date | None:
    """A date typed in one of INPUT_FORMATS, or None."""
    for fmt in INPUT_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time of day
        except ValueError:
            continue
    return None


class DateInput(forms.DateInput):
    """The one date widget of the project: the browser's date picker (its value is always yyyy-mm-dd)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """The one date-and-time widget: the browser's date and time picker."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATETIME_LOCAL)


def not_in_future(day, message: str = FUTURE_DATE, *, field: str | None = None) -> None:
    """Refuse the day of something that must already have happened (an observation, a review, a testimony's
    activity) when it is after today, the centre's day. `field` names the form field the error belongs to."""
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: message} if field else message, code="future")


@deconstructible
class NotInFuture:
    """not_in_future as a form field validator: `forms.DateField(validators=[NotInFuture(MESSAGE)])`."""

    def __init__(self, message: str = FUTURE_DATE):
        self.message = message

    def __call__(self, day):
        not_in_future(day, self.message)

    def __eq__(self, other):
        return isinstance(other, NotInFuture) and other.message == self.message
