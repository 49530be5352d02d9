"""The Content-Security-Policy middleware, for HTML pages.

django-csp would put the page policy on every response; files are left to the views that serve them
(evidence files carry their own `default-src 'none'; sandbox`, except PDFs, whose viewer a sandbox breaks).
"""

from csp.middleware import CSPMiddleware


class HTMLPageCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
