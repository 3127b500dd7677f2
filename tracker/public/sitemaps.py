from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from ..models import Actor, DataRelease, Debate
from .links import site_scheme_and_host


class SiteSitemap(Sitemap):
    """Addresses from the configured site URL, not from the request's Host."""

    def get_protocol(self, protocol=None):
        return site_scheme_and_host()[0]

    def get_domain(self, site=None):
        return site_scheme_and_host()[1]


class PublicModelSitemap(SiteSitemap):
    """Every public record of a model, at its page, as of its last change."""

    model = None
    page = ""  # the URL name of a record's page, which takes its slug

    def items(self):
        return self.model.objects.public().order_by("slug")

    def location(self, record):
        return reverse(self.page, args=[record.slug])

    def lastmod(self, record):
        return record.updated_at


class DebateSitemap(PublicModelSitemap):
    model = Debate
    page = "public:debate"
    changefreq = "daily"


class ShiftsSitemap(PublicModelSitemap):
    """Each public debate's full list of shifts (its page shows the latest)."""

    model = Debate
    page = "public:debate-shifts"
    changefreq = "daily"


class ReleaseSitemap(SiteSitemap):
    changefreq = "yearly"  # a release never changes but for its DOI

    def items(self):
        return DataRelease.objects.without_files().public().order_by("number")

    def location(self, release):
        return reverse("public:release", args=[release.number])

    def lastmod(self, release):
        return release.cut_at


class ActorSitemap(PublicModelSitemap):
    model = Actor
    page = "public:actor"
    changefreq = "weekly"


class PageSitemap(SiteSitemap):
    def items(self):
        return [
            "public:home",
            "public:debates",
            "public:actors",
            "public:across",
            "public:compare",
            "public:exports",
            "public:releases",
            "public:methodology",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "debates": DebateSitemap,
    "shifts": ShiftsSitemap,
    "actors": ActorSitemap,
    "releases": ReleaseSitemap,
}
