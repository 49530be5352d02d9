"""DEBUG is never on when the server listens beyond this machine.

Django's debug pages show settings, SQL and source to whoever triggers an error. `debug_allowed(argv)`
looks at how this process was started: `manage.py runserver ADDR` and `gunicorn --bind ADDR` (also through
GUNICORN_CMD_ARGS) may run with DEBUG only on a loopback address; any other server process never does.
"""

import ipaddress
import os
import shlex

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
FORCED_OFF_WARNING = (
    "DEBUG forced off: this server listens on {address}, beyond this machine. Debug pages are only ever "
    "shown on 127.0.0.1 / localhost / ::1."
)


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]")
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_of(address: str) -> str:
    """'0.0.0.0:8000' -> '0.0.0.0'; '8000' -> '127.0.0.1' (runserver's default); '[::]:80' -> '::'."""
    if address.startswith("unix:"):
        return "localhost"  # a Unix socket is reachable only on this machine
    if address.startswith("["):
        return address[1 : address.index("]")]
    if address.count(":") > 1:
        return address  # a bare IPv6 address
    if ":" in address:
        return address.rsplit(":", 1)[0] or "127.0.0.1"
    return "127.0.0.1" if address.isdigit() else address


def listening_addresses(argv: list[str], environ=None) -> list[str] | None:
    """The addresses this process serves on, or None when it is not a server (tests, shell, migrate...)."""
    environ = os.environ if environ is None else environ
    program = os.path.basename(argv[0]) if argv else ""
    if "runserver" in argv:
        rest = [a for a in argv[argv.index("runserver") + 1 :] if not a.startswith("-")]
        if "-6" in argv or "--ipv6" in argv:
            return [rest[0] if rest else "[::1]:8000"]
        return [rest[0] if rest else "127.0.0.1:8000"]
    if "gunicorn" in program or any("gunicorn" in a for a in argv[:2]):
        args = shlex.split(environ.get("GUNICORN_CMD_ARGS", "")) + list(argv[1:])
        binds = []
        for i, arg in enumerate(args):
            if arg in ("-b", "--bind") and i + 1 < len(args):
                binds.append(args[i + 1])
            elif arg.startswith("--bind="):
                binds.append(arg.split("=", 1)[1])
        return binds or ["127.0.0.1:8000"]  # gunicorn's default
    return None


def debug_allowed(argv: list[str], environ=None) -> tuple[bool, str]:
    """(allowed, address of the first non-loopback listener or "")."""
    for address in listening_addresses(argv, environ) or []:
        if not is_loopback(_host_of(address)):
            return False, address
    return True, ""


def guarded(debug: bool, argv: list[str], environ=None, stderr=None) -> bool:
    """`debug`, unless this process serves beyond loopback: then False, with a warning on stderr."""
    if not debug:
        return False
    allowed, address = debug_allowed(argv, environ)
    if not allowed:
        import sys

        (stderr or sys.stderr).write(FORCED_OFF_WARNING.format(address=address) + "\n")
    return allowed
