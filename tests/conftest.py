"""Shared fixtures. Every test gets its own private MEDIA_ROOT so no test touches real evidence."""

import os
import signal

import pytest
from django.conf import settings as django_settings

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

    append_only = (
        (_triggers, "audit_auditentry"),
        (_history_triggers, "assessment_mappingdecision"),
        (_signature_triggers, "audit_signature"),
    )
    # signatures are referenced (witness testimony); the flush that follows empties those tables too
    with connection.constraint_checks_disabled(), connection.cursor() as cursor:
        for triggers, table in append_only:
            for statement in triggers.SQLITE_BACKWARD:
                cursor.execute(statement)
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            for statement in triggers.SQLITE_FORWARD:
                cursor.execute(statement)


def _on_rq() -> bool:
    return django_settings.TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend"


@pytest.hookimpl(trylast=True)  # after -m has deselected the others
def pytest_collection_modifyitems(config, items):
    """On the RQ backend only the `tasks` tests can pass (the others expect tasks to have run inline)."""
    if _on_rq():
        others = [item.nodeid for item in items if item.get_closest_marker("tasks") is None]
        if others:
            raise pytest.UsageError(
                f"DJANGO_TEST_TASKS_BACKEND=rq runs only the tests marked tasks (-m tasks); "
                f"{len(others)} others were selected, {others[0]} first"
            )


class TaskWorker:
    """Runs the background tasks enqueued so far, on the backend the test settings chose.

    Inline (the suite's ImmediateBackend) they ran when enqueued, and run() only reports them. On the RQ
    backend they wait in Redis until run() starts a real RQ worker in burst mode. It is RQ's SimpleWorker,
    in this process (no fork), so that it reads the rows of the test's open transaction; every job still
    goes through Redis, is fetched and run by RQ, and its outcome is read back from Redis.
    """

    def __init__(self):
        from django_tasks import default_task_backend
        from django_tasks.signals import task_finished

        self.on_queue = _on_rq()
        self.backend = default_task_backend
        self._finished = []
        task_finished.connect(self._record, weak=False)
        self._disconnect = lambda: task_finished.disconnect(self._record)
        if self.on_queue:
            import django_rq

            # Parallel test processes would share the queue and run each other's jobs.
            assert os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") == "1", "on the RQ backend, run with -n 0"
            # Redis down fails here, loudly; jobs left by an earlier, broken run are dropped.
            django_rq.get_connection().ping()
            self.queue = django_rq.get_queue("default")
            self.queue.empty()

    def _record(self, sender, task_result, **kwargs):
        self._finished.append(task_result)

    def waiting(self) -> int:
        """How many jobs wait for a worker (always 0 inline)."""
        return self.queue.count if self.on_queue else 0

    def run(self) -> list[tuple[str, str]]:
        """(task name, final status) of each task that finished since the last run, in order."""
        if self.on_queue:
            import django_rq
            from rq import SimpleWorker

            handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                django_rq.get_worker("default", worker_class=SimpleWorker).work(burst=True)
            finally:
                for sig, handler in handlers.items():
                    signal.signal(sig, handler)
            assert self.queue.count == 0
        done, self._finished = self._finished, []
        if self.on_queue:  # the outcome RQ stored in Redis, not just the callback's word
            done = [self.backend.get_result(result.id) for result in done]
        return [(result.task.name, result.status.name) for result in done]


@pytest.fixture
def task_worker(db):
    worker = TaskWorker()
    yield worker
    worker._disconnect()


@pytest.fixture
def memory_storage(settings):
    """Files in memory, not on the file system: what the code writes and serves goes through the configured
    storage (S3 in production), never through a local path. Yields the storage."""
    from django.core.files.storage import InMemoryStorage, default_storage

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    assert isinstance(default_storage, InMemoryStorage)
    yield default_storage


def files_on_disk(settings) -> list:
    """Every file under MEDIA_ROOT (with memory_storage: there must be none)."""
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


S3_BUCKET = "evidence-test"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """A local S3-compatible server (moto), one per module."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_endpoint, monkeypatch):
    """The default storage on moto's S3 server, signing its URLs as production's S3 does; yields a boto3 client."""
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=S3_BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": S3_BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for obj in client.list_objects_v2(Bucket=S3_BUCKET).get("Contents", []):
        client.delete_object(Bucket=S3_BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=S3_BUCKET)
