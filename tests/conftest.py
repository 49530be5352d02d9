"""Shared fixtures. Every test gets its own private MEDIA_ROOT so no test touches real evidence."""
import pytest

from accounts.models import Centre, Membership, Role, User

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def centre(db):
    return Centre.objects.create(name="Test Centre", number="T001")


@pytest.fixture
def other_centre(db):
    return Centre.objects.create(name="Other Centre", number="T002")


@pytest.fixture
def make_user(db):
    """make_user("name", centre, Role.ASSESSOR, ...) -> a user holding those roles there."""

    def make(username, centre=None, *roles, **fields):
        user = User.objects.create_user(username=username, password=PASSWORD, **fields)
        for role in roles:
            Membership.objects.create(user=user, centre=centre, role=role)
        return user

    return make


@pytest.fixture
def role_users(centre, make_user):
    """One user per role in `centre`, keyed by role value."""
    return {role.value: make_user(f"u_{role.value}", centre, role) for role in Role}


@pytest.fixture(autouse=True)
def _audit_rows_cleared_before_flush(request):
    """Transactional tests end with a flush; SQLite's append-only triggers (audit, mapping decisions, signatures) would
    refuse it.

    Depending on transactional_db makes this teardown run before the flush: it lifts the trigger,
    empties the audit table and puts the trigger back. (PostgreSQL flushes with TRUNCATE, which row
    triggers do not see.)
    """
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames)
    if transactional:
        request.getfixturevalue("transactional_db")
    yield
    if not transactional:
        return
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    from assessment.migrations import _history_triggers
    from audit.migrations import _signature_triggers, _triggers

    append_only = ((_triggers, "audit_auditentry"), (_history_triggers, "assessment_mappingdecision"),
                   (_signature_triggers, "audit_signature"))
    # signatures are referenced (witness testimony); the flush that follows empties those tables too
    with connection.constraint_checks_disabled(), connection.cursor() as cursor:
        for triggers, table in append_only:
            for statement in triggers.SQLITE_BACKWARD:
                cursor.execute(statement)
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            for statement in triggers.SQLITE_FORWARD:
                cursor.execute(statement)
