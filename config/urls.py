from django.contrib import admin
from django.urls import include, path

from tracker import views

admin.site.site_header = "Policy Debate Tracker"
admin.site.site_title = "Policy Debate Tracker"
admin.site.index_title = "Editorial desk"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("tracker.api.urls")),
    path("", include("tracker.public.urls")),
]
