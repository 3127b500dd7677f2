from collections import defaultdict
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q, Window
from django.db.models.functions import Coalesce, Lag, RowNumber
from simple_history.models import HistoricalRecords

from .actors import Actor
from .common import (
    Stamped,
    Versioned,
    bare_quote,
    done_by,
    not_after_today,
    not_before_1900,
    on_the_public_web,
    one_of,
)
from .coverage import CoverageItem, Outlet
from .debates import Debate, Proposal, public_debate
from .stance import STANCE_CHOICES, describe_stance, format_stance, stance_in_range
from .tracking import FieldTracker

NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
]


def public_position(path=""):
    """The condition on a position readers may see, reached from a related model
    through path ("position__"): published or retracted, in a public debate."""
    return Q(**{f"{path}status__in": PUBLIC_STATUSES}) & public_debate(f"{path}debate__")


# The order in which one actor's published positions on one debate or proposal
# follow each other: the last is its current position, and each one that moved
# from the one before it is a shift.
SUCCESSION = ["stated_on", "published_at", "id"]


class Step(NamedTuple):
    """A published position as a run of them needs it (PositionQuerySet.runs)."""

    id: int
    actor_id: int
    debate_id: int
    proposal_id: int | None
    stance: int | None
    support: str
    stated_on: object


def moved(before, after):
    """Whether `after` shifted from `before`, the same actor's previous published
    position on the same debate or proposal: a stance known on both sides that
    differs, or another answer to the proposal. shifts() asks the same in SQL;
    an unknown stance on either side is no evidence of a shift."""
    stances = (before.stance, after.stance)
    return (None not in stances and stances[0] != stances[1]) or before.support != after.support


def held_since(run):
    """The date from which the last of a run's positions (oldest first; Steps
    or positions) has stood unchanged in stance and answer."""
    latest = run[-1]
    since = latest.stated_on
    for position in reversed(run):
        if (position.stance, position.support) != (latest.stance, latest.support):
            break
        since = position.stated_on
    return since


class PositionQuerySet(models.QuerySet):
    """Reader-facing code starts from public(); the other methods chain after it
    (public().current(), public().shifts()) and the editorial panel uses them alone."""

    def public(self):
        """What readers may see: published and retracted positions of public
        debates; never drafts, never a draft debate's positions."""
        return self.filter(public_position())

    def published(self):
        return self.filter(status=Position.Status.PUBLISHED)

    def retracted(self):
        return self.filter(status=Position.Status.RETRACTED)

    def current(self, as_of=None):
        """The latest published position of each actor on each debate and each
        proposal in this queryset; with as_of, the latest stated on or before it."""
        qs = self.published()
        if as_of is not None:
            qs = qs.filter(stated_on__lte=as_of)
        return qs.annotate(
            recency_rank=Window(
                RowNumber(),
                partition_by=[F("actor_id"), F("debate_id"), F("proposal_id")],
                order_by=[F(name).desc() for name in SUCCESSION],
            )
        ).filter(recency_rank=1)

    def current_positions(self, debate, as_of=None):
        """Each actor's current position in the debate, on the whole and per proposal."""
        return self.filter(debate=debate).current(as_of)

    def current_overall(self, debates, as_of=None):
        """Every actor's current stance on each of these debates as a whole."""
        return self.filter(debate__in=debates, proposal=None).current(as_of)

    def current_for_actor(self, actor, as_of=None):
        """The actor's current position in every debate and proposal."""
        return self.filter(actor=actor).current(as_of)

    def shifts(self, as_of=None):
        """Published positions that differ from the same actor's previous published
        position on the same debate (or proposal), annotated with what came before;
        with as_of, the shifts stated on or before it.

        Narrow it only by actor, debate or proposal: any other filter (ids, dates)
        is applied before the window and hides the earlier positions it compares.
        as_of may go first because it hides only later positions, which no earlier
        shift compares with."""
        ordering = [F(name).asc() for name in SUCCESSION]
        partition = [F("actor_id"), F("debate_id"), F("proposal_id")]

        def previous(field):
            return Window(Lag(field), partition_by=partition, order_by=ordering)

        qs = self.published()
        if as_of is not None:
            qs = qs.filter(stated_on__lte=as_of)
        return (
            qs.annotate(
                previous_id=previous("id"),
                previous_stance=previous("stance"),
                previous_support=previous("support"),
                previous_stated_on=previous("stated_on"),
            )
            .filter(previous_id__isnull=False)
            # lt/gt rather than a negated equality: an unknown stance (NULL) on
            # either side is no evidence of a shift.
            .filter(
                Q(stance__lt=F("previous_stance"))
                | Q(stance__gt=F("previous_stance"))
                | ~Q(support=F("previous_support"))
            )
        )

    def runs(self):
        """The published positions here as runs: (actor id, debate id, proposal
        id) -> [Step], oldest first. A run's last step is what current() gives
        and each step that moved() from the one before is one of shifts(); one
        query without a window, for a page that needs the current positions,
        the shifts and how long each stance has held all at once.

        Like shifts(), narrow it only by actor, debate, proposal or as_of date."""
        runs = defaultdict(list)
        rows = self.published().order_by(*SUCCESSION).values_list(*Step._fields)
        for step in map(Step._make, rows):
            runs[step.actor_id, step.debate_id, step.proposal_id].append(step)
        return runs

    def with_corroboration(self):
        """Annotate how many distinct outlets back each position.

        An evidence item counts for the outlet it cites (an article “citing the
        FT” is the FT's reporting), else for the outlet of the original story,
        so syndicated copies count once. Editor inferences add nothing.
        corroboration() counts the same for evidence in hand.
        """
        return self.annotate(
            corroboration=Count(
                Coalesce(
                    "evidence__cited_outlet_id",
                    "evidence__item__duplicate_of__outlet_id",
                    "evidence__item__outlet_id",
                ),
                distinct=True,
                filter=~Q(evidence__attribution=Evidence.Attribution.EDITOR_INFERENCE)
                & Q(evidence__superseded_at=None),
            )
        )


def corroboration(evidence):
    """How many distinct outlets back a position, from its current evidence in
    hand (each with its item, the item's original and the cited outlet's key
    loaded): with_corroboration()'s count, without a query of its own."""
    outlets = set()
    for piece in evidence:
        if piece.attribution == EvidenceAttribution.EDITOR_INFERENCE:
            continue
        item = piece.item if piece.item_id else None
        original = item.duplicate_of if item and item.duplicate_of_id else None
        outlets.add(
            piece.cited_outlet_id or (original and original.outlet_id) or (item and item.outlet_id)
        )
    outlets.discard(None)
    return len(outlets)


class PositionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


# Retracted positions stay in view, marked, so readers see what was withdrawn.
PUBLIC_STATUSES = [PositionStatus.PUBLISHED, PositionStatus.RETRACTED]


class PositionSupport(models.TextChoices):
    SUPPORT = "support", "Supports"
    OPPOSE = "oppose", "Opposes"
    CONDITIONAL = "conditional", "Supports with conditions"
    UNDECIDED = "undecided", "Undecided"


# Where each answer on a proposal sits when a change of answer is rated like a
# move on the stance scale (rate_move): opposing and supporting are the two
# sides, undecided the middle, supporting with conditions a softer support.
SUPPORT_LEANING = {
    PositionSupport.OPPOSE: -2,
    PositionSupport.UNDECIDED: 0,
    PositionSupport.CONDITIONAL: 1,
    PositionSupport.SUPPORT: 2,
}
SUPPORT_RATING_NOTE = (
    "On a proposal, a change of answer is rated the same way: opposing and supporting "
    "are the two sides, undecided is the middle, and supporting with conditions is a "
    "softer support."
)


class Position(Stamped, Versioned):
    Status = PositionStatus
    Support = PositionSupport

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="positions")
    debate = models.ForeignKey(Debate, on_delete=models.PROTECT, related_name="positions")
    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="positions",
        help_text="Leave empty for a stance on the debate as a whole.",
    )
    stance = models.SmallIntegerField(
        choices=STANCE_CHOICES,
        null=True,
        blank=True,
        help_text="−2 strongly towards the debate's low pole … +2 strongly towards its high pole.",
    )
    support = models.CharField(
        max_length=12, choices=Support, blank=True, help_text="Required for a proposal."
    )
    summary = models.TextField()
    stated_on = models.DateField(
        help_text="When the actor took this position.",
        validators=[not_before_1900, not_after_today],
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    created_by = done_by()
    published_by = done_by()
    published_at = models.DateTimeField(null=True, blank=True)
    retracted_at = models.DateTimeField(null=True, blank=True)
    retracted_by = done_by()
    retraction_reason = models.TextField(blank=True)
    # A correction of a published position's text or evidence is drafted as a
    # position of its own that `corrects` it; publishing applies it in place.
    corrects = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="corrections"
    )
    correction_note = models.TextField(
        blank=True, help_text="Shown to readers: what was corrected, and why."
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    corrected_by = done_by()

    objects = PositionQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-stated_on", "-id"]
        permissions = [("publish_position", "Can publish and retract positions")]
        indexes = [
            models.Index(
                fields=["debate", "status", "actor", "proposal", "stated_on"],
                name="position_debate_lookup",
            ),
            models.Index(fields=["actor", "status", "stated_on"], name="position_actor_lookup"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=stance_in_range("stance"), name="position_stance_range"
            ),
            one_of("status", PositionStatus, "position_status_valid"),
            one_of("support", PositionSupport, "position_support_valid", blank=True),
            models.CheckConstraint(
                condition=Q(proposal__isnull=False) | (Q(stance__isnull=False) & Q(support="")),
                name="position_on_debate_has_stance",
            ),
            models.CheckConstraint(
                condition=Q(proposal__isnull=True) | ~Q(support=""),
                name="position_on_proposal_has_support",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="position_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="retracted")
                | (Q(retracted_at__isnull=False) & ~Q(retraction_reason="")),
                name="position_retraction_recorded",
            ),
            models.CheckConstraint(condition=~Q(summary=""), name="position_summary_not_blank"),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | Q(status="draft"),
                name="position_correction_is_draft",
            ),
        ]

    def __str__(self):
        on = self.proposal or self.debate
        return f"{self.actor} on {on} ({self.stance_display}, {self.stated_on})"

    # What a reader relies on: once published, these change only by publishing
    # a new dated position (history is the product).
    FIXED_ONCE_PUBLISHED = (
        "actor_id",
        "debate_id",
        "proposal_id",
        "stance",
        "support",
        "stated_on",
    )
    stored = FieldTracker("status", *FIXED_ONCE_PUBLISHED)

    def save(self, *args, **kwargs):
        changed = self.changed_since_published()
        if changed:
            raise ValidationError(
                f"A published position cannot change its {', '.join(changed)}; "
                "publish a new dated position instead."
            )
        super().save(*args, **kwargs)

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        Position.stored.forget(self)

    def clean(self):
        errors = {}
        changed = self.changed_since_published()
        if changed:
            errors["__all__"] = (
                f"A published position cannot change its {', '.join(changed)}; "
                "publish a new dated position instead."
            )
        if self.proposal_id and self.debate_id and self.proposal.debate_id != self.debate_id:
            errors["proposal"] = "This proposal belongs to another debate."
        if self.proposal_id is None:
            if self.stance is None:
                errors["stance"] = "A position on the debate as a whole needs a stance."
            if self.support:
                errors["support"] = "Support applies to a proposal; choose one or clear this."
        elif not self.support:
            errors["support"] = "Say whether the actor supports the proposal."
        if self.corrects_id:
            original = Position.objects.filter(pk=self.corrects_id).values(
                *self.FIXED_ONCE_PUBLISHED
            )
            differs = [
                name.removesuffix("_id")
                for name, value in (original.first() or {}).items()
                if value != getattr(self, name)
            ]
            if differs:
                errors["__all__"] = (
                    f"A correction keeps the {', '.join(differs)} of what it corrects; "
                    "a new stance is a new dated position."
                )
        if errors:
            raise ValidationError(errors)

    ALLOWED_MOVES = {("draft", "published"), ("published", "retracted")}

    def changed_since_published(self):
        """What this object would change that a published (or retracted) position
        must keep: fixed fields, or a status move other than publish and retract."""
        tracked = self.stored
        stored = tracked.values()
        if not stored:  # a new position: nothing published to keep yet
            return []
        status = stored["status"]
        changed = []
        if status != self.status and (status, self.status) not in self.ALLOWED_MOVES:
            changed.append("status")
        if status == self.Status.DRAFT:
            return changed
        fixed = [name for name in tracked.changed() if name in self.FIXED_ONCE_PUBLISHED]
        return changed + [name.removesuffix("_id") for name in fixed]

    @property
    def on_public_record(self):
        """Readers have seen it (published, or retracted after that): it is no
        longer edited or deleted, only corrected or retracted."""
        return self.status != self.Status.DRAFT or self.published_at is not None

    @property
    def stance_display(self):
        return format_stance(self.stance)

    @property
    def stance_label(self):
        """The stance in the debate's own words: 'strongly more aggressive'."""
        return describe_stance(self.stance, self.debate.low_label, self.debate.high_label)

    @property
    def corroboration_count(self):
        annotated = getattr(self, "corroboration", None)
        if annotated is not None:
            return annotated
        return Position.objects.filter(pk=self.pk).with_corroboration().get().corroboration


SOURCE_COUNT_FROM_ONE = "Count the sources from 1; leave it empty when nobody is counted."
MOST_SOURCES = 999  # the accept screen's limit too


class EvidenceAttribution(models.TextChoices):
    """Who stands behind a piece of evidence, listed from the most direct to the
    least: the order is how a shift weighs the evidence on each side."""

    ON_RECORD = "on_record", "On the record"
    SPOKESPERSON = "spokesperson", "Through a spokesperson"
    ANONYMOUS_OFFICIALS = "anonymous_officials", "Anonymous officials"
    OUTLET_REPORT = "outlet_report", "Outlet's own report"
    EDITOR_INFERENCE = "editor_inference", "Editor's inference"

    @property
    def meaning(self):
        """What the level tells a reader, for the methodology page."""
        return ATTRIBUTION_MEANINGS[self]


ATTRIBUTION_MEANINGS = {
    EvidenceAttribution.ON_RECORD: "The actor said it in public and in their own name: a "
    "speech, a statement, an interview, a post, a vote.",
    EvidenceAttribution.SPOKESPERSON: "A spokesperson or office spoke for the actor, "
    "by name or in an official statement.",
    EvidenceAttribution.ANONYMOUS_OFFICIALS: "Officials who would not be named told a news "
    "outlet; we show the outlet, whom it cites, and how many sources and from where, "
    "as reported.",
    EvidenceAttribution.OUTLET_REPORT: "A news outlet says so in its own voice, without "
    "naming who told it.",
    EvidenceAttribution.EDITOR_INFERENCE: "Our editors read the stance from what the actor "
    "did or whom they joined; nobody is quoted saying it, and it never counts towards "
    "the independent outlets behind a position.",
}


def strongest_attribution(evidence):
    """The most direct attribution among these pieces of evidence, or None."""
    order = list(EvidenceAttribution)
    found = [EvidenceAttribution(piece.attribution) for piece in evidence]
    return min(found, key=order.index) if found else None


class EvidenceQuerySet(models.QuerySet):
    def current(self):
        """Evidence as it stands: without what a published correction replaced."""
        return self.filter(superseded_at=None)

    def public(self):
        """What readers may see: the current evidence of public positions."""
        return self.current().filter(public_position("position__"))


class Evidence(Versioned):
    Attribution = EvidenceAttribution

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="evidence")
    item = models.ForeignKey(
        CoverageItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
        help_text="The coverage this evidence comes from; or give a bare URL.",
    )
    url = models.URLField("bare URL", max_length=2000, blank=True, validators=[on_the_public_web])
    quote = models.TextField(blank=True)
    attribution = models.CharField(max_length=20, choices=Attribution)
    speaker = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who said it, when not the actor: “one NATO diplomat”.",
    )
    source_count = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How many unnamed sources: 4 for “four NATO officials”.",
        validators=[
            MinValueValidator(1, SOURCE_COUNT_FROM_ONE),
            MaxValueValidator(MOST_SOURCES, f"Count at most {MOST_SOURCES} sources."),
        ],
    )
    source_affiliation = models.CharField(
        max_length=200, blank=True, help_text="Who the unnamed sources are: “NATO officials”."
    )
    cited_outlet = models.ForeignKey(
        Outlet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cited_in",
        help_text="The outlet the item cites (the FT, when the item cites the FT).",
    )
    note = models.TextField(blank=True)
    superseded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a published correction replaced this evidence; it stays on record.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=False) | ~Q(url=""),
                name="evidence_has_source",
                violation_error_message="Evidence needs a coverage item or a URL.",
            ),
            one_of("attribution", EvidenceAttribution, "evidence_attribution_valid"),
            models.CheckConstraint(
                condition=Q(source_count__isnull=True) | Q(source_count__gte=1),
                name="evidence_source_count_positive",
                violation_error_message=SOURCE_COUNT_FROM_ONE,
            ),
        ]

    def __str__(self):
        kind, chain = self.get_attribution_display(), self.attribution_chain
        return kind if chain == kind else f"{kind}: {chain}"

    NEEDS_A_SOURCE = "Evidence needs a coverage item or a URL."
    TWICE = "This position has this evidence already: the same source and quote."

    def clean(self):
        self.quote = bare_quote(self.quote)
        if not self.item_id and not self.url:
            raise ValidationError(self.NEEDS_A_SOURCE, code="needs_a_source")
        if self.position_id and (
            Evidence.objects.current()
            .filter(position_id=self.position_id, **self.passage())
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(self.TWICE, code="twice")

    def passage(self):
        """What makes two pieces of evidence one: the same source and quote."""
        return {"item_id": self.item_id, "url": self.url, "quote": self.quote}

    @property
    def is_on_record(self):
        return self.attribution in (self.Attribution.ON_RECORD, self.Attribution.SPOKESPERSON)

    @property
    def sources_phrase(self):
        """'four NATO officials', 'one NATO diplomat', or '' when nobody is counted."""
        if not (self.source_count or self.source_affiliation):
            return self.speaker
        count = self.source_count
        words = NUMBER_WORDS[count] if count is not None and count < len(NUMBER_WORDS) else count
        return " ".join(str(part) for part in (words, self.source_affiliation) if part)

    @property
    def attribution_chain(self):
        """Who said it and through whom: 'Example Wire, citing the Financial Times,
        citing four NATO officials'."""
        links = []
        if self.item_id and self.item.outlet_id:
            links.append(self.item.outlet.name)
        if self.cited_outlet_id:
            links.append(self.cited_outlet.name)
        sources = self.sources_phrase
        if sources and not self.is_on_record:
            links.append(sources)
        elif self.is_on_record and self.speaker:
            links.append(self.speaker)
        return ", citing ".join(links) if links else self.get_attribution_display()
