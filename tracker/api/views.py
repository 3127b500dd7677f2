from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework import mixins, routers, viewsets
from rest_framework.reverse import reverse

from ..models import Actor, DataRelease, Debate, Evidence, Position, Proposal
from ..public.middleware import API_DOCS_CSP
from ..public.record import told_shifts
from . import filters, serializers


class DebateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.DebateSerializer
    lookup_field = "slug"
    queryset = Debate.objects.public().prefetch_related("proposals").order_by("slug")


class ProposalViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ProposalSerializer
    queryset = (
        Proposal.objects.public().select_related("debate").order_by("debate__slug", "rung", "slug")
    )
    filterset_class = filters.ProposalFilter


class ActorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ActorSerializer
    lookup_field = "slug"
    queryset = Actor.objects.public().order_by("slug")
    filterset_class = filters.ActorFilter


class PositionViewSet(viewsets.ReadOnlyModelViewSet):
    """Published and retracted positions; never drafts."""

    serializer_class = serializers.PositionSerializer
    filterset_class = filters.PositionFilter
    queryset = serializers.PositionSerializer.fetch(Position.objects.public()).order_by(
        "-stated_on", "-id"
    )


class ShiftViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Changes of mind, newest first: each published position that moved from the
    same actor's previous one on the debate or proposal, rated and told in words."""

    serializer_class = serializers.ShiftSerializer
    filterset_class = filters.ShiftFilter
    queryset = (
        Position.objects.public()
        .shifts()
        .select_related("actor", "debate", "proposal")
        .order_by("-stated_on", "-published_at", "-id")
    )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        serializer = self.get_serializer(told_shifts(page), many=True)
        return self.get_paginated_response(serializer.data)


class EvidenceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.EvidenceSerializer
    filterset_class = filters.EvidenceFilter
    queryset = serializers.EvidenceSerializer.fetch(Evidence.objects.public()).order_by("id")


class DataReleaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Numbered data releases, newest first: each one's frozen files (CSV with its
    codebook, JSON, Popolo), citation and changelog since the release before."""

    serializer_class = serializers.DataReleaseSerializer
    lookup_field = "number"
    queryset = DataRelease.objects.public().without_files().order_by("-number")


class ApiDocsView(SpectacularSwaggerView):
    """The schema as a page: Swagger UI from drf-spectacular-sidecar's files,
    started by a script file of ours (drf-spectacular's starts it inline)."""

    url_name = "api-schema"
    template_name = "api/docs.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = API_DOCS_CSP
        # drf-spectacular opens the page to other windows for OAuth sign-in
        # popups; this API has no sign-in, so the site's own policy applies.
        del response["Cross-Origin-Opener-Policy"]
        return response


class ApiRootView(routers.APIRootView):
    """The API's index: every list, then where it is documented (the API
    answers JSON only, so a browser landing here needs the way to the docs)."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        for name, view in (("docs", "api-docs"), ("schema", "api-schema")):
            response.data[name] = reverse(view, request=request)
        return response
