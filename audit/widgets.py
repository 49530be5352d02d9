"""Form widgets every app shares."""
from django import forms

from .dates import ISO_DATE


class DateInput(forms.DateInput):
    """The browser's date picker (<input type="date">, whose value is always yyyy-mm-dd)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)
