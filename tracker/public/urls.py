from django.urls import path, register_converter

from . import alerts, exports, feeds, releases, views
from .filters import DebateFilter
from .freshness import fresh_public_page as fresh

app_name = "public"


class ReleaseNumber:
    """1, 2, … as written once: /data/releases/01/ is no second address of release 1."""

    regex = "[1-9][0-9]{0,8}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(ReleaseNumber, "release")

urlpatterns = [
    path("", fresh(views.home), name="home"),
    path("debates/", fresh(views.debate_list), name="debates"),
    path(
        "debates/<slug:slug>/",
        fresh(views.debate_detail, params=DebateFilter.base_filters),
        name="debate",
    ),
    path(
        "debates/<slug:slug>/shifts/",
        fresh(views.debate_shifts, params=["page"]),
        name="debate-shifts",
    ),
    path("debates/<slug:slug>/feed/", fresh(feeds.DebateFeed()), name="debate-feed"),
    path(
        "embed/debates/<slug:slug>/",
        fresh(views.debate_embed, params=DebateFilter.base_filters),
        name="embed",
    ),
    path("actors/", fresh(views.actor_list, params=["kind"]), name="actors"),
    path("actors/<slug:slug>/", fresh(views.actor_detail), name="actor"),
    path("actors/<slug:slug>/feed/", fresh(feeds.ActorFeed()), name="actor-feed"),
    path(
        "actors/<slug:slug>/debates/<slug:debate>/",
        fresh(views.actor_on_debate, params=["page"]),
        name="actor-debate",
    ),
    # Free text and free pairs: only the bare forms are cached.
    path("compare/", fresh(views.compare), name="compare"),
    path("across/", fresh(views.across_debates, params=["by", "order"]), name="across"),
    path("search/", fresh(views.search), name="search"),
    path("export/", fresh(views.export_index), name="exports"),
    path("methodology/", fresh(views.methodology), name="methodology"),
    path(
        "export/positions.<str:fmt>",
        fresh(exports.dataset_export, params=["excel"]),
        name="export-all",
    ),
    path(
        "export/debates/<slug:slug>.<str:fmt>",
        fresh(exports.debate_export, params=["excel"]),
        name="export-debate",
    ),
    # Reader alerts: never cached, never listed in the sitemap.
    path("alerts/follow/", alerts.follow, name="alerts-follow"),
    path("alerts/check-inbox/", alerts.check_inbox, name="alerts-check-inbox"),
    path("alerts/confirm/<str:token>/", alerts.confirm, name="alerts-confirm"),
    path("alerts/unsubscribe/<str:token>/", alerts.unsubscribe, name="alerts-unsubscribe"),
    path("export/popolo.json", fresh(exports.popolo), name="export-popolo"),
    path("data/releases/", fresh(releases.release_list), name="releases"),
    path("data/releases/<release:number>/", fresh(releases.release_detail), name="release"),
    path(
        "data/releases/<release:number>/<str:name>",
        releases.release_file,  # frozen: its own caching (releases.py)
        name="release-file",
    ),
]
