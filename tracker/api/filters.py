"""The API's filters. A value that names nothing a reader may see is a 400 naming
the parameter, never an empty page: a typo or a draft's slug must not pass for
"nothing matches", and a draft answers exactly as a slug never used."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.fields import ModelChoiceField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.settings import api_settings

from ..models import Actor, Debate, Evidence, Position, Proposal
from ..models.actors import validate_country_code
from ..models.stance import STANCE_MAX, STANCE_MIN


def naming(queryset, message, **kwargs):
    """A filter on one public record, named by slug (or as to_field_name says)."""
    kwargs.setdefault("to_field_name", "slug")
    return django_filters.ModelChoiceFilter(
        queryset=queryset, error_messages={"invalid_choice": message}, **kwargs
    )


def debate_slug(field_name="debate", help_text="A debate's slug."):
    return naming(
        Debate.objects.public(),
        "No published debate has the slug '%(value)s'.",
        field_name=field_name,
        help_text=help_text,
    )


def actor_slug(field_name="actor"):
    return naming(
        Actor.objects.public(),
        "No actor has the slug '%(value)s'.",
        field_name=field_name,
        help_text="An actor's slug.",
    )


class SharedSlugField(ModelChoiceField):
    """A slug that may name several records (a proposal's is unique within its
    debate only): valid when it names at least one, and the value stays the slug."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not self.queryset.filter(slug=value).exists():
            message = self.error_messages["invalid_choice"]
            raise ValidationError(message, code="invalid_choice", params={"value": value})
        return value


class SharedSlugFilter(django_filters.ModelChoiceFilter):
    field_class = SharedSlugField


def proposal_slug(
    field_name="proposal__slug",
    help_text="A proposal's slug: positions on every published proposal that has it.",
):
    return SharedSlugFilter(
        field_name=field_name,
        queryset=Proposal.objects.public(),
        error_messages={"invalid_choice": "No published proposal has the slug '%(value)s'."},
        help_text=help_text,
    )


def stance_on_the_scale(**kwargs):
    """A stance from the scale; a number off it is a 400, not an empty answer."""
    off_the_scale = f"A stance is a whole number from {STANCE_MIN} to {STANCE_MAX}."
    return django_filters.NumberFilter(
        field_name="stance",
        min_value=STANCE_MIN,
        max_value=STANCE_MAX,
        decimal_places=0,
        error_messages={
            "min_value": off_the_scale,
            "max_value": off_the_scale,
            "invalid": off_the_scale,
            "max_decimal_places": off_the_scale,
        },
        **kwargs,
    )


class PositionFilter(django_filters.FilterSet):
    debate = debate_slug()
    actor = actor_slug()
    proposal = proposal_slug()
    actor_kind = django_filters.ChoiceFilter(field_name="actor__kind", choices=Actor.Kind.choices)
    stance = stance_on_the_scale()
    stance_min = stance_on_the_scale(lookup_expr="gte")
    stance_max = stance_on_the_scale(lookup_expr="lte")
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
        # Which position was current is decided over all published positions,
        # before any other filter: `stance=-1` must not revive a position that
        # had been superseded by then.
        current = Position.objects.public().current(day).values("pk")
        return positions.filter(pk__in=current)


class ShiftFilter(django_filters.FilterSet):
    """Only what the window comparing consecutive positions partitions by:
    any other filter would hide the earlier position a shift is measured from."""

    debate = debate_slug()
    actor = actor_slug()
    proposal = proposal_slug()

    class Meta:
        model = Position
        fields = []


class EvidenceFilter(django_filters.FilterSet):
    position = naming(
        Position.objects.public(),
        "No published position has the id %(value)s.",
        to_field_name=None,
        help_text="A published position's id.",
    )
    debate = debate_slug("position__debate")
    actor = actor_slug("position__actor")
    attribution = django_filters.ChoiceFilter(choices=Evidence.Attribution.choices)


class ProposalFilter(django_filters.FilterSet):
    debate = debate_slug()
    # The name this filter had first, kept for the clients that use it.
    debate__slug = debate_slug(help_text="The same as debate; an older name for it.")
    slug = proposal_slug(
        "slug", "A proposal's slug: unique within its debate, so give the debate too."
    )

    class Meta:
        model = Proposal
        fields = []


class CountryCodeField(forms.CharField):
    """An ISO 3166-1 two-letter code, in any case; anything else is a 400."""

    default_validators = [validate_country_code]

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class CountryCodeFilter(django_filters.CharFilter):
    field_class = CountryCodeField


class ActorFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Actor.Kind.choices)
    country = CountryCodeFilter()

    class Meta:
        model = Actor
        fields = []


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, and a parameter no filter, pager or renderer reads
    is a 400 naming it: a misspelt filter (?debat=) must not answer everything."""

    def filter_queryset(self, request, queryset, view):
        known = {api_settings.URL_FORMAT_OVERRIDE}
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            known.update(filterset_class.base_filters)
        if view.paginator is not None:
            known.update(p["name"] for p in view.paginator.get_schema_operation_parameters(view))
        unknown = [name for name in request.query_params if name not in known]
        if unknown:
            reads = ", ".join(sorted(known))
            message = f"Unknown parameter. This endpoint reads: {reads}."
            raise exceptions.ValidationError({name: [message] for name in unknown})
        # Every filter takes one value: a second one would be dropped unsaid.
        repeated = [
            name for name in request.query_params if len(request.query_params.getlist(name)) > 1
        ]
        if repeated:
            message = "Given more than once: give it once."
            raise exceptions.ValidationError({name: [message] for name in repeated})
        return super().filter_queryset(request, queryset, view)
