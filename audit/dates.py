"""Dates in forms, the same everywhere: one date widget, one date-and-time widget, one check for the day of
something that has already happened.

The widgets are the browser's own pickers (`<input type="date">`, `<input type="datetime-local">`), which send
ISO dates. Where a browser shows a plain text box instead, the server still reads what a person types as the
handbooks write it, dd/mm/yyyy (DATE_INPUT_FORMATS in settings and in portfolio_site/formats/en_GB).
tests/test_date_inputs.py walks every form of the project and fails on a date field with any other widget.
"""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME = "%Y-%m-%dT%H:%M"

FUTURE_DATE = ("The date is in the future: this records something that has already happened. Give the day it took "
               "place (dd/mm/yyyy).")


class DateInput(forms.DateInput):
    """The one date widget of the project: the browser's date picker."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """The one date-and-time widget: the browser's date and time picker."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATETIME)


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
