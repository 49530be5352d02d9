"""Files handed to the browser from the configured storage: object storage that signs URLs sends the browser
straight to the object (the web process does not carry the bytes); every other storage is streamed by the
caller."""

from django.http import HttpResponseRedirect

SIGNED_URL_SECONDS = 300


def signs_urls(storage) -> bool:
    """Object storage that hands out short-lived signed URLs (django-storages' S3 with querystring_auth).
    Every other storage (the file system, memory, S3 without signing) is streamed through this process."""
    return bool(getattr(storage, "querystring_auth", False))


def signed_redirect(fieldfile, *, disposition: str, content_type: str) -> HttpResponseRedirect:
    """After the caller's access check: a redirect to a short-lived signed URL of the object, carrying the
    headers the response would have had. The redirect itself is private and not cached."""
    url = fieldfile.storage.url(
        fieldfile.name,
        parameters={
            "ResponseContentDisposition": disposition,
            "ResponseContentType": content_type,
            "ResponseCacheControl": "private, no-cache",
        },
        expire=SIGNED_URL_SECONDS,
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-cache"
    return response
