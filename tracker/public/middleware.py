"""Security headers: the public site's strict Content-Security-Policy (its pages
run no script at all), framing only for the embeddable chart, and the editorial
panel's and the API documentation's own policies (their scripts and styles are
files from /static/, never inline).
And guards for every request: NUL characters in the address, or more
parameters than Django reads, are refused; absolute addresses come from the
configured site address."""

from django.core.exceptions import TooManyFieldsSent
from django.http import HttpResponseBadRequest

from .links import site_url

CSP = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors {ancestors}"
)


# The admin's scripts (select2 autocomplete, popups, prepopulated slugs) are all
# files from /static/ that read their settings from data- attributes; select2's
# searches go to the admin's own autocomplete view.
ADMIN_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# The API's documentation (tracker/api/views.py ApiDocsView) is Swagger UI in a
# public page: its files come from /static/ and it fetches the schema (and, to
# try a request, the API) from this site; the masthead's search form posts here.
API_DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class PublicSecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
            response.setdefault("Content-Security-Policy", ADMIN_CSP)
            return response
        embeddable = getattr(response, "embeddable", False)
        response.setdefault(
            "Content-Security-Policy", CSP.format(ancestors="*" if embeddable else "'none'")
        )
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class RefuseNulCharactersMiddleware:
    """PostgreSQL cannot hold a NUL character in text, so a query parameter with
    one would fail in the database; it is the reader's mistake, answered with 400."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            parameters = [*request.GET.keys(), *request.GET.values(), request.path]
        except TooManyFieldsSent:  # past DATA_UPLOAD_MAX_NUMBER_FIELDS
            return HttpResponseBadRequest(
                "Too many parameters in the address.", content_type="text/plain"
            )
        if any("\x00" in value for value in parameters):
            return HttpResponseBadRequest(
                "A web address cannot hold a NUL character (%00).", content_type="text/plain"
            )
        return self.get_response(request)


class SiteAddressMiddleware:
    """What the framework builds as an absolute address (the API's links to its
    lists and to the next and previous page) starts with TRACKER_SITE_URL, as
    every link the tracker prints does, never with the request's Host header:
    an answer cached for one request must not carry an address another made up.
    HttpRequest.build_absolute_uri prefixes _current_scheme_host, a cached
    property, which is set here before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._current_scheme_host = site_url()
        return self.get_response(request)
