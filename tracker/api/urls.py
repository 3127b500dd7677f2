from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.APIRootView = views.ApiRootView
router.register("debates", views.DebateViewSet, basename="debate")
router.register("proposals", views.ProposalViewSet, basename="proposal")
router.register("actors", views.ActorViewSet, basename="actor")
router.register("positions", views.PositionViewSet, basename="position")
router.register("shifts", views.ShiftViewSet, basename="shift")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
router.register("releases", views.DataReleaseViewSet, basename="release")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", views.ApiDocsView.as_view(), name="api-docs"),
    path("", include(router.urls)),
]
