"""HTTP Range requests for evidence files (RFC 9110 §14), so that a recording plays in the page and seeks.

Plain Python over the header and the file size. One range only: a player asks for one; a header asking for
several, or one that does not parse, is ignored and the whole file is sent (as the RFC requires of a server
that does not serve such ranges). A range that parses but lies beyond the file is unsatisfiable: 416.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "bytes=0-499", "bytes=500-", "bytes=-500"; digits bounded so a hostile header cannot make huge numbers.
RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


class Unsatisfiable(Exception):
    """The range lies outside the file: answer 416 with Content-Range: bytes */size."""


def requested_range(header: str | None, size: int) -> ByteRange | None:
    """The one byte range the Range header asks for, None to send the whole file; Unsatisfiable for 416."""
    if not header:
        return None
    match = RANGE.fullmatch(header.strip())
    if not match:
        return None  # not a single bytes range (several ranges, another unit, garbage): ignored
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return ByteRange(max(size - suffix, 0), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # an invalid range: ignored, like one that does not parse
    if start >= size:
        raise Unsatisfiable
    return ByteRange(start, min(end, size - 1))
