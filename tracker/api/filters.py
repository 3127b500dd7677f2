import django_filters

from ..models import Actor, Position


class PositionFilter(django_filters.FilterSet):
    debate = django_filters.CharFilter(field_name="debate__slug")
    actor = django_filters.CharFilter(field_name="actor__slug")
    proposal = django_filters.CharFilter(field_name="proposal__slug")
    actor_kind = django_filters.ChoiceFilter(field_name="actor__kind", choices=Actor.Kind.choices)
    stance = django_filters.NumberFilter()
    stance_min = django_filters.NumberFilter(field_name="stance", lookup_expr="gte")
    stance_max = django_filters.NumberFilter(field_name="stance", lookup_expr="lte")
    stated_after = django_filters.DateFilter(field_name="stated_on", lookup_expr="gte")
    stated_before = django_filters.DateFilter(field_name="stated_on", lookup_expr="lte")
    status = django_filters.ChoiceFilter(
        choices=[(s, s) for s in (Position.Status.PUBLISHED, Position.Status.RETRACTED)]
    )
    as_of = django_filters.DateFilter(
        method="current_on",
        help_text="Only each actor's current position as of this date "
        "(per debate and per proposal).",
    )

    class Meta:
        model = Position
        fields = []

    def current_on(self, positions, name, day):
        return positions.current(day)


# Ids are 64-bit: a larger number cannot name a row, and the database refuses it.
LARGEST_ID = 2**63 - 1


class EvidenceFilter(django_filters.FilterSet):
    position = django_filters.NumberFilter(
        field_name="position_id", min_value=1, max_value=LARGEST_ID
    )
    debate = django_filters.CharFilter(field_name="position__debate__slug")
    actor = django_filters.CharFilter(field_name="position__actor__slug")
    attribution = django_filters.CharFilter()


class ActorFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Actor.Kind.choices)
    country = django_filters.CharFilter()

    class Meta:
        model = Actor
        fields = []
