from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from tracker import views
from tracker.public.freshness import fresh_public_page
from tracker.public.sitemaps import SITEMAPS

admin.site.site_header = "Policy Debate Tracker"
admin.site.site_title = "Policy Debate Tracker"
admin.site.index_title = "Editorial desk"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    # Browsers ask for /favicon.ico on pages that name no icon (the panel's).
    path("favicon.ico", lambda request: redirect(static("public/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("tracker.api.urls")),
    path(
        "sitemap.xml",
        fresh_public_page(sitemap, params=["p"]),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include("tracker.public.urls")),
]

handler404 = "tracker.views.not_found"
handler500 = "tracker.views.server_error"
