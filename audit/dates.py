"""Dates as the handbooks write them (dd/mm/yyyy): the one definition of each format (plain Python; the
settings, the en_GB format module, forms, services' messages and imports read it)."""
from __future__ import annotations

from datetime import date, datetime

DATE = "%d/%m/%Y"                      # strftime and f-strings: f"{day:{DATE}}"
DATETIME = "%d/%m/%Y %H:%M"
ISO_DATE = "%Y-%m-%d"                  # an <input type="date">'s value, and files
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"  # an <input type="datetime-local">'s value
INPUT_FORMATS = [DATE, ISO_DATE]       # what a person may type
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
TEMPLATE_DATE = "d/m/Y"                # Django's date filter and DATE_FORMAT
TEMPLATE_DATETIME = "d/m/Y H:i"
PLACEHOLDER = "dd/mm/yyyy"


def parse_day(text: str) -> date | None:
    """A date typed in one of INPUT_FORMATS, or None."""
    for fmt in INPUT_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time of day
        except ValueError:
            continue
    return None
