"""Absolute links for readers come from the configured site address, never from
the request's Host header: a cached page, feed or export must not carry an
address that one request made up (`Host: localhost:31337`) to everyone else."""

from urllib.parse import urlsplit

from django.conf import settings


def site_url(path=""):
    return settings.TRACKER_SITE_URL.rstrip("/") + path


def site_scheme_and_host():
    parts = urlsplit(settings.TRACKER_SITE_URL)
    return parts.scheme, parts.netloc
