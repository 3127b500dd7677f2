from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from ..models import Actor, Debate
from .links import site_scheme_and_host


class SiteSitemap(Sitemap):
    """Addresses from the configured site URL, not from the request's Host."""

    def get_protocol(self, protocol=None):
        return site_scheme_and_host()[0]

    def get_domain(self, site=None):
        return site_scheme_and_host()[1]


class DebateSitemap(SiteSitemap):
    changefreq = "daily"

    def items(self):
        return Debate.objects.public().order_by("slug")

    def location(self, debate):
        return reverse("public:debate", args=[debate.slug])

    def lastmod(self, debate):
        return debate.updated_at


class ActorSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return Actor.objects.public().order_by("slug")

    def location(self, actor):
        return reverse("public:actor", args=[actor.slug])

    def lastmod(self, actor):
        return actor.updated_at


class PageSitemap(SiteSitemap):
    def items(self):
        return ["public:home", "public:debates", "public:actors", "public:exports"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "debates": DebateSitemap, "actors": ActorSitemap}
