import datetime

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Length, Lower, Upper
from django.db.models.lookups import Exact
from simple_history.models import HistoricalRecords

from .common import Stamped, Versioned, not_before_1900, one_line, one_of

# Codes in everyday use that ISO 3166-1 leaves unassigned: Kosovo's, as the
# EU, the IMF and the World Bank write it.
UNASSIGNED_CODES = {"XK": "Kosovo"}
# Names in everyday use that the ISO list words otherwise ("Russian Federation",
# "Türkiye", "United Kingdom of Great Britain and Northern Ireland").
EVERYDAY_NAMES = {
    "america": "US",
    "britain": "GB",
    "brunei": "BN",
    "burma": "MM",
    "cape verde": "CV",
    "east timor": "TL",
    "great britain": "GB",
    "holland": "NL",
    "ivory coast": "CI",
    "kosovo": "XK",
    "macedonia": "MK",
    "micronesia": "FM",
    "palestine": "PS",
    "russia": "RU",
    "swaziland": "SZ",
    "turkey": "TR",
    "u.k.": "GB",
    "u.s.": "US",
    "uk": "GB",
    "vatican": "VA",
    "vatican city": "VA",
}


def country_name(code):
    """The name of a country by its two-letter code; "" for none."""
    if code in UNASSIGNED_CODES:
        return UNASSIGNED_CODES[code]
    country = pycountry.countries.get(alpha_2=code) if code else None
    return country.name if country else ""


def country_code(text):
    """The two-letter code of a country given by its name, everyday or ISO, or
    by its code (two or three letters), in any case; None if none is known."""
    words = " ".join(text.split()).casefold().removeprefix("the ")
    if words.upper() in UNASSIGNED_CODES:
        return words.upper()
    if words in EVERYDAY_NAMES:
        return EVERYDAY_NAMES[words]
    try:
        return pycountry.countries.lookup(words).alpha_2
    except LookupError:
        return None


def validate_country_code(value):
    if value and not country_name(value):
        raise ValidationError(
            "“%(value)s” is not an ISO 3166-1 alpha-2 country code.", params={"value": value}
        )


validate_wikidata_id = RegexValidator(
    r"^Q[1-9][0-9]*$", "A Wikidata item id looks like Q7184 (Q followed by digits)."
)


def normalise_aliases(aliases, name=""):
    """Strip, drop blanks and the actor's own name, de-duplicate ignoring case, keep order."""
    seen = {name.strip().casefold()} if name else set()
    cleaned = []
    for alias in aliases or []:
        alias = one_line(alias)
        if alias and alias.casefold() not in seen:
            seen.add(alias.casefold())
            cleaned.append(alias)
    return cleaned


class ActorQuerySet(models.QuerySet):
    def public(self):
        """Actors readers may see: every actor. Names, kinds and memberships are
        reference data (the Popolo export lists them all); only positions wait
        for publication."""
        return self.all()


class ActorKind(models.TextChoices):
    COUNTRY = "country", "Country"
    OFFICIAL = "official", "Official"
    ORGANIZATION = "organization", "Organisation"
    BLOC = "bloc", "Bloc"
    UNNAMED_GROUP = "unnamed_group", "Unnamed group"


class Actor(Stamped, Versioned):
    Kind = ActorKind

    kind = models.CharField(max_length=20, choices=Kind)
    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        unique=True,
        error_messages={
            "unique": "Another actor already has this address; if it is the same actor, "
            "use it rather than adding it twice."
        },
    )
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[validate_country_code],
        help_text="ISO 3166-1 alpha-2 code: the country itself, or the one an official serves.",
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text="Other names used in coverage (“Kremlin”, “Moscow”), one per line.",
    )
    wikidata_id = models.CharField(
        "Wikidata id", max_length=20, blank=True, validators=[validate_wikidata_id]
    )
    description = models.TextField(blank=True)

    objects = ActorQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            one_of("kind", ActorKind, "actor_kind_valid"),
            models.CheckConstraint(
                condition=Q(country="")
                | (Q(Exact(Length("country"), 2)) & Q(country=Upper("country"))),
                name="actor_country_is_two_capitals",
            ),
            models.CheckConstraint(
                condition=~Q(kind="country") | ~Q(country=""), name="actor_country_has_code"
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="actor_name_not_blank",
                violation_error_message="Give the actor a name.",
            ),
            models.CheckConstraint(
                condition=Q(wikidata_id="") | Q(wikidata_id__startswith="Q"),
                name="actor_wikidata_id_shape",
            ),
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~Q(wikidata_id=""),
                name="actor_wikidata_id_unique",
                violation_error_message="Another actor has this Wikidata id.",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = one_line(self.name)
        self.aliases = normalise_aliases(self.aliases, self.name)
        super().save(*args, **kwargs)

    def clean(self):
        self.name = one_line(self.name)
        if not isinstance(self.aliases, list):
            raise ValidationError({"aliases": "Aliases must be a list of names."})
        if self.kind == self.Kind.COUNTRY and not self.country:
            raise ValidationError({"country": "A country needs its ISO 3166-1 alpha-2 code."})
        self._refuse_a_second_copy()

    def _refuse_a_second_copy(self):
        """One actor per country, and per name within a kind: a second "Poland"
        would split the country's positions between two pages."""
        others = Actor.objects.exclude(pk=self.pk)
        if self.kind == self.Kind.COUNTRY and self.country:
            same = others.filter(kind=self.kind, country=self.country).first()
            if same is not None:
                raise ValidationError(
                    {
                        "country": f"{same.name} is already the actor for {self.country} "
                        f"(/actors/{same.slug}/): use it rather than adding the country twice."
                    }
                )
        if self.kind in self.Kind.values and self.name.strip():
            same = others.filter(kind=self.kind, name__iexact=self.name.strip()).first()
            if same is not None:
                kind = self.Kind(self.kind).label.lower()
                article = "an" if kind[0] in "aeiou" else "a"
                raise ValidationError(
                    {
                        "name": f"There is already {article} {kind} named {same.name} "
                        f"(/actors/{same.slug}/): use it, or give this one a name that "
                        "tells them apart."
                    }
                )
        # An alias is how coverage is read as naming the actor: one that names
        # another actor too would credit both with every mention.
        mine = {alias.casefold(): alias for alias in normalise_aliases(self.aliases, self.name)}
        for other in others.only("name", "slug", "aliases") if mine else ():
            for taken in (other.name, *(other.aliases or [])):
                if taken.casefold() in mine:
                    raise ValidationError(
                        {
                            "aliases": f"“{mine[taken.casefold()]}” already names {other.name} "
                            f"(/actors/{other.slug}/): mentions of it would be credited to "
                            "both. Leave it out here, or take it off there."
                        }
                    )

    @property
    def names(self):
        """The name and every alias: what coverage may call this actor."""
        return [self.name, *self.aliases]

    @property
    def country_name(self):
        return country_name(self.country)

    def current_positions(self, as_of=None):
        from .positions import Position

        return Position.objects.current_for_actor(self, as_of=as_of)

    def shifts(self):
        from .positions import Position

        return Position.objects.shifts().filter(actor=self)


NO_START = datetime.date.min
MEMBERSHIP_TWICE = (
    "This membership is already recorded: the same organisation, post and start date."
)


class Membership(models.Model):
    """An official's post, or a country's membership of a bloc (Popolo's Membership)."""

    ORGANIZATION_KINDS = (Actor.Kind.COUNTRY, Actor.Kind.ORGANIZATION, Actor.Kind.BLOC)

    member = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(
        max_length=200, blank=True, help_text="The post held, e.g. “U.S. Ambassador to NATO”."
    )
    start_date = models.DateField(null=True, blank=True, validators=[not_before_1900])
    end_date = models.DateField(null=True, blank=True, validators=[not_before_1900])

    class Meta:
        ordering = ["-start_date", "organization__name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(member=F("organization")),
                name="membership_not_of_itself",
                violation_error_message="An actor cannot be a member of itself.",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="membership_ends_after_start",
            ),
            # A membership with no start date is one record too: NULLs are
            # distinct to a plain unique constraint, and SQLite cannot be told
            # otherwise, so the constraint reads a missing date as the
            # earliest one. A post is the same post in any case.
            models.UniqueConstraint(
                F("member"),
                F("organization"),
                Lower(F("role")),
                Coalesce(F("start_date"), Value(NO_START)),
                name="membership_unique",
                violation_error_message=MEMBERSHIP_TWICE,
            ),
        ]

    def __str__(self):
        role = f" ({self.role})" if self.role else ""
        return f"{self.member} in {self.organization}{role}"

    def save(self, *args, **kwargs):
        self.role = one_line(self.role)
        super().save(*args, **kwargs)

    def clean(self):
        self.role = one_line(self.role)
        # Checked here as well as by the constraint: on an actor's page the
        # member is the page's actor, which the constraint's check leaves out.
        if self.member_id and self.member_id == self.organization_id:
            raise ValidationError({"organization": "An actor cannot be a member of itself."})
        if self.organization_id and self.organization.kind not in self.ORGANIZATION_KINDS:
            raise ValidationError(
                {"organization": "Members belong to a country, an organisation or a bloc."}
            )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "A membership cannot end before it starts."})

    def is_current(self, on):
        return self.spans(self.start_date, self.end_date, on)

    @staticmethod
    def spans(start_date, end_date, on):
        """Whether a membership from start_date to end_date (either open) holds on `on`."""
        starts = start_date is None or start_date <= on
        ends = end_date is None or end_date >= on
        return starts and ends


def countries_served(officials, on):
    """Each official's own countries on a date, {official id: [country actors]}:
    the country whose code the official carries, and any country the official
    holds a post in on that date (two queries, none without an official)."""
    officials = [actor for actor in officials if actor.kind == Actor.Kind.OFFICIAL]
    if not officials:
        return {}
    by_code = {
        country.country: country
        for country in Actor.objects.public().filter(
            kind=Actor.Kind.COUNTRY, country__in={o.country for o in officials if o.country}
        )
    }
    served = {official.id: [] for official in officials}
    for official in officials:
        if official.country in by_code:
            served[official.id].append(by_code[official.country])
    posts = Membership.objects.filter(
        member__in=officials, organization__kind=Actor.Kind.COUNTRY
    ).select_related("organization")
    for post in posts:
        countries = served[post.member_id]
        if post.is_current(on) and post.organization not in countries:
            countries.append(post.organization)
    return served


def officials_serving(country, on):
    """The officials whose own country (countries_served) this country is on a date."""
    candidates = Actor.objects.public().filter(
        Q(country=country.country) | Q(memberships__organization=country),
        kind=Actor.Kind.OFFICIAL,
    )
    officials = list(candidates.distinct().order_by("name"))
    served = countries_served(officials, on)
    return [official for official in officials if country in served[official.id]]
