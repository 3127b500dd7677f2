"""How the API answers what it cannot serve: a format it does not speak, a
record that is not there."""

from django.http import Http404
from rest_framework import exceptions, views
from rest_framework.negotiation import DefaultContentNegotiation


class NamedFormatNegotiation(DefaultContentNegotiation):
    """A ?format= the endpoint does not speak is a 400 naming the parameter, as
    every other value the API cannot read is, rather than a bare 404."""

    def filter_renderers(self, renderers, format):
        chosen = [renderer for renderer in renderers if renderer.format == format]
        if not chosen:
            spoken = ", ".join(sorted({renderer.format for renderer in renderers}))
            message = f"No format called {format!r}: the API answers in {spoken}."
            raise exceptions.ValidationError({self.settings.URL_FORMAT_OVERRIDE: [message]})
        return chosen


def exception_handler(exc, context):
    """Django REST framework's answers, with one wording for what is not there:
    a lookup's 404 names the model as the code calls it ("No DataRelease
    matches the given query"), which tells a reader nothing more."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return views.exception_handler(exc, context)
