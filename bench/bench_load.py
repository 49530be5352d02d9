"""Load driver: bursts of concurrent uploads, statements and unit sign-offs against a real server process.

Starts the README's web server (gunicorn, 3 workers x 4 threads) on 127.0.0.1 against a throw-away file
SQLite database (the README default; BENCH_DATABASE_URL names an empty PostgreSQL database instead) and
media folder, signs in candidates and an assessor, then fires every request of the burst at once from
client threads and prints the answers by status with latencies. Each request has a timeout and the whole
run a deadline, so it always stops by itself. Loopback only. `--server runserver` runs bin/run's dev
server instead, whose listen backlog of 10 resets connections in a burst of 100 at once ("no answer",
not a database error; bursts of 30 get through).

    .venv/bin/python bench/bench_load.py [--uploads 60] [--statements 40] [--signoffs 4] [--server runserver]

A plain script, not a test (tests/test_load.py runs a smaller burst through the same functions).
Exit status 1 when any request got a server error (5xx) or no answer.
"""

import argparse
import concurrent.futures
import http.client
import io
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "bench-pass-2026"
REQUEST_TIMEOUT = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Session:
    """A browser-like client: cookies, CSRF token, one connection per request."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def _remember(self, response):
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, rest = value.split("=", 1)
                self.cookies[name] = rest.split(";", 1)[0]

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers={"Cookie": cookie, **(headers or {})})
            response = conn.getresponse()
            data = response.read()
            self._remember(response)
            return response.status, data
        finally:
            conn.close()

    def post(self, path, body: bytes, content_type: str, *, xhr=False):
        headers = {
            "Content-Type": content_type,
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
            "Referer": f"http://127.0.0.1:{self.port}{path}",
        }
        if xhr:
            headers["X-Requested-With"] = "XMLHttpRequest"
        return self.request("POST", path, body=body, headers=headers)

    def sign_in(self, username, password=PASSWORD):
        _, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = f"csrfmiddlewaretoken={token}&username={username}&password={password}".encode()
        status, _ = self.post("/accounts/login/", body, "application/x-www-form-urlencoded")
        if status != 302:
            raise RuntimeError(f"sign-in as {username} answered {status}")
        self.request("GET", "/evidence/upload/")  # a fresh CSRF cookie for the signed-in session


def multipart(fields: dict, files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "----load" + uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, content_type, data in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def png_bytes(seed: int) -> bytes:
    """A small, valid PNG that differs per seed (a photo upload that gets a preview)."""
    from PIL import Image

    image = Image.new("RGB", (64, 48), ((seed * 37) % 256, (seed * 91) % 256, (seed * 17) % 256))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


PREPARE_SCRIPT = """
import json
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from accounts.models import Centre, Membership, Role, User
candidates, signoffs = CANDIDATES, SIGNOFFS
call_command("migrate", interactive=False, verbosity=0)
hashed = make_password(PASSWORD)  # hashed once: every bench user has the same password
def person(username, role):
    user = User.objects.create(username=username, password=hashed)
    Membership.objects.create(user=user, centre=centre, role=role)
    return user
centre, _ = Centre.objects.get_or_create(number="LOAD01", defaults={"name": "Load Centre"})
for i in range(candidates):
    person(f"load{i}", Role.CANDIDATE)
ready = []
if signoffs:
    call_command("load_catalogue", verbosity=0)
    from assessment import demo
    from assessment.models import UnitAssessment
    from qualifications.models import Qualification, Unit
    assessor, admin, iv = (person("loadassessor", Role.ASSESSOR), person("loadadmin", Role.CENTRE_ADMIN),
                           person("loadiv", Role.INTERNAL_VERIFIER))
    qualification = Qualification.objects.get(code="4411-01")
    unit = Unit.objects.get(ref="4411-101")
    for i in range(signoffs):
        registration, _ = demo._register(admin=admin, centre=centre, candidate=person(f"loadsign{i}", Role.CANDIDATE),
                                         qualification=qualification, assessor=assessor, iv=iv,
                                         preferred=["4411-101", "4411-103", "4411-104"])
        demo._complete_unit(registration, unit, assessor, sign=False, key=f"load{i}")
        ua = UnitAssessment.objects.get(registration=registration, unit=unit)
        matrix = demo.unit_matrix(registration, unit)
        confirm = [s.requirement.ref for s in matrix.coverage.to_confirm]
        ready.append({"registration": registration.pk, "unit": unit.pk, "version": ua.version,
                      "confirm": confirm})
print("READY " + json.dumps(ready))
"""


def prepare(env: dict, *, candidates: int, signoffs: int) -> list[dict]:
    """Migrate the throw-away database (with the catalogue when there are sign-offs) and create the people,
    in one process; returns the units ready to sign."""
    script = (
        PREPARE_SCRIPT.replace("PASSWORD", repr(PASSWORD))
        .replace("CANDIDATES", str(candidates))
        .replace("SIGNOFFS", str(signoffs))
    )
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.rsplit("READY ", 1)[1])


class Server:
    """The web server in its own process group on a free loopback port; stopped on exit, whatever happens."""

    def __init__(self, env: dict, kind: str = "runserver", workers: int = 3):
        self.env, self.kind, self.workers = env, kind, workers
        self.port = free_port()
        self.process = None

    def __enter__(self):
        if self.kind == "gunicorn":
            command = [
                PYTHON,
                "-m",
                "gunicorn",
                "portfolio_site.wsgi",
                "--workers",
                str(self.workers),
                "--threads",
                "4",
                "--timeout",
                "120",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ]
        else:
            command = [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"]
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, start_new_session=True, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.output()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 60 s")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        return False


@dataclass
class Result:
    kind: str
    status: int  # 0: no answer (timeout, connection reset)
    seconds: float
    detail: str = ""


@dataclass
class Summary:
    results: list[Result] = field(default_factory=list)
    seconds: float = 0.0
    server_log: str = ""

    def by_kind(self):
        kinds = {}
        for r in self.results:
            kinds.setdefault(r.kind, []).append(r)
        return kinds

    @property
    def server_errors(self) -> list[Result]:
        return [r for r in self.results if r.status == 0 or r.status >= 500]

    def report(self) -> str:
        lines = []
        for kind, results in self.by_kind().items():
            statuses = Counter(r.status for r in results)
            times = sorted(r.seconds for r in results)
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            lines.append(
                f"{kind:<10} {len(results):>4} requests  statuses "
                + ", ".join(f"{s or 'no answer'}: {n}" for s, n in sorted(statuses.items()))
                + f"  latency median {statistics.median(times):.2f} s, p95 {p95:.2f} s,"
                f" max {times[-1]:.2f} s"
            )
        lines.append(
            f"server errors (5xx or no answer): {len(self.server_errors)} of {len(self.results)}"
            f" in {self.seconds:.1f} s"
        )
        for r in self.server_errors[:5]:
            lines.append(f"  {r.kind} {r.status}: {r.detail[:200]}")
        locked = self.server_log.count("database is locked")
        if locked:
            lines.append(f"server log: 'database is locked' {locked} times")
        return "\n".join(lines)


def _error_line(page: str) -> str:
    """The exception line of a Django error page (DEBUG off gives a bare page: then its start)."""
    found = re.search(r"(OperationalError|IntegrityError|[A-Za-z]+Error)[^<\n]{0,160}", page)
    return found.group(0) if found else page[:200]


def _timed(kind, call) -> Result:
    start = time.perf_counter()
    try:
        status, body = call()
    except (OSError, http.client.HTTPException) as exc:
        return Result(kind, 0, time.perf_counter() - start, repr(exc))
    detail = "" if status < 500 else _error_line(body.decode("utf-8", "replace"))
    return Result(kind, status, time.perf_counter() - start, detail)


def burst(
    port: int,
    *,
    uploads: int,
    statements: int,
    signoffs: list[dict],
    candidates: int,
    deadline_seconds: float = 240,
) -> Summary:
    """Sign in, then fire every request at once (a barrier releases them together); bounded by a deadline."""
    sessions = [Session(port) for _ in range(candidates)]
    assessor = Session(port) if signoffs else None
    people = [(session, f"load{i}") for i, session in enumerate(sessions)]
    people += [(assessor, "loadassessor")] if assessor else []
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda person: person[0].sign_in(person[1]), people))

    jobs = []
    for i in range(uploads):
        session = sessions[i % candidates]

        def upload(session=session, i=i):
            body, content_type = multipart(
                {
                    "declaration": "on",
                    "context": "real_work",
                    "title": f"Photo {i}",
                    "token": uuid.uuid4().hex,
                },
                [("files", f"photo-{i}.png", "image/png", png_bytes(i))],
            )
            return session.post("/evidence/upload/", body, content_type, xhr=True)

        jobs.append(("upload", upload))
    for i in range(statements):
        session = sessions[i % candidates]

        def statement(session=session, i=i):
            fields = {
                "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
                "title": f"Statement {i}",
                "statement_text": f"What I did with customer {i} today, and why.",
                "kind": "statement",
                "context": "real_work",
                "declaration": "on",
                "token": uuid.uuid4().hex,
            }
            body = "&".join(f"{k}={v}" for k, v in fields.items()).replace(" ", "+").encode()
            return session.post("/evidence/statement/new/", body, "application/x-www-form-urlencoded")

        jobs.append(("statement", statement))
    for ready in signoffs:

        def sign(ready=ready):
            fields = (
                [
                    ("csrfmiddlewaretoken", assessor.cookies.get("csrftoken", "")),
                    ("password", PASSWORD),
                    ("version", str(ready["version"])),
                ]
                + [("confirmed", ref) for ref in ready["confirm"]]
                + [
                    (f"note_{ref}", "Shown+in+the+account+and+the+observation+record.")
                    for ref in ready["confirm"]
                ]
            )
            body = "&".join(f"{k}={v}" for k, v in fields).encode()
            return assessor.post(
                f"/assessment/registrations/{ready['registration']}/units/{ready['unit']}/sign/",
                body,
                "application/x-www-form-urlencoded",
            )

        jobs.append(("signoff", sign))

    barrier = threading.Barrier(len(jobs))

    def run(kind, call):
        try:
            barrier.wait(timeout=30)
        except threading.BrokenBarrierError:
            pass
        return _timed(kind, call)

    summary = Summary()
    start = time.perf_counter()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=len(jobs))
    try:
        futures = [pool.submit(run, kind, call) for kind, call in jobs]
        done, not_done = concurrent.futures.wait(futures, timeout=deadline_seconds)
        summary.results = [f.result() for f in done]
        summary.results += [
            Result("deadline", 0, deadline_seconds, "no answer before the deadline") for _ in not_done
        ]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    summary.seconds = time.perf_counter() - start
    return summary


def server_env(workdir: Path, database_url: str | None = None) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portfolio_site.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": database_url or f"sqlite:///{workdir / 'load.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_LOG_LEVEL": "ERROR",
    }


def run_load(
    *,
    uploads: int,
    statements: int,
    signoffs: int,
    candidates: int = 10,
    server: str = "gunicorn",
    database_url: str | None = None,
    workdir: Path | None = None,
) -> Summary:
    """Prepare a throw-away database, start the server, run one burst, stop the server."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        env = server_env(Path(tmp), database_url)
        ready = prepare(env, candidates=candidates, signoffs=signoffs)
        with Server(env, server) as running:
            summary = burst(
                running.port, uploads=uploads, statements=statements, signoffs=ready, candidates=candidates
            )
        summary.server_log = running.output()
        return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=60)
    parser.add_argument("--statements", type=int, default=40)
    parser.add_argument("--signoffs", type=int, default=4)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--server", choices=["runserver", "gunicorn"], default="gunicorn")
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL")  # an empty PostgreSQL database of its own
    print(
        f"database: {'PostgreSQL' if database_url else 'SQLite (file, the README default)'};"
        f" server: {args.server}; {args.uploads} uploads, {args.statements} statements,"
        f" {args.signoffs} sign-offs at once from {args.candidates} candidates"
    )
    summary = run_load(
        uploads=args.uploads,
        statements=args.statements,
        signoffs=args.signoffs,
        candidates=args.candidates,
        server=args.server,
        database_url=database_url,
    )
    print(summary.report())
    return 1 if summary.server_errors else 0


if __name__ == "__main__":
    sys.exit(main())
