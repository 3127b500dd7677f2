from django.urls import path

from . import exports, feeds, views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("debates/", views.debate_list, name="debates"),
    path("debates/<slug:slug>/", views.debate_detail, name="debate"),
    path("debates/<slug:slug>/feed/", feeds.DebateFeed(), name="debate-feed"),
    path("embed/debates/<slug:slug>/", views.debate_embed, name="embed"),
    path("actors/", views.actor_list, name="actors"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor"),
    path("actors/<slug:slug>/feed/", feeds.ActorFeed(), name="actor-feed"),
    path("compare/", views.compare, name="compare"),
    path("search/", views.search, name="search"),
    path("export/", views.export_index, name="exports"),
    path("export/positions.<str:fmt>", exports.dataset_export, name="export-all"),
    path("export/debates/<slug:slug>.<str:fmt>", exports.debate_export, name="export-debate"),
    path("export/popolo.json", exports.popolo, name="export-popolo"),
]
