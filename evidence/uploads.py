"""Streaming evidence uploads: each file goes to a temporary file on disk in chunks, hashed and measured
as it arrives, so a 500 MB video never sits in memory and an oversized one is dropped at the limit.

Django's own multipart parser quietly rewrites file names ("../../x.pdf" becomes "x.pdf", control
characters vanish). We would rather refuse such names with a message, so EvidenceMultiPartParser hands
the handler the name exactly as sent; it is checked by sniffing.check_name and never used as a path.
"""

import errno
import hashlib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.http import QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils.datastructures import MultiValueDict

from . import sniffing
from .sniffing import FileRefused

CHUNK_SIZE = 256 * 1024
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
logger = logging.getLogger(__name__)


class EvidenceMultiPartParser(MultiPartParser):
    def sanitize_file_name(self, file_name):
        # Keep the name as sent so that the handler can refuse path tricks instead of rewriting them.
        return file_name or None


class EvidenceUploadHandler(FileUploadHandler):
    """Writes each file to a temporary file, computing SHA-256 and size while streaming.

    Per-file problems (bad name, empty, too big) skip that file and add a message to `errors`; too many
    files stops the whole upload (`aborted`). Completed files carry `.sha256` and `.original_name`.
    """

    chunk_size = CHUNK_SIZE

    def __init__(self, request=None, *, max_size: int, max_files: int):
        super().__init__(request)
        self.max_size = max_size
        self.max_files = max_files
        self.errors: list[str] = []
        self.aborted = False
        self.files_seen = 0
        self.current: TemporaryUploadedFile | None = None
        self.skipped = False
        self.completed: list[TemporaryUploadedFile] = []

    def _refuse(self, message: str):
        self.skipped = True
        self.errors.append(message)
        self.discard_current()
        raise SkipFile(message)

    def discard_current(self):
        if self.current is not None:
            self.current.close()  # a NamedTemporaryFile: closing deletes it
            self.current = None

    def new_file(
        self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None
    ):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.files_seen += 1
        self.skipped = False
        if self.files_seen > self.max_files:
            self.aborted = True
            self.errors = [sniffing.ERR_TOO_MANY_FILES.format(max=self.max_files)]
            raise StopUpload(connection_reset=False)
        try:
            sniffing.check_name(file_name)
            if content_length is not None and content_length > self.max_size:
                sniffing.check_size(file_name, content_length, self.max_size)
        except FileRefused as exc:
            self._refuse(str(exc))
        self.current = TemporaryUploadedFile(file_name, content_type, 0, charset, content_type_extra)
        self.current.original_name = file_name
        self.hasher = hashlib.sha256()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_size:
            self._refuse(
                sniffing.ERR_TOO_BIG.format(
                    name=sniffing.display_name(self.file_name), limit=sniffing.human_size(self.max_size)
                )
            )
        self.hasher.update(raw_data)
        self.current.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.current is None:
            return None
        if file_size == 0:
            self.errors.append(sniffing.ERR_EMPTY.format(name=sniffing.display_name(self.file_name)))
            self.discard_current()
            return None
        upload = self.current
        upload.flush()
        upload.seek(0)
        upload.size = file_size
        upload.sha256 = self.hasher.hexdigest()
        self.current = None
        self.completed.append(upload)
        return upload

    def upload_interrupted(self):
        # The body ended in the middle of a file: the partial file is dropped. (Django also calls this
        # when the last file was one we skipped on purpose; that one already has its message.)
        if self.skipped:
            return
        self.aborted = True
        self.errors.append(sniffing.ERR_INTERRUPTED)
        self.discard_current()

    def discard_all(self):
        self.discard_current()
        for upload in self.completed:
            upload.close()
        self.completed = []


@dataclass
class ParsedUpload:
    post: QueryDict
    files: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    aborted: bool = False


def parse_evidence_upload(request, *, field_name: str = "files") -> ParsedUpload:
    """Parse a multipart evidence POST with the streaming handler.

    Must run before anything reads request.POST (the upload view is csrf_exempt and checks CSRF itself
    afterwards). Leaves request.POST / request.FILES populated for the CSRF check and the forms.
    """
    max_files = settings.EVIDENCE_MAX_FILES_PER_REQUEST
    handler = EvidenceUploadHandler(request, max_size=settings.EVIDENCE_MAX_FILE_SIZE, max_files=max_files)
    request.upload_handlers = [handler]
    if request.method != "POST" or request.content_type != "multipart/form-data":
        return ParsedUpload(post=request.POST)
    parser = EvidenceMultiPartParser(request.META, request, [handler], request.encoding)
    try:
        post, files = parser.parse()
    except TooManyFilesSent:
        handler.discard_all()
        post, files = QueryDict(), MultiValueDict()
        handler.aborted, handler.errors = True, [sniffing.ERR_TOO_MANY_FILES.format(max=max_files)]
    except OSError as exc:
        handler.discard_all()
        post, files = QueryDict(), MultiValueDict()
        # The connection dropping is an OSError too; a full or read-only disk must not be blamed on it.
        message = sniffing.ERR_SERVER_DISK if exc.errno in DISK_ERRNOS else sniffing.ERR_INTERRUPTED
        if exc.errno in DISK_ERRNOS:
            logger.error(
                "Upload temporary file could not be written in %s: %s",
                settings.FILE_UPLOAD_TEMP_DIR or "the system temp directory",
                exc,
            )
        handler.aborted, handler.errors = True, [message]
    except (UnreadablePostError, MultiPartParserError, TooManyFieldsSent, RequestDataTooBig):
        handler.discard_all()
        post, files = QueryDict(), MultiValueDict()
        handler.aborted, handler.errors = True, [sniffing.ERR_INTERRUPTED]
    if handler.aborted:
        handler.discard_all()
        files = MultiValueDict()
    request._post, request._files = post, files
    return ParsedUpload(
        post=post, files=list(files.getlist(field_name)), errors=list(handler.errors), aborted=handler.aborted
    )
