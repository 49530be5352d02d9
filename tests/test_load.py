"""Concurrent writes through a real server process: a burst of uploads, statements and unit sign-offs.

Reported: on SQLite (the README default), 200 uploads in 20 s gave 75 HTTP 500 "database is locked", 100
statements gave 10 and 4 concurrent sign-offs gave 3. On PostgreSQL the same burst deadlocked on the centre
row (sign-offs locked the rows their select_related joined in). The driver is bench/bench_load.py (loopback
only, each request and the whole burst bounded in time); `bench/bench_load.py` runs the full size (60 uploads,
40 statements, 4 sign-offs). This test runs on the suite's database: a file SQLite database, or a fresh
PostgreSQL database next to the suite's when DATABASE_URL names one.
"""

import os
import uuid
from contextlib import contextmanager

import environ
import psycopg2
from django.db import connection

from bench.bench_load import run_load


@contextmanager
def load_database():
    """None (a file SQLite database of the driver's own) or the URL of an empty PostgreSQL database."""
    if connection.vendor != "postgresql":
        yield None
        return
    url = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    name = f"{url['NAME']}_load_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(
        dbname="postgres",
        user=url["USER"],
        password=url["PASSWORD"],
        host=url["HOST"],
        port=url["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_a_burst_of_uploads_statements_and_sign_offs_gets_no_server_error(tmp_path):
    with load_database() as database_url:
        summary = run_load(
            uploads=24,
            statements=16,
            signoffs=4,
            candidates=6,
            server="gunicorn",
            database_url=database_url,
            workdir=tmp_path,
        )

    assert not summary.server_errors, summary.report()
    statuses = {kind: sorted({r.status for r in results}) for kind, results in summary.by_kind().items()}
    assert statuses == {"upload": [200], "statement": [302], "signoff": [302]}, summary.report()
