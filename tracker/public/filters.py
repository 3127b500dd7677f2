import django_filters
from django import forms

from ..models import Actor, Evidence, Position
from ..models.stance import STANCE_CHOICES


class DebateFilter(django_filters.FilterSet):
    """The debate page's GET parameters, so every filtered view has a link.

    The FilterSet parses and validates; the filtering itself happens on the
    current positions (a stance filter must apply to the *current* stance, not
    pick the latest position that happened to have it)."""

    as_of = django_filters.DateFilter(
        label="As of",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        method="noop",
    )
    kind = django_filters.ChoiceFilter(
        label="Actor kind", choices=Actor.Kind.choices, empty_label="Any kind", method="noop"
    )
    bloc = django_filters.ModelChoiceFilter(
        label="Bloc",
        queryset=Actor.objects.public().filter(kind=Actor.Kind.BLOC).order_by("name"),
        to_field_name="slug",
        empty_label="Any bloc",
        method="noop",
    )
    stance = django_filters.ChoiceFilter(
        label="Stance",
        choices=[(str(value), label) for value, label in STANCE_CHOICES],
        empty_label="Any stance",
        method="noop",
    )
    attribution = django_filters.ChoiceFilter(
        label="Evidence",
        choices=Evidence.Attribution.choices,
        empty_label="Any attribution",
        method="noop",
    )

    class Meta:
        model = Position
        fields = []

    def noop(self, queryset, name, value):
        return queryset

    def __init__(self, *args, debate=None, **kwargs):
        super().__init__(*args, queryset=Position.objects.none(), **kwargs)
        if debate is not None:
            # Name each stance in this debate's own words: "+2 · strongly more aggressive".
            # (The field puts its empty_label, "Any stance", first by itself.)
            self.form.fields["stance"].choices = [
                (str(value), f"{label.split(' · ')[0]} · {debate.describe_stance(value)}")
                for value, label in STANCE_CHOICES
            ]

    def values(self):
        """The parameters that validated (an invalid one is reported and ignored)."""
        self.form.is_valid()
        cleaned = {k: v for k, v in self.form.cleaned_data.items() if v not in ("", None)}
        if "stance" in cleaned:
            cleaned["stance"] = int(cleaned["stance"])
        return cleaned
