from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.fields import DateField

from ..models import Actor, Debate, Evidence, Position, Proposal
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
    filterset_fields = ["debate__slug"]


class ActorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ActorSerializer
    lookup_field = "slug"
    queryset = Actor.objects.public().order_by("slug")
    filterset_class = filters.ActorFilter


@extend_schema(
    parameters=[
        OpenApiParameter(
            "as_of",
            OpenApiTypes.DATE,
            description="Only each actor's current position as of this date "
            "(per debate and per proposal).",
        )
    ]
)
class PositionViewSet(viewsets.ReadOnlyModelViewSet):
    """Published and retracted positions; never drafts."""

    serializer_class = serializers.PositionSerializer
    filterset_class = filters.PositionFilter

    def get_queryset(self):
        positions = Position.objects.public()
        as_of = self.request.query_params.get("as_of")
        if as_of:
            try:
                day = DateField().to_internal_value(as_of)
            except ValidationError as error:
                raise ValidationError({"as_of": error.detail}) from None
            positions = positions.current(day)
        return serializers.PositionSerializer.fetch(positions).order_by("-stated_on", "-id")


class EvidenceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.EvidenceSerializer
    filterset_class = filters.EvidenceFilter
    queryset = serializers.EvidenceSerializer.fetch(Evidence.objects.public()).order_by("id")
