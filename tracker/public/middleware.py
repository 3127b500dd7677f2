"""Security headers for the public site: a strict Content-Security-Policy (the
pages run no script at all), and framing only for the embeddable chart. And a
guard for every request: NUL characters in the address are refused."""

from django.http import HttpResponseBadRequest

CSP = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors {ancestors}"
)


class PublicSecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/"):
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
        parameters = [*request.GET.keys(), *request.GET.values(), request.path]
        if any("\x00" in value for value in parameters):
            return HttpResponseBadRequest(
                "NUL characters are not allowed in addresses.", content_type="text/plain"
            )
        return self.get_response(request)
