"""Pages and serving: who reaches which URL (each role x each URL), headers on files, query counts."""

import pytest
from django.urls import reverse

from evidence import services, sniffing
from evidence.models import EvidenceItem
from evidence.services import EvidenceDetails
from evidence.tasks import evidence_make_preview
from portfolio_site import access
from tests.evidence.conftest import make_file_item, make_statement, pdf_bytes, png_bytes

OWNER_ONLY_ITEM_URLS = ["evidence:edit", "evidence:delete", "evidence:correct"]
SHARED_ITEM_URLS = ["evidence:detail", "evidence:download", "evidence:preview"]
CANDIDATE_PAGES = [
    "evidence:list",
    "evidence:upload",
    "evidence:statement_new",
    "evidence:witness_list",
    "evidence:witness_new",
    "evidence:testimony_new",
]
# Who sees the candidate's item: the candidate, the registration's assessor and IV, the centre admin.
SEES_ITEM = {"candidate", "assessor", "iv", "admin"}
EVERYONE = [
    "candidate",
    "peer",
    "assessor",
    "iv",
    "admin",
    "stranger_assessor",
    "other_assessor",
    "other_iv",
    "other_admin",
    "other_candidate",
    "ev",
]


@pytest.fixture
def photo(people):
    item = make_file_item(people.candidate, people.centre, name="desk.png", data=png_bytes(), title="Desk")
    assert evidence_make_preview.call(item.pk) is True
    item.refresh_from_db()
    return item


def test_every_evidence_url_is_in_the_access_table():
    from django.urls import get_resolver

    from tests.test_access_table import walk

    names = {name for name, _ in walk(get_resolver().url_patterns) if name.startswith("evidence:")}
    # witness_edit: test_witness_edit_matrix below; registration_witnesses: tests/evidence/test_witness_status.py;
    # the witness confirmation URLs: tests/evidence/test_witness_confirmation.py
    assert names == set(
        OWNER_ONLY_ITEM_URLS
        + SHARED_ITEM_URLS
        + CANDIDATE_PAGES
        + [
            "evidence:witness_edit",
            "evidence:registration_witnesses",
            "evidence:witness_status_decide",
            "evidence:testimony_request",
            "evidence:witness_confirm",
        ]
    )
    assert names <= set(access.ACCESS)


@pytest.mark.parametrize("url_name", SHARED_ITEM_URLS + OWNER_ONLY_ITEM_URLS)
def test_item_url_matrix(client, people, photo, url_name):
    url = reverse(url_name, args=[photo.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    allowed = SEES_ITEM if url_name in SHARED_ITEM_URLS else {"candidate"}
    for who in EVERYONE:
        client.force_login(getattr(people, who))
        status = client.get(url).status_code
        assert (status == 200) if who in allowed else (status == 404), (url_name, who, status)
    # a missing item answers exactly like somebody else's
    client.force_login(people.candidate)
    assert client.get(reverse(url_name, args=[photo.pk + 999])).status_code == 404


@pytest.mark.parametrize("url_name", CANDIDATE_PAGES)
def test_candidate_page_matrix(client, people, url_name):
    url = reverse(url_name)
    for who in EVERYONE:
        client.force_login(getattr(people, who))
        status = client.get(url).status_code
        is_candidate = who in {"candidate", "peer", "other_candidate"}
        assert (status == 200) if is_candidate else (status == 404), (url_name, who, status)


def test_witness_edit_matrix(client, people):
    witness = services.witness_create(
        candidate=people.candidate,
        centre=people.centre,
        name="Sam",
        contact="x",
        suggested_status_category=3,
        relationship="Manager",
    )
    url = reverse("evidence:witness_edit", args=[witness.pk])
    for who in EVERYONE:
        client.force_login(getattr(people, who))
        assert client.get(url).status_code == (200 if who == "candidate" else 404), who


def test_lists_show_only_your_own_evidence(client, people):
    mine = make_statement(people.candidate, people.centre, title="Mine")
    theirs = make_statement(people.peer, people.centre, title="Theirs")
    client.force_login(people.peer)
    page = client.get(reverse("evidence:list")).content.decode()
    assert "Theirs" in page and "Mine" not in page
    assert client.get(reverse("evidence:detail", args=[mine.pk])).status_code == 404
    assert client.get(reverse("evidence:detail", args=[theirs.pk])).status_code == 200


def test_an_external_verifier_sees_only_what_a_registered_reader_grants(client, people, photo, monkeypatch):
    """The apps above register readers in evidence.visibility (verification: the grants); the views tell them
    what was opened (verification logs it)."""
    from django.db.models import Q

    from evidence import visibility

    client.force_login(people.ev)
    assert client.get(reverse("evidence:detail", args=[photo.pk])).status_code == 404
    opened = []
    monkeypatch.setitem(
        visibility._readers,
        "test",
        visibility.EvidenceReader(
            "test",
            lambda user: Q(candidate_id=people.candidate.pk) if user.pk == people.ev.pk else None,
            lambda **seen: opened.append((seen["item"].pk, seen["view_name"])),
        ),
    )
    assert client.get(reverse("evidence:detail", args=[photo.pk])).status_code == 200
    assert opened == [(photo.pk, "evidence:detail")]


def test_a_pdf_opens_inline_with_safe_headers(client, people, item):
    client.force_login(people.candidate)
    response = client.get(reverse("evidence:download", args=[item.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="till.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == item.file.open("rb").read()
    response = client.get(reverse("evidence:download", args=[item.pk]) + "?attachment=1")
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("notes.txt", b"plain notes\n", "text/plain"),
        ("call.wav", None, "audio/x-wav"),
    ],
)
def test_types_outside_the_inline_allowlist_are_attachments(client, people, name, data, content_type):
    from evidence.demo import _wav

    item = make_file_item(people.candidate, people.centre, name=name, data=data or _wav(0.1))
    client.force_login(people.assessor)
    response = client.get(reverse("evidence:download", args=[item.pk]))
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "private" in response["Cache-Control"]


def test_the_inline_allowlist_is_exactly_pdf_png_jpeg_webp():
    assert sniffing.INLINE_SAFE_TYPES == {"application/pdf", "image/png", "image/jpeg", "image/webp"}


def test_a_preview_is_made_for_a_photo_and_a_pdf(people, photo, item):
    assert photo.preview and photo.preview.open("rb").read(3) == b"\xff\xd8\xff"
    assert evidence_make_preview.call(item.pk) is True  # pdftoppm renders the first page
    item.refresh_from_db()
    assert item.preview.open("rb").read(3) == b"\xff\xd8\xff"


def test_the_list_page_makes_a_constant_number_of_queries(
    client, people, catalogue, django_assert_max_num_queries
):
    client.force_login(people.candidate)
    for n in range(8):
        make_file_item(
            people.candidate,
            people.centre,
            name=f"p{n}.png",
            data=png_bytes(),
            title=f"Photo {n}",
            units=[catalogue.units[0]],
        )
    with django_assert_max_num_queries(12):
        response = client.get(reverse("evidence:list"))
    assert response.content.decode().count("Photo ") >= 8


def test_the_witness_status_list_makes_a_constant_number_of_queries(
    client, people, catalogue, django_assert_max_num_queries
):
    for n in range(5):
        witness = services.witness_create(
            candidate=people.candidate,
            centre=people.centre,
            name=f"W{n}",
            contact="x",
            suggested_status_category=1 + n % 5,
            relationship="Colleague",
        )
        services.witness_testimony_submit(
            candidate=people.candidate,
            centre=people.centre,
            witness=witness,
            criteria=[catalogue.units[n % 2].criteria.first()],
            declared=True,
            details=EvidenceDetails(statement_text="seen"),
        )
    client.force_login(people.candidate)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("evidence:witness_list")).content.decode()
    assert "W4" in page and "T-102" in page


def test_statement_edit_delete_and_correct_pages(client, people):
    client.force_login(people.candidate)
    response = client.post(
        reverse("evidence:statement_new"),
        {
            "title": "Reflective account",
            "statement_text": "I did it.",
            "kind": "statement",
            "context": "rwe",
            "activity_date": "02/03/2026",
            "declaration": "on",
            "token": "stmt-token-1",
        },
    )
    item = EvidenceItem.objects.get()
    assert response.status_code == 302 and item.activity_date.isoformat() == "2026-03-02"
    response = client.post(
        reverse("evidence:edit", args=[item.pk]),
        {
            "title": "Reflective account v2",
            "statement_text": "I did it well.",
            "kind": "statement",
            "context": "rwe",
            "activity_date": "03/03/2026",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Reflective account v2"
    services.evidence_lock(item=item, actor=people.assessor)
    # locked: the edit page sends the candidate to the correction form instead
    assert client.get(reverse("evidence:edit", args=[item.pk]))["Location"] == reverse(
        "evidence:correct", args=[item.pk]
    )
    delete = client.post(reverse("evidence:delete", args=[item.pk]))
    assert delete.status_code == 400 and services.ERR_LOCKED in delete.content.decode()
    response = client.post(
        reverse("evidence:correct", args=[item.pk]),
        {
            "title": "Reflective account v3",
            "statement_text": "Corrected.",
            "kind": "statement",
            "context": "rwe",
            "declaration": "on",
            "token": "corr-token-1",
        },
    )
    assert response.status_code == 302
    new = EvidenceItem.objects.get(previous_version=item)
    page = client.get(reverse("evidence:detail", args=[new.pk])).content.decode()
    assert "version 2" in page and "Earlier versions" in page


def test_a_wrong_date_format_gets_a_clear_message(client, people):
    from evidence.forms import ERR_DATE

    client.force_login(people.candidate)
    response = client.post(
        reverse("evidence:statement_new"),
        {
            "title": "x",
            "statement_text": "y",
            "kind": "statement",
            "context": "rwe",
            "activity_date": "2026-13-45",
            "declaration": "on",
        },
    )
    assert response.status_code == 200 and ERR_DATE in response.content.decode()


def test_witness_testimony_through_the_page_with_a_signed_file(client, people, catalogue):
    from tests.evidence.conftest import post_files

    witness = services.witness_create(
        candidate=people.candidate,
        centre=people.centre,
        name="Sam",
        contact="x",
        suggested_status_category=3,
        relationship="Manager",
    )
    criterion = catalogue.units[0].criteria.first()
    client.force_login(people.candidate)
    response = post_files(
        client,
        reverse("evidence:testimony_new"),
        [("file", "signed.pdf", pdf_bytes())],
        {"witness": witness.pk, "criteria": criterion.pk, "token": "wt-token-1"},
        xhr=False,
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get()
    assert item.kind == "witness_testimony" and item.original_name == "signed.pdf"
    page = client.get(reverse("evidence:witness_list")).content.decode()
    assert "T-101" in page and "signed statement on file" in page
    hostile = post_files(
        client,
        reverse("evidence:testimony_new"),
        [("file", "x.pdf", b"<html>hi</html>")],
        {"witness": witness.pk, "token": "wt-token-2"},
        xhr=False,
    )
    assert hostile.status_code == 400 and "is not what its name says" in hostile.content.decode()


def test_the_dashboard_shows_the_evidence_panel_and_the_nav_link(client, people):
    make_statement(people.candidate, people.centre, title="Panel item")
    client.force_login(people.candidate)
    page = client.get("/dashboard/candidate/").content.decode()
    assert "Panel item" in page and 'href="/evidence/"' in page
    client.force_login(people.assessor)
    assert 'href="/evidence/"' not in client.get("/dashboard/assessor/").content.decode()
