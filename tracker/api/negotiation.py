from rest_framework import exceptions
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
