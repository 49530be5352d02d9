"""Bulk import of people from the MIS: all or nothing, every bad row named, registrations through the same
service as the form, invitations after the commit; malformed files refused whole; export in the same format."""

import csv
import io
from io import StringIO

import openpyxl
import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Membership, Role, User
from assessment import people_import as pi
from assessment.models import Registration
from audit.actions import Action
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db
HEADER = ",".join(pi.ALL_COLUMNS)


@pytest.fixture
def staff(centre, make_user):
    return {
        "admin": make_user("adm", centre, Role.CENTRE_ADMIN),
        "assessor": make_user("ass", centre, Role.ASSESSOR, email="ass@example.org"),
        "iv": make_user("ivy", centre, Role.INTERNAL_VERIFIER),
        "iv2": make_user("ivy2", centre, Role.INTERNAL_VERIFIER),
    }


@pytest.fixture
def setup(staff):
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4411.json"), verbosity=0)
    return staff


def good_file(n=3):
    lines = [
        HEADER,
        "assessor,new.assessor,Nia,Assessor,nia@example.org,,,,,,",
        "internal_verifier,new.iv,Ian,Verifier,ian@example.org,,,,,,",
    ]
    for i in range(n):
        assessor = "new.assessor" if i % 2 else "ass"
        lines.append(
            f"candidate,cand{i:03d},Cand{i:03d},Person,cand{i:03d}@example.org,CN{i:03d},4411-01,{assessor},"
            f"{'new.iv' if i % 2 else 'ivy'},{'101 103' if i % 3 else ''},0{1 + i % 9}/02/2026"
        )
    return "\n".join(lines) + "\n"


def run(text, centre, admin, dry_run=False, name="people.csv"):
    data = text.encode() if isinstance(text, str) else text
    return pi.people_import_file(
        actor=admin, centre=centre, fileobj=io.BytesIO(data), name=name, dry_run=dry_run
    )


def test_a_good_file_creates_people_registrations_and_invites_after_commit(
    centre, setup, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = run(good_file(), centre, setup["admin"])
        assert mail.outbox == []  # nothing is sent before the commit
    assert result.committed and result.people == 5 and result.registrations == 3
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 5
    cand = User.objects.get(username="cand001")
    assert cand.roles_in(centre) == {"candidate"} and cand.candidate_number == "CN001"
    registration = Registration.objects.get(candidate=cand)
    assert (
        registration.assessor.username == "new.assessor"
        and registration.internal_verifier.username == "new.iv"
    )
    assert sorted(u.number for u in registration.optional_units.all()) == ["101", "103"]
    assert str(registration.registered_on) == "2026-02-02"
    no_units = Registration.objects.get(candidate__username="cand000")
    assert list(no_units.optional_units.all()) == []  # units still to be chosen
    assert AuditEntry.objects.filter(action=Action.REGISTRATION_CREATED).count() == 3


def test_dry_run_checks_everything_and_creates_nothing(centre, setup):
    before = (User.objects.count(), AuditEntry.objects.count())
    result = run(good_file(), centre, setup["admin"], dry_run=True)
    assert result.ok and not result.committed and result.people == 5 and result.registrations == 3
    assert (User.objects.count(), AuditEntry.objects.count()) == before
    assert not Registration.objects.exists() and mail.outbox == []


BAD_ROWS = [
    ("teacher,t1,T,One,t1@example.org,,,,,,", "role", "not a role"),
    ("assessor,ass,Dup,User,dup@example.org,,,,,,", "username", "already taken"),
    ("assessor,ok1,Ok,One,ASS@example.org,,,,,,", "email", "already belongs"),
    ("candidate,c1,C,One,c1@example.org,,9999-99,ass,ivy,,", "qualification", "not a qualification"),
    ("candidate,c2,C,Two,c2@example.org,,4411-01,ass,ivy,999,", "optional_units", "not a unit of 4411-01"),
    ("candidate,c3,C,Three,c3@example.org,,4411-01,ivy,ivy2,,", "assessor", "not an assessor"),
    (
        "candidate,c4,C,Four,c4@example.org,,4411-01,ass,iv.nobody,,",
        "internal_verifier",
        "not an internal verifier",
    ),
    ("candidate,c5,C,Five,c5@example.org,,4411-01,ass,ivy,,31/02/2026", "registered_on", "not a date"),
    ("candidate,c6,C,Six,c6@example.org,,4411-01,ass,ivy,102,", "optional_units", "not an optional unit"),
    ("assessor,a7,A,Seven,a7@example.org,CN1,,,,,", "candidate_number", "only for candidates"),
    ('candidate,c8,=HYPERLINK("http://x"),Eight,c8@example.org,,,,,,', "first_name", "formula"),
    ("candidate,c9,C,Nine,not-an-email,,,,,,", "email", "not a valid email"),
    ("candidate,,C,Ten,c10@example.org,,,,,,", "username", "is empty"),
    ("candidate,c11,C,Eleven,c11@example.org,,4411-01,,ivy,,", "assessor", "needs an assessor"),
    ("candidate,c12,C,Twelve,c12@example.org,,,ass,,,", "assessor", "qualification is empty"),
]


@pytest.mark.parametrize("line,column,words", BAD_ROWS)
def test_each_kind_of_bad_row_is_named_by_row_and_column_and_nothing_is_created(
    centre, setup, line, column, words
):
    before = User.objects.count()
    result = run(
        HEADER + "\nassessor,fine,Fine,Person,fine@example.org,,,,,,\n" + line + "\n", centre, setup["admin"]
    )
    assert not result.committed
    assert [(e.row, e.column) for e in result.errors] == [(3, column)], [str(e) for e in result.errors]
    assert words in result.errors[0].message
    assert User.objects.count() == before and mail.outbox == []


def test_same_person_as_assessor_and_iv(centre, setup):
    result = run(HEADER + "\ncandidate,c1,C,One,c1@example.org,,4411-01,ass,ass,,\n", centre, setup["admin"])
    assert [(e.row, e.column) for e in result.errors] == [(2, "internal_verifier")]
    assert "same person as the assessor" in result.errors[0].message


def test_same_person_as_assessor_and_iv_in_the_file(centre, setup):
    text = (
        HEADER
        + "\nassessor,both,Bo,Th,both@example.org,,,,,,\ninternal_verifier,both,Bo,Th,both@example.org,,,,,,"
        "\ncandidate,c1,C,One,c1@example.org,,4411-01,both,both,,\n"
    )
    result = run(text, centre, setup["admin"])
    assert [(e.row, e.column) for e in result.errors] == [(4, "internal_verifier")]
    assert "same person as the assessor" in result.errors[0].message


def test_one_person_on_two_rows_gets_both_roles(centre, setup):
    text = (
        HEADER
        + "\nassessor,both,Bo,Th,both@example.org,,,,,,\ninternal_verifier,both,Bo,Th,both@example.org,,,,,,"
        "\ncandidate,c1,C,One,c1@example.org,,4411-01,both,ivy,,\n"
    )
    result = run(text, centre, setup["admin"])
    assert result.committed, [str(e) for e in result.errors]
    assert User.objects.get(username="both").roles_in(centre) == {"assessor", "internal_verifier"}


def test_duplicates_inside_the_file_are_named(centre, staff):
    text = (
        HEADER + "\nassessor,x1,X,One,x@example.org,,,,,,\nassessor,x1,Other,Name,y@example.org,,,,,,"
        "\nassessor,x2,X,Two,X@example.org,,,,,,\n"
    )
    errors = run(text, centre, staff["admin"]).errors
    assert [(e.row, e.column) for e in errors] == [(3, "username"), (4, "email")]
    assert "also on row 2" in errors[0].message and "also used on row 2" in errors[1].message


def test_a_refusal_by_the_registration_service_rolls_back_the_whole_file(centre, setup, monkeypatch):
    from django.core.exceptions import ValidationError

    from assessment import services

    def refuse(**kwargs):
        if kwargs["candidate"].username == "cand002":
            raise ValidationError("This candidate already has an active registration on 4411-01.")
        return original(**kwargs)

    original = services.registration_create
    monkeypatch.setattr(services, "registration_create", refuse)
    result = run(good_file(), centre, setup["admin"])
    assert not result.committed
    assert [(e.row, e.column) for e in result.errors] == [(6, "qualification")]
    assert "already has an active registration" in result.errors[0].message
    assert not User.objects.filter(username__startswith="cand").exists() and not Registration.objects.exists()


MALFORMED = {
    "latin-1": (
        "role,username,first_name,last_name,email\ncandidate,zoe,Zoë,Smith,z@example.org\n".encode("latin-1"),
        "not UTF-8",
    ),
    "no header": (b"candidate,zoe,Zoe,Smith,z@example.org\n", "no header row"),
    "missing column": (
        b"role,username,first_name,last_name\ncandidate,zoe,Zoe,Smith\n",
        "lacks the column(s) email",
    ),
    "extra column": (b"role,username,first_name,last_name,email,shoe_size\n", "does not know: shoe_size"),
    "empty lines only": (b"role,username,first_name,last_name,email\n" + b"\n" * 10000, "no people in it"),
    "empty file": (b"", "no header row"),
    "binary": (b"\x00\x01\x02PNG" * 100, "binary data"),
    "bad xlsx": (b"PK\x03\x04 this is not a zip", "Excel workbook"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_file_is_refused_whole_with_a_clear_message(centre, staff, case):
    data, words = MALFORMED[case]
    with pytest.raises(pi.ImportRefused) as refused:
        run(data, centre, staff["admin"])
    assert words in refused.value.message
    assert not User.objects.exclude(pk__in=[u.pk for u in staff.values()]).exists()


def test_ten_thousand_empty_lines_between_rows_are_skipped(centre, staff):
    text = HEADER + "\n" + "\n" * 10000 + "assessor,a1,A,One,a1@example.org,,,,,,\n" + ",,,,,,,,,,\n" * 50
    result = run(text, centre, staff["admin"])
    assert result.committed and result.people == 1


def test_a_sheet_of_a_million_empty_rows_is_refused_without_reading_them_all(centre, staff, monkeypatch):
    monkeypatch.setattr(pi, "MAX_LINES", 1000)
    rows = [pi.REQUIRED_COLUMNS] + [[" "] * 5] * 1500 + [["assessor", "late", "L", "Ate", "late@example.org"]]
    with pytest.raises(pi.ImportRefused, match="more than 1000 lines"):
        run(xlsx_bytes(rows), centre, staff["admin"], name="big.xlsx")
    assert not User.objects.filter(username="late").exists()


def test_a_50_mb_file_is_refused_before_it_is_read(centre, staff):
    class Huge(io.BytesIO):
        size = 50 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("read a file that is too big")

    with pytest.raises(pi.ImportRefused, match="limit is 5.0 MB"):
        pi.people_import_file(actor=staff["admin"], centre=centre, fileobj=Huge(), name="big.csv")


def xlsx_bytes(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_works_like_csv_and_formulas_are_refused(centre, setup):
    import datetime as dt

    rows = [
        pi.ALL_COLUMNS,
        [
            "candidate",
            "xl1",
            "Xena",
            "Lee",
            "xl1@example.org",
            12345,
            "4411-01",
            "ass",
            "ivy",
            "101",
            dt.datetime(2026, 3, 1),
        ],
    ]
    result = run(xlsx_bytes(rows), centre, setup["admin"], name="mis.xlsx")
    assert result.committed, [str(e) for e in result.errors]
    registration = Registration.objects.get(candidate__username="xl1")
    assert str(registration.registered_on) == "2026-03-01" and registration.candidate_number == "12345"
    bad = [pi.ALL_COLUMNS[:5], ["assessor", "xl2", '=HYPERLINK("http://evil","x")', "Lee", "xl2@example.org"]]
    errors = run(xlsx_bytes(bad), centre, setup["admin"], name="mis.xlsx").errors
    assert [(e.row, e.column) for e in errors] == [(2, "first_name")] and "formula" in errors[0].message


def test_the_command_imports_and_its_dry_run_creates_nothing(
    centre, setup, tmp_path, django_capture_on_commit_callbacks
):
    path = tmp_path / "people.csv"
    path.write_text(good_file())
    out = StringIO()
    call_command("import_people", str(path), "--centre", centre.number, "--dry-run", stdout=out)
    assert "Nothing was created" in out.getvalue() and not User.objects.filter(username="cand000").exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_people", str(path), "--centre", centre.number, stdout=out)
    assert "Imported 5 people and 3 registrations" in out.getvalue() and len(mail.outbox) == 5
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was created"):
        call_command("import_people", str(path), "--centre", centre.number, stdout=out, stderr=err)
    assert "Row 2, column username" in err.getvalue()
    with pytest.raises(CommandError, match="No centre has the number"):
        call_command("import_people", str(path), "--centre", "NOPE")


def test_upload_page_previews_then_imports(client, centre, setup, django_capture_on_commit_callbacks):
    client.force_login(setup["admin"])
    url = reverse("people_import:upload", args=[centre.pk])
    page = client.post(url, {"file": SimpleUploadedFile("people.csv", good_file().encode())}).content.decode()
    assert "5 people and 3 registrations will be created" in page and "cand002" in page
    assert not User.objects.filter(username="cand000").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "1"})
    assert response["Location"] == reverse("people:list", args=[centre.pk])
    assert Registration.objects.count() == 3 and len(mail.outbox) == 5


def test_upload_page_lists_every_bad_row_and_refuses_a_malformed_file(client, centre, setup):
    client.force_login(setup["admin"])
    url = reverse("people_import:upload", args=[centre.pk])
    text = good_file() + BAD_ROWS[0][0] + "\n" + BAD_ROWS[5][0] + "\n"
    page = client.post(url, {"file": SimpleUploadedFile("people.csv", text.encode())}).content.decode()
    assert "Row 7, column role" in page and "Row 8, column assessor" in page and "Import 5 people" not in page
    assert client.post(url, {"confirm": "1"}).status_code == 302  # nothing stored: back to the upload form
    assert not User.objects.filter(username="cand000").exists()
    page = client.post(url, {"file": SimpleUploadedFile("p.csv", MALFORMED["latin-1"][0])}).content.decode()
    assert "not UTF-8" in page


def test_an_admin_of_another_centre_cannot_import_here(client, centre, other_centre, setup, make_user):
    other_admin = make_user("adm_b", other_centre, Role.CENTRE_ADMIN)
    client.force_login(other_admin)
    url = reverse("people_import:upload", args=[centre.pk])
    assert (
        client.post(url, {"file": SimpleUploadedFile("people.csv", good_file().encode())}).status_code == 404
    )
    assert not User.objects.filter(username="cand000").exists()
    with pytest.raises(CommandError, match="No centre admin adm_b"):
        call_command("import_people", "x.csv", "--centre", centre.number, "--as", "adm_b")


def test_export_is_the_import_format_and_read_back_meets_the_same_checks(client, centre, setup):
    run(good_file(), centre, setup["admin"])
    client.force_login(setup["admin"])
    response = client.get(reverse("people_import:export", args=[centre.pk]))
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(StringIO(response.content.decode())))
    assert rows[0] == pi.ALL_COLUMNS
    by_user = {r[1]: r for r in rows[1:]}
    assert by_user["cand001"][5:] == [
        "CN001",
        "4411-01",
        "new.assessor",
        "new.iv",
        "101 103",
        "02/02/2026",
        "",
    ]
    assert "adm" not in by_user  # centre admins are not in the import format
    assert len(rows) == 1 + 5 + 3  # 5 imported, plus the existing assessor and two IVs
    # The same file read back meets the same checks: everyone exists already.
    result = pi.people_import(
        actor=setup["admin"],
        centre=centre,
        rows=pi.read_people_file(io.BytesIO(response.content), "export.csv"),
        dry_run=True,
    )
    assert {"username", "email"} <= {e.column for e in result.errors} and not result.committed


def test_export_escapes_formula_like_cells(client, centre, setup):
    User.objects.filter(pk=setup["assessor"].pk).update(first_name="=cmd")
    client.force_login(setup["admin"])
    content = client.get(reverse("people_import:export", args=[centre.pk])).content.decode()
    assert "'=cmd" in content


def test_membership_counts_are_untouched_by_a_refused_file(centre, setup):
    before = Membership.objects.count()
    run(good_file() + "teacher,t,T,T,t@example.org,,,,,,\n", centre, setup["admin"])
    assert Membership.objects.count() == before


def test_a_qualification_with_entry_conditions_needs_them_confirmed_in_the_file(centre, setup):
    """4430-04 asks the centre to confirm its entry conditions: the MIS file carries their keys, and a row
    without them is refused in the handbook's words; an unknown key is named."""
    call_command("loaddata", str(settings.BASE_DIR / "fixtures" / "4430-04.json"), verbosity=0)
    row = "candidate,e1,Ema,One,e1@example.org,,4430-04,ass,ivy,,01/02/2014,"  # before its last registration date
    missing = run(HEADER + "\n" + row + "age_18\n", centre, setup["admin"])
    assert not missing.committed
    assert any(e.row == 2 and "same type, content and level" in e.message for e in missing.errors), (
        missing.errors
    )
    unknown = run(HEADER + "\n" + row + "age_18 over_21\n", centre, setup["admin"])
    assert [(e.row, e.column) for e in unknown.errors] == [(2, "entry_conditions_confirmed")]
    assert "'over_21' is not an entry condition of 4430-04" in unknown.errors[0].message
    done = run(HEADER + "\n" + row + "age_18 not_already_held\n", centre, setup["admin"])
    assert done.committed, [str(e) for e in done.errors]
    registration = Registration.objects.get(candidate__username="e1")
    assert sorted(c["key"] for c in registration.entry_conditions_confirmed) == ["age_18", "not_already_held"]
    exported = list(csv.reader(StringIO(pi.people_export_csv(centre))))
    assert exported[0][-1] == "entry_conditions_confirmed"
    assert [r for r in exported if r[1] == "e1"][0][-1] == "age_18 not_already_held"
