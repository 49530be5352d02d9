"""Concurrent writes on the embedded SQLite default: a real server process, a file database, one burst.

Reported: on SQLite, 200 uploads in 20 s gave 75 HTTP 500 "database is locked", 100 statements gave 10 and
4 concurrent sign-offs gave 3. The driver is bench/bench_load.py (loopback only, each request and the whole
burst bounded in time); the full-size run is `bench/bench_load.py` (60 uploads, 40 statements, 4 sign-offs).
"""
from bench.bench_load import run_load


def test_a_burst_of_uploads_statements_and_sign_offs_on_sqlite_gets_no_server_error(tmp_path):
    summary = run_load(uploads=24, statements=16, signoffs=4, candidates=6, server="gunicorn", workdir=tmp_path)

    assert not summary.server_errors, summary.report()
    statuses = {kind: sorted({r.status for r in results}) for kind, results in summary.by_kind().items()}
    assert statuses == {"upload": [200], "statement": [302], "signoff": [302]}, summary.report()
