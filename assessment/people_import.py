"""Bulk import of a centre's people (and their registrations) from the MIS, and the export in the same format.

One format both ways: CSV (UTF-8) or XLSX with the columns `role,username,first_name,last_name,email`
and, for candidates, optionally `candidate_number,qualification,assessor,internal_verifier,optional_units,
registered_on,entry_conditions_confirmed` (the last: the keys of the qualification's entry conditions that the
centre confirms, e.g. 4430-04's `age_18 not_already_held`, which registration_create requires). All or nothing: every row is checked first and each bad row is reported by row number and
column; then everything is written in one transaction, registrations through the same
`services.registration_create` as the registration form (so its checks apply), and any refusal rolls the
whole file back. A dry run does the same writes and always rolls back, so the preview meets the same checks.
Invitations are queued with transaction.on_commit, so they go out only once the import has committed.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Membership, Role, User
from accounts.people import services as people_services
from accounts.people.selectors import IMPORT_ROLES
from audit import dates
from audit.dates import DATE
from qualifications.models import Qualification, QualificationUnit

from . import services
from .models import Registration

REQUIRED_COLUMNS = ["role", "username", "first_name", "last_name", "email"]
CANDIDATE_COLUMNS = [
    "candidate_number",
    "qualification",
    "assessor",
    "internal_verifier",
    "optional_units",
    "registered_on",
    "entry_conditions_confirmed",
]
ALL_COLUMNS = REQUIRED_COLUMNS + CANDIDATE_COLUMNS
MAX_ROWS = 5000  # people rows; far above a centre's intake, well below what a request can check in time
MAX_LINES = 100_000  # lines read at all, empty ones included (an .xlsx of a few MB can unpack to millions)
FORMULA_PREFIXES = ("=", "+", "@", "\t", "\r")

# --- messages (tests import them) --------------------------------------------------------------------
FILE_TOO_BIG = "The file is {size} MB; the limit is {limit} MB. Split it into smaller files."
NOT_UTF8 = (
    "The file is not UTF-8 text (the bytes at position {pos} are not valid UTF-8). In your spreadsheet "
    "choose 'Save as' > 'CSV UTF-8', or upload the .xlsx file itself."
)
NOT_CSV = "The file could not be read as CSV: {problem}. Save it from your spreadsheet as 'CSV UTF-8'."
NOT_XLSX = "The file could not be read as an Excel workbook (.xlsx): {problem}."
BINARY = (
    "The file contains binary data (NUL bytes): it is not a CSV file. Upload a CSV (UTF-8) or .xlsx file."
)
NO_HEADER = (
    "The file has no header row. The first row must name the columns: "
    + ",".join(REQUIRED_COLUMNS)
    + " (and optionally "
    + ",".join(CANDIDATE_COLUMNS)
    + ")."
)
MISSING_COLUMNS = (
    "The header row lacks the column(s) {columns}. The first row must name: "
    + ",".join(REQUIRED_COLUMNS)
    + "."
)
EXTRA_COLUMNS = (
    "The header row has column(s) this import does not know: {columns}. Allowed: "
    + ",".join(ALL_COLUMNS)
    + "."
)
DUPLICATE_COLUMNS = "The header row names the column(s) {columns} more than once."
NO_ROWS = "The file has a header but no people in it (empty lines are skipped)."
TOO_MANY_ROWS = "The file has more than {limit} people; split it into smaller files."
TOO_MANY_LINES = (
    "The file has more than {limit} lines (most of them empty?): remove the empty lines and upload it again."
)

CELL_FORMULA = "starts with '{char}', like a spreadsheet formula: type the value itself, not a formula."
TOO_MANY_CELLS = "this row has more cells than the header has columns: remove the extra cells."
REQUIRED = "is empty: every person needs a {column}."
UNKNOWN_ROLE = "'{value}' is not a role the import knows: use candidate, assessor or internal_verifier."
BAD_USERNAME = "'{value}' is not a valid username: use letters, digits and . @ + - _ only (at most 150)."
USERNAME_EXISTS = "username '{value}' is already taken: choose another (or leave the existing person out)."
USERNAME_CONFLICT = "username '{value}' is also on row {other} with a different name or email: one person, one set of details."
SAME_ROLE_TWICE = "'{value}' already has the {role} role on row {other}."
BAD_EMAIL = "'{value}' is not a valid email address."
EMAIL_EXISTS = "email '{value}' already belongs to an existing account: each person needs their own address."
EMAIL_CONFLICT = "email '{value}' is also used on row {other} for a different username."
ONLY_CANDIDATES = "is only for candidates: leave it empty on a {role} row."
UNKNOWN_QUALIFICATION = "'{value}' is not a qualification in the catalogue (e.g. {example})."
QUALIFICATION_NEEDED = "is filled in but the qualification is empty: give the qualification to register on."
STAFF_NEEDED = "is empty: a registration on a qualification needs an {role}."
NOT_STAFF_HERE = "'{value}' is not an {role} at this centre (nor an {role} row in this file)."
SAME_ASSESSOR_IV = "'{value}' is the same person as the assessor: nobody verifies their own assessments."
CANDIDATE_IS_STAFF = "'{value}' is the candidate: a candidate cannot assess or verify themselves."
UNKNOWN_UNIT = "unit '{value}' is not a unit of {qualification}."
NOT_OPTIONAL = (
    "unit '{value}' is not an optional unit of {qualification} (mandatory units are included anyway)."
)
BAD_DATE = "'{value}' is not a date: write it as DD/MM/YYYY or YYYY-MM-DD."
FUTURE_DATE = "'{value}' is in the future: a registration date is today or earlier."
REFUSED_BY_SERVICE = "the registration was refused: {problem}"


class ImportRefused(Exception):
    """The file as a whole cannot be read: nothing was checked row by row, nothing created."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self):
        return (
            f"Row {self.row}, column {self.column}: {self.message}"
            if self.column
            else f"Row {self.row}: {self.message}"
        )


@dataclass
class ImportResult:
    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    people: int = 0
    registrations: int = 0
    committed: bool = False

    @property
    def ok(self):
        return not self.errors


# --- reading ----------------------------------------------------------------------------------------
def _size(fileobj) -> int:
    size = getattr(fileobj, "size", None)
    if size is None:
        pos = fileobj.tell()
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(pos)
    return size


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_lines(data: bytes):
    if b"\x00" in data:
        raise ImportRefused(BINARY)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(NOT_UTF8.format(pos=exc.start)) from None
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield number, [c.strip() for c in cells]
    except csv.Error as exc:
        raise ImportRefused(NOT_CSV.format(problem=exc)) from None


def _xlsx_lines(data: bytes):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRefused(NOT_XLSX.format(problem=exc)) from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportRefused(NOT_XLSX.format(problem=exc)) from None
    finally:
        workbook.close()


def read_people_file(fileobj, name: str = "") -> list[tuple[int, dict]]:
    """(row number, {column: text}) per non-empty row; ImportRefused when the file as a whole is unusable."""
    limit = settings.PEOPLE_IMPORT_MAX_BYTES
    size = _size(fileobj)
    if size > limit:
        raise ImportRefused(
            FILE_TOO_BIG.format(size=round(size / 1048576, 1), limit=round(limit / 1048576, 1))
        )
    data = fileobj.read(limit + 1)
    is_xlsx = name.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04"
    lines = _xlsx_lines(data) if is_xlsx else _csv_lines(data)
    header, rows = None, []
    for number, cells in lines:
        if number > MAX_LINES:
            raise ImportRefused(TOO_MANY_LINES.format(limit=MAX_LINES))
        while cells and cells[-1] == "":
            cells.pop()
        if not cells:
            continue
        if header is None:
            header = [c.lower().strip() for c in cells]
            _check_header(header)
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRefused(TOO_MANY_ROWS.format(limit=MAX_ROWS))
        row = dict(zip(header, cells, strict=False))
        if len(cells) > len(header):
            row["__extra__"] = "yes"
        rows.append((number, row))
    if header is None:
        raise ImportRefused(NO_HEADER)
    if not rows:
        raise ImportRefused(NO_ROWS)
    return rows


def _check_header(header):
    if not set(REQUIRED_COLUMNS) & set(header):
        raise ImportRefused(NO_HEADER)
    duplicates = sorted({c for c in header if header.count(c) > 1})
    if duplicates:
        raise ImportRefused(DUPLICATE_COLUMNS.format(columns=", ".join(duplicates)))
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportRefused(MISSING_COLUMNS.format(columns=", ".join(missing)))
    extra = [c or "(a column without a name)" for c in header if c not in ALL_COLUMNS]
    if extra:
        raise ImportRefused(EXTRA_COLUMNS.format(columns=", ".join(extra)))


# --- checking ---------------------------------------------------------------------------------------
def _parse_date(value: str) -> date | None:
    return dates.parse_day(value)


class _Checker:
    """Checks every row against the database and the rest of the file; collects RowErrors."""

    def __init__(self, centre, rows):
        self.centre, self.rows, self.errors = centre, rows, []
        usernames = {r.get("username", "").lower() for _, r in rows} | {
            r.get(c, "").lower() for _, r in rows for c in ("assessor", "internal_verifier")
        }
        emails = {r.get("email", "").lower() for _, r in rows}
        self.existing_usernames = set(
            User.objects.annotate(key=Lower("username"))
            .filter(key__in=[u for u in usernames if u])
            .values_list("key", flat=True)
        )
        self.existing_emails = set(
            User.objects.annotate(key=Lower("email"))
            .filter(key__in=[e for e in emails if e])
            .values_list("key", flat=True)
        )
        self.staff_here = {
            role: {
                u.lower()
                for u in Membership.objects.filter(centre=centre, role=role).values_list(
                    "user__username", flat=True
                )
            }
            for role in (Role.ASSESSOR, Role.INTERNAL_VERIFIER)
        }
        self.qualifications = {q.code.lower(): q for q in Qualification.objects.all()}
        self.units = {}  # qualification pk -> {number or ref (lower): (unit, status)}
        self.file_people = {}  # username (lower) -> (row, first, last, email, {role: row})
        self.file_emails = {}  # email (lower) -> (row, username lower)

    def error(self, row, column, message):
        self.errors.append(RowError(row, column, message))

    def units_of(self, qualification):
        if qualification.pk not in self.units:
            table = {}
            for qu in QualificationUnit.objects.filter(qualification=qualification).select_related("unit"):
                table[qu.unit.number.lower()] = (qu.unit, qu.status)
                table[qu.unit.ref.lower()] = (qu.unit, qu.status)
            self.units[qualification.pk] = table
        return self.units[qualification.pk]

    def check(self):
        for number, row in self.rows:
            self.check_cells(number, row)
        for number, row in self.rows:
            self.check_person(number, row)
        for number, row in self.rows:
            if row.get("role", "").lower() == Role.CANDIDATE:
                row["_registration"] = self.check_registration(number, row)
        self.errors.sort(
            key=lambda e: (e.row, ALL_COLUMNS.index(e.column) if e.column in ALL_COLUMNS else 99)
        )
        return self.errors

    def check_cells(self, number, row):
        if row.pop("__extra__", None):
            self.error(number, "", TOO_MANY_CELLS)
        for column in ALL_COLUMNS:
            value = row.get(column, "")
            if value.startswith(FORMULA_PREFIXES):
                self.error(number, column, CELL_FORMULA.format(char=value[0].replace("\t", "tab")))
                row[column] = ""
                row["_bad"] = True

    def check_person(self, number, row):
        for column in REQUIRED_COLUMNS:
            if not row.get(column) and not row.get("_bad"):
                self.error(number, column, REQUIRED.format(column=column.replace("_", " ")))
        role = row.get("role", "").lower()
        if role and role not in [r.value for r in IMPORT_ROLES]:
            self.error(number, "role", UNKNOWN_ROLE.format(value=row["role"]))
        elif role != Role.CANDIDATE:
            for column in CANDIDATE_COLUMNS:
                if row.get(column):
                    self.error(
                        number, column, ONLY_CANDIDATES.format(role=role.replace("_", " ") or "non-candidate")
                    )
        username, email = row.get("username", ""), row.get("email", "")
        if username:
            try:
                UnicodeUsernameValidator()(username)
                if len(username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                self.error(number, "username", BAD_USERNAME.format(value=username))
            key = username.lower()
            if key in self.existing_usernames:
                self.error(number, "username", USERNAME_EXISTS.format(value=username))
            elif key in self.file_people:
                first_row, first, last, mail, roles = self.file_people[key]
                if (first, last, mail.lower()) != (
                    row.get("first_name"),
                    row.get("last_name"),
                    email.lower(),
                ):
                    self.error(number, "username", USERNAME_CONFLICT.format(value=username, other=first_row))
                elif role in roles:
                    self.error(
                        number, "role", SAME_ROLE_TWICE.format(value=username, role=role, other=roles[role])
                    )
                else:
                    roles[role] = number
            else:
                self.file_people[key] = (
                    number,
                    row.get("first_name"),
                    row.get("last_name"),
                    email,
                    {role: number},
                )
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.error(number, "email", BAD_EMAIL.format(value=email))
            key = email.lower()
            if key in self.existing_emails:
                self.error(number, "email", EMAIL_EXISTS.format(value=email))
            elif key in self.file_emails and self.file_emails[key][1] != username.lower():
                self.error(
                    number, "email", EMAIL_CONFLICT.format(value=email, other=self.file_emails[key][0])
                )
            else:
                self.file_emails.setdefault(key, (number, username.lower()))

    def _is_staff(self, username, role):
        key = username.lower()
        if key in self.staff_here[role]:
            return True
        person = self.file_people.get(key)
        return person is not None and role.value in person[4]

    def check_registration(self, number, row):
        code = row.get("qualification", "")
        details = [
            c
            for c in (
                "assessor",
                "internal_verifier",
                "optional_units",
                "registered_on",
                "entry_conditions_confirmed",
            )
            if row.get(c)
        ]
        if not code:
            for column in details:
                self.error(number, column, QUALIFICATION_NEEDED)
            return None
        qualification = self.qualifications.get(code.lower())
        if qualification is None:
            example = next(iter(sorted(q.code for q in self.qualifications.values())), "4411-01")
            self.error(number, "qualification", UNKNOWN_QUALIFICATION.format(value=code, example=example))
            return None
        candidate = row.get("username", "").lower()
        people = {}
        for column, role in (("assessor", Role.ASSESSOR), ("internal_verifier", Role.INTERNAL_VERIFIER)):
            value = row.get(column, "")
            if not value:
                self.error(number, column, STAFF_NEEDED.format(role=role.label.lower()))
            elif value.lower() == candidate:
                self.error(number, column, CANDIDATE_IS_STAFF.format(value=value))
            elif column == "internal_verifier" and value.lower() == row.get("assessor", "").lower():
                self.error(number, column, SAME_ASSESSOR_IV.format(value=value))
            elif not self._is_staff(value, role):
                self.error(number, column, NOT_STAFF_HERE.format(value=value, role=role.label.lower()))
            else:
                people[column] = value
        units, table = [], self.units_of(qualification)
        for token in re.split(r"[\s;,]+", row.get("optional_units", "")):
            if not token:
                continue
            found = table.get(token.lower())
            if found is None:
                self.error(
                    number,
                    "optional_units",
                    UNKNOWN_UNIT.format(value=token, qualification=qualification.code),
                )
            elif found[1] != QualificationUnit.Status.OPTIONAL:
                self.error(
                    number,
                    "optional_units",
                    NOT_OPTIONAL.format(value=token, qualification=qualification.code),
                )
            elif found[0] not in units:
                units.append(found[0])
        registered_on = timezone.localdate()
        if row.get("registered_on"):
            parsed = _parse_date(row["registered_on"])
            if parsed is None:
                self.error(number, "registered_on", BAD_DATE.format(value=row["registered_on"]))
            elif parsed > timezone.localdate():
                self.error(number, "registered_on", FUTURE_DATE.format(value=row["registered_on"]))
            else:
                registered_on = parsed
        conditions = [t for t in re.split(r"[\s;,]+", row.get("entry_conditions_confirmed", "")) if t]
        for token in conditions:
            unknown = services.unknown_entry_conditions(qualification, [token])
            if unknown:
                self.error(number, "entry_conditions_confirmed", unknown)
        return {
            "qualification": qualification,
            "units": units,
            "registered_on": registered_on,
            "conditions": conditions,
            **people,
        }


# --- writing ----------------------------------------------------------------------------------------
class _RollBack(Exception):
    pass


def people_import(*, actor, centre, rows, dry_run: bool = False) -> ImportResult:
    """Check every row, then create everyone and register the candidates in one transaction.

    Any error, or a dry run, rolls everything back (so a dry run meets the registration service's checks
    too). On success each new person's invitation is sent after the commit.
    """
    result = ImportResult(rows=rows)
    result.errors = _Checker(centre, rows).check()
    if result.errors:
        return result
    try:
        with transaction.atomic():
            _write(actor=actor, centre=centre, rows=rows, result=result, dry_run=dry_run)
            if result.errors or dry_run:
                raise _RollBack
    except _RollBack:
        return result
    result.committed = True
    return result


def _write(*, actor, centre, rows, result, dry_run):
    created: dict[str, User] = {}
    for number, row in rows:
        key, role = row["username"].lower(), row["role"].lower()
        person = created.get(key)
        if person is None:
            try:
                person = people_services.person_create(
                    actor=actor,
                    centre=centre,
                    first_name=row["first_name"],
                    last_name=row["last_name"],
                    email=row["email"],
                    username=row["username"],
                    roles=[role],
                    candidate_number=row.get("candidate_number", ""),
                    invite=not dry_run,
                )
            except ValidationError as exc:
                result.errors.append(RowError(number, "username", " ".join(exc.messages)))
                continue
            created[key] = person
            result.people += 1
        else:
            people_services.role_add(actor=actor, centre=centre, person=person, role=role)
            if row.get("candidate_number") and not person.candidate_number:
                User.objects.filter(pk=person.pk).update(candidate_number=row["candidate_number"])
    by_username = {
        u.username.lower(): u
        for u in User.objects.filter(
            memberships__centre=centre, memberships__role__in=[Role.ASSESSOR, Role.INTERNAL_VERIFIER]
        ).distinct()
    }
    for number, row in rows:
        registration = row.get("_registration")
        if not registration:
            continue
        try:
            services.registration_create(
                actor=actor,
                centre=centre,
                candidate=created[row["username"].lower()],
                qualification=registration["qualification"],
                assessor=by_username[registration["assessor"].lower()],
                internal_verifier=by_username[registration["internal_verifier"].lower()],
                registered_on=registration["registered_on"],
                optional_units=registration["units"],
                candidate_number=row.get("candidate_number", ""),
                entry_conditions_confirmed=registration["conditions"],
            )
        except ValidationError as exc:
            result.errors.append(
                RowError(number, "qualification", REFUSED_BY_SERVICE.format(problem=" ".join(exc.messages)))
            )
        else:
            result.registrations += 1


def people_import_file(*, actor, centre, fileobj, name="", dry_run=False) -> ImportResult:
    """Read and import; ImportRefused (nothing created) when the file itself is unusable."""
    return people_import(actor=actor, centre=centre, rows=read_people_file(fileobj, name), dry_run=dry_run)


# --- export -----------------------------------------------------------------------------------------
def _safe(value) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES + ("-",)) else text


def people_export_rows(centre):
    """The centre's people in the import format: one row per role (candidates: one per registration)."""
    registrations = {}
    for r in (
        Registration.objects.filter(centre=centre)
        .select_related("qualification", "assessor", "internal_verifier", "candidate")
        .prefetch_related("optional_units")
        .order_by("registered_on", "pk")
    ):
        registrations.setdefault(r.candidate_id, []).append(r)
    memberships = (
        Membership.objects.filter(centre=centre, role__in=[r.value for r in IMPORT_ROLES])
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )
    yield ALL_COLUMNS
    for m in memberships:
        person = m.user
        base = [m.role, person.username, person.first_name, person.last_name, person.email]
        if m.role != Role.CANDIDATE:
            yield [_safe(v) for v in base] + [""] * len(CANDIDATE_COLUMNS)
            continue
        for r in registrations.get(person.pk) or [None]:
            extra = (
                [person.candidate_number, "", "", "", "", "", ""]
                if r is None
                else [
                    r.candidate_number or person.candidate_number,
                    r.qualification.code,
                    r.assessor.username,
                    r.internal_verifier.username,
                    " ".join(sorted(u.number for u in r.optional_units.all())),
                    r.registered_on.strftime(DATE),
                    " ".join(c["key"] for c in (r.entry_conditions_confirmed or []) if isinstance(c, dict)),
                ]
            )
            yield [_safe(v) for v in base + extra]


def people_export_csv(centre) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in people_export_rows(centre):
        writer.writerow(row)
    return out.getvalue()
