"""Deployment checks of the tracker's own settings (`manage.py check --deploy`)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


@register(Tags.security, deploy=True)
def site_url_is_public(app_configs, **kwargs):
    """Feeds, the embed snippet, reader alerts and frozen data releases carry
    TRACKER_SITE_URL; a release cut with the development address cites it forever."""
    url = urlsplit(settings.TRACKER_SITE_URL)
    if url.scheme == "https" and url.hostname and url.hostname not in LOOPBACK_HOSTS:
        return []
    return [
        Warning(
            f"TRACKER_SITE_URL is {settings.TRACKER_SITE_URL!r}: links in feeds, embeds, "
            "alerts and data releases' citations would point there.",
            hint="Set TRACKER_SITE_URL to the site's public https address "
            "(e.g. https://tracker.example.org).",
            id="tracker.W001",
        )
    ]
