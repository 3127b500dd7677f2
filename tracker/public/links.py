"""Links and dates as pages print them.

Absolute links for readers come from the configured site address, never from
the request's Host header: a cached page, feed or export must not carry an
address that one request made up (`Host: localhost:31337`) to everyone else."""

from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, timezone


def site_url(path=""):
    return settings.TRACKER_SITE_URL.rstrip("/") + path


def site_scheme_and_host():
    parts = urlsplit(settings.TRACKER_SITE_URL)
    return parts.scheme, parts.netloc


# Stands for a slug in a reversed address (a slug itself, so that it reverses).
SLUG_MARK = "slug-mark"


class Day(NamedTuple):
    iso: str  # 2025-10-09, for <time datetime>
    text: str  # 9 Oct 2025


class PageParts:
    """Dates in print and links to actors and debates, each worked out once per
    page: the same few dates and the same actors come back in every table (and
    fragments.py keeps what it prints for a position here, printed once)."""

    def __init__(self):
        self._days = {}
        self._paths = {}
        self.printed = {}  # markup already made for this page, by what it shows

    def day(self, value):
        """A date, or a datetime in the current time zone, as the templates'
        date filter prints it: Day(iso="2025-10-09", text="9 Oct 2025")."""
        if hasattr(value, "tzinfo"):
            value = timezone.localtime(value).date()
        printed = self._days.get(value)
        if printed is None:
            printed = self._days[value] = Day(value.isoformat(), dateformat.format(value, "j M Y"))
        return printed

    def _path(self, name, slug):
        # reverse() once per kind of page, then the slug set in: at 200 actors,
        # reversing each one's address cost more than drawing the chart.
        around = self._paths.get(name)
        if around is None:
            around = self._paths[name] = reverse(name, args=[SLUG_MARK]).split(SLUG_MARK)
        return f"{around[0]}{slug}{around[1]}"

    def actor_path(self, actor):
        return self._path("public:actor", actor.slug)

    def debate_path(self, debate):
        return self._path("public:debate", debate.slug)
