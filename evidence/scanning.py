"""Virus scanning through ClamAV's daemon (clamd), when the centre turns it on (settings.CLAMAV_ENABLED).

The file is streamed to clamd over its socket (INSTREAM), so clamd needs no access to our storage. With
scanning off, every item records that it was not scanned, and staff see so. With scanning on, a file is
refused when a virus is found, and also when the scanner cannot be reached: a centre that asked for
scanning never gets an unscanned file without knowing.
"""

import logging

from django.conf import settings

from .sniffing import FileRefused, display_name

logger = logging.getLogger(__name__)

CLEAN, NOT_SCANNED, TOO_LARGE = "clean", "not_scanned", "too_large"

ERR_VIRUS = (
    "“{name}” contains a virus or other malware ({signature}) and was not accepted. Do not open it "
    "again on your device; ask your centre for help to clean it, then upload a fresh copy."
)
ERR_SCANNER_DOWN = (
    "“{name}” could not be checked for viruses just now, so it was not accepted. Try again in a "
    "few minutes; if it keeps happening, tell your centre (the virus scanner is not answering)."
)


def _client():
    from clamav_client.clamd import ClamdNetworkSocket, ClamdUnixSocket

    address = settings.CLAMAV_SOCKET
    timeout = settings.CLAMAV_TIMEOUT_SECONDS
    if address.startswith("tcp://"):
        host, _, port = address[len("tcp://") :].rpartition(":")
        return ClamdNetworkSocket(host=host, port=int(port), timeout=timeout)
    return ClamdUnixSocket(path=address, timeout=timeout)


class _Chunked:
    """clamav-client reads 1 KB at a time; hand it bigger pieces (clamd takes chunks of any size)."""

    def __init__(self, fileobj, size=256 * 1024):
        self.fileobj, self.size = fileobj, size

    def read(self, _ignored):
        return self.fileobj.read(self.size)


def scan(fileobj, name: str) -> str:
    """CLEAN, NOT_SCANNED (scanning is off) or TOO_LARGE (over clamd's StreamMaxLength); raises FileRefused
    when clamd finds something or cannot be reached while scanning is on."""
    if not settings.CLAMAV_ENABLED:
        return NOT_SCANNED
    from clamav_client.clamd import BufferTooLongError, ClamdError

    fileobj.seek(0, 2)
    if fileobj.tell() > settings.CLAMAV_STREAM_MAX_LENGTH:
        fileobj.seek(0)
        return TOO_LARGE  # clamd would cut the stream off; say so rather than refuse a long video
    fileobj.seek(0)
    try:
        answer = _client().instream(_Chunked(fileobj))
    except BufferTooLongError:
        logger.warning("Evidence %r is larger than clamd's StreamMaxLength: stored as not scanned", name)
        return TOO_LARGE
    except (ClamdError, OSError) as exc:
        logger.error("Virus scanner unreachable at %s: %s", settings.CLAMAV_SOCKET, exc)
        raise FileRefused(ERR_SCANNER_DOWN.format(name=display_name(name))) from exc
    finally:
        fileobj.seek(0)
    status, signature = next(iter(answer.values()), ("ERROR", "no answer"))
    if status == "FOUND":
        logger.warning("Virus %s found in an upload (%r): refused", signature, name)
        raise FileRefused(ERR_VIRUS.format(name=display_name(name), signature=signature))
    if status != "OK":
        logger.error("Virus scanner answered %s %s for %r", status, signature, name)
        raise FileRefused(ERR_SCANNER_DOWN.format(name=display_name(name)))
    return CLEAN
