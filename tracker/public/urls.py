from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("debates/", views.debate_list, name="debates"),
    path("debates/<slug:slug>/", views.debate_detail, name="debate"),
    path("embed/debates/<slug:slug>/", views.debate_embed, name="embed"),
    path("actors/", views.actor_list, name="actors"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor"),
    path("compare/", views.compare, name="compare"),
    path("search/", views.search, name="search"),
]
