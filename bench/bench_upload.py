"""Benchmark: a 200 MB evidence upload through the real upload path keeps server memory flat.

Starts gunicorn (one sync worker) on a throw-away SQLite database and media folder, signs in as a
candidate, streams a 200 MB video upload to /evidence/upload/ the way the browser's XHR does, and reads
the worker's peak RSS (VmHWM, reset just before the upload) from /proc. Then it copies a 200 MB file on
the same disk and prints both throughputs side by side, with their ratio.

    .venv/bin/python bench/bench_upload.py [--size-mb 200]

A plain script, not a test. Linux only (reads /proc). Exit status 1 when memory growth is >= 50 MB.
"""

import argparse
import hashlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHUNK = 1024 * 1024
LIMIT_MB = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not found for {pid}")


def worker_pid(master: int) -> int:
    for _ in range(100):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn worker did not start")


class Session:
    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def _cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _remember(self, response):
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, rest = value.split("=", 1)
                self.cookies[name] = rest.split(";", 1)[0]

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        conn.request(method, path, body=body, headers={"Cookie": self._cookie_header(), **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        self._remember(response)
        conn.close()
        return response, data

    def sign_in(self, username, password):
        _, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = f"csrfmiddlewaretoken={token}&username={username}&password={password}"
        response, _ = self.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}/",
            },
        )
        assert response.status == 302, response.status

    def upload(self, filename, size, token):
        """Stream a multipart upload of `size` bytes of MP4 without building it in memory."""
        self.request("GET", "/evidence/upload/")
        boundary = "----bench" + os.urandom(8).hex()
        fields = {"declaration": "on", "context": "real_work", "title": "Bench video", "token": token}
        head = (
            b"".join(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                for k, v in fields.items()
            )
            + (
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
                "Content-Type: video/mp4\r\n\r\n"
            ).encode()
        )
        tail = f"\r\n--{boundary}--\r\n".encode()
        mp4_header = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        conn.putrequest("POST", "/evidence/upload/")
        for name, value in {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + size + len(tail)),
            "Cookie": self._cookie_header(),
            "X-CSRFToken": self.cookies["csrftoken"],
            "X-Requested-With": "XMLHttpRequest",
            "Referer": f"http://127.0.0.1:{self.port}/evidence/upload/",
        }.items():
            conn.putheader(name, value)
        conn.endheaders()
        hasher = hashlib.sha256()
        conn.send(head)
        sent = 0
        block = os.urandom(CHUNK)  # incompressible, and no accidental markup
        while sent < size:
            piece = mp4_header + block[len(mp4_header) :] if sent == 0 else block
            piece = piece[: size - sent]
            conn.send(piece)
            hasher.update(piece)
            sent += len(piece)
        conn.send(tail)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data, hasher.hexdigest()


def prepare(workdir: Path, env: dict):
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    script = (
        "from accounts.models import Centre, Membership, Role, User\n"
        "c = Centre.objects.create(name='Bench', number='B1')\n"
        "u = User.objects.create_user('bench', password='bench-pass-2026')\n"
        "Membership.objects.create(user=u, centre=c, role=Role.CANDIDATE)\n"
    )
    subprocess.run([PYTHON, "manage.py", "shell", "-v", "0", "-c", script], cwd=ROOT, env=env, check=True)


def copy_throughput(workdir: Path, size: int) -> float:
    source, target = workdir / "copy-source.bin", workdir / "copy-target.bin"
    block = os.urandom(CHUNK)
    with source.open("wb") as out:
        for _ in range(size // CHUNK):
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    start = time.perf_counter()
    shutil.copyfile(source, target)
    with target.open("rb+") as f:
        os.fsync(f.fileno())
    elapsed = time.perf_counter() - start
    source.unlink()
    target.unlink()
    return size / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    args = parser.parse_args()
    size = args.size_mb * 1024 * 1024
    with tempfile.TemporaryDirectory(dir=ROOT / "var") as tmp:
        workdir = Path(tmp)
        (workdir / "upload-tmp").mkdir()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portfolio_site.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "DJANGO_MEDIA_ROOT": str(workdir / "media"),
            "DJANGO_FILE_UPLOAD_TEMP_DIR": str(workdir / "upload-tmp"),  # same disk as the media root
            "DJANGO_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        }
        prepare(workdir, env)
        port = free_port()
        server = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "portfolio_site.wsgi",
                "--workers",
                "1",
                "--timeout",
                "600",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            worker = worker_pid(server.pid)
            session = Session(port)
            session.sign_in("bench", "bench-pass-2026")
            # Warm up: the first upload loads libmagic, Pillow, the templates...
            status, _, _ = session.upload("warmup.mp4", 2 * CHUNK, "bench-warmup-1")
            assert status == 200, status
            baseline_kb = proc_kb(worker, "VmRSS")
            Path(f"/proc/{worker}/clear_refs").write_text("5")  # reset the peak (VmHWM) to now
            start = time.perf_counter()
            status, body, sha = session.upload("site-visit.mp4", size, "bench-upload-1")
            elapsed = time.perf_counter() - start
            peak_kb = proc_kb(worker, "VmHWM")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        assert status == 200, (status, body[:300])
        check = subprocess.run(
            [
                PYTHON,
                "manage.py",
                "shell",
                "-c",
                "from evidence.models import EvidenceItem as E; i = E.objects.get(original_name='site-visit.mp4');"
                " print(i.sha256, i.size, i.content_type)",
                "-v",
                "0",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[-3:]
        assert check[0] == sha and int(check[1]) == size, check
        upload_rate = size / elapsed
        copy_rate = copy_throughput(workdir, size)

    growth_mb = (peak_kb - baseline_kb) / 1024
    print(f"upload size                : {args.size_mb} MB (stored and recorded: sha256 matches, {check[2]})")
    print(f"server worker RSS baseline : {baseline_kb / 1024:.1f} MB")
    print(f"server worker peak RSS     : {peak_kb / 1024:.1f} MB")
    print(f"peak memory growth         : {growth_mb:.1f} MB (limit {LIMIT_MB} MB)")
    print(f"upload throughput          : {upload_rate / 2**20:.1f} MB/s ({elapsed:.2f} s)")
    print(f"plain file copy, same disk : {copy_rate / 2**20:.1f} MB/s")
    print(f"upload / copy ratio        : {upload_rate / copy_rate:.2f}")
    return 0 if growth_mb < LIMIT_MB else 1


if __name__ == "__main__":
    sys.exit(main())
