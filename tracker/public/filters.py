import django_filters
from django import forms
from django.template.loader import render_to_string

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
    # Its choices, the public blocs by slug, are set for each form (__init__).
    bloc = django_filters.ChoiceFilter(label="Bloc", empty_label="Any bloc", method="noop")
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
        blocs = Actor.objects.public().filter(kind=Actor.Kind.BLOC).order_by("name")
        self.blocs = {
            slug: Actor(id=id, kind=Actor.Kind.BLOC, slug=slug, name=name)
            for id, slug, name in blocs.values_list("id", "slug", "name")
        }
        self.form.fields["bloc"].choices = [(slug, b.name) for slug, b in self.blocs.items()]
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
        if "bloc" in cleaned:
            cleaned["bloc"] = self.blocs[cleaned["bloc"]]
        return cleaned

    def printed_fields(self):
        """The form's fields as printed (public/_debate_filters.html), kept per
        process under everything they show: each field's choices, the value
        asked for and its errors. A widget prints through a template, each
        option through another: 2 ms of a page that prints its long tables as
        prepared markup."""
        self.form.is_valid()
        form = self.form
        key = tuple(
            (name, tuple(getattr(field, "choices", ())),
             form.data.get(form.add_prefix(name)), tuple(form.errors.get(name, ())))
            for name, field in form.fields.items()
        )  # fmt: skip
        printed = _PRINTED_FIELDS.get(key)
        if printed is None:
            if len(_PRINTED_FIELDS) >= MAX_PRINTED_FIELDS:
                _PRINTED_FIELDS.clear()
            printed = render_to_string("public/_debate_filters.html", {"form": form})
            _PRINTED_FIELDS[key] = printed
        return printed


# Printed filter forms (DebateFilter.printed_fields): in practice the debates'
# pole labels times the few values readers ask for.
_PRINTED_FIELDS = {}
MAX_PRINTED_FIELDS = 512
