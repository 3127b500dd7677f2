from django.contrib.sitemaps import Sitemap
from django.db.models import Count
from django.urls import reverse

from ..models import Actor, DataRelease, Debate, Position
from .links import site_scheme_and_host
from .views import RECORD_SHOWN


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


class RecordSitemap(SiteSitemap):
    """An actor's whole record on a debate, where the actor page shows only its
    latest positions."""

    changefreq = "weekly"

    def items(self):
        return (
            Position.objects.public()
            .values_list("actor__slug", "debate__slug")
            .annotate(count=Count("id"))
            .filter(count__gt=RECORD_SHOWN)
            .order_by("actor__slug", "debate__slug")
        )

    def location(self, pair):
        return reverse("public:actor-debate", args=pair[:2])


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
    "records": RecordSitemap,
    "releases": ReleaseSitemap,
}
