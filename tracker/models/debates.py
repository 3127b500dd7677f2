from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .common import Stamped, Versioned, done_by, one_line, one_of
from .stance import describe_stance


class DebateStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"


POLES_DIFFER = "The two poles need different labels."


def public_debate(path=""):
    """The condition on a debate readers may see — everything but drafts — reached
    from a related model through path ("debate__", "position__debate__")."""
    return ~Q(**{f"{path}status": DebateStatus.DRAFT})


class DebateQuerySet(models.QuerySet):
    def public(self):
        """Debates readers may see: everything but drafts."""
        return self.filter(public_debate())


class ProposalQuerySet(models.QuerySet):
    def public(self):
        """Options readers may see: those of public debates."""
        return self.filter(public_debate("debate__"))


class Debate(Stamped, Versioned):
    Status = DebateStatus

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    question = models.TextField(help_text="The policy question, as a reader would ask it.")
    summary = models.TextField(blank=True)
    low_label = models.CharField(
        max_length=80, help_text="The pole at −2, shown on the left: e.g. “conservative”."
    )
    high_label = models.CharField(
        max_length=80, help_text="The pole at +2, shown on the right: e.g. “more aggressive”."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    watch_query = models.TextField(
        blank=True,
        help_text="Which coverage is flagged for this debate: terms, prefix*, “phrases”, "
        "AND/OR/NOT, parentheses and @actor-slug.",
    )
    subjects = models.ManyToManyField(
        "tracker.Actor",
        blank=True,
        related_name="debates_about",
        help_text="Who the debate is about (Russia, in a debate on answering Russia): "
        "named in its coverage, but not proposed as holding a position in it.",
    )
    # Taking a debate off the public site is a publisher's act, on record like a retraction.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = done_by()
    withdrawn_reason = models.TextField(blank=True)

    objects = DebateQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        constraints = [
            one_of("status", DebateStatus, "debate_status_valid"),
            models.CheckConstraint(
                condition=~Q(low_label="") & ~Q(high_label=""), name="debate_poles_named"
            ),
            models.CheckConstraint(
                condition=~Q(low_label=F("high_label")),
                name="debate_poles_differ",
                violation_error_message=POLES_DIFFER,
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="debate_title_not_blank",
                violation_error_message="Give the debate a title.",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawn_reason=""),
                name="debate_withdrawal_has_reason",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        self.title = one_line(self.title)  # characters nobody sees are no title
        if " ".join(self.low_label.split()).casefold() == " ".join(
            self.high_label.split()
        ).casefold() and (self.low_label.strip() or self.high_label.strip()):
            raise ValidationError({"high_label": POLES_DIFFER})
        if refusal := self.watch_query_refusal(self.watch_query):
            raise ValidationError({"watch_query": refusal})

    @staticmethod
    def watch_query_refusal(watch_query):
        """What is wrong with a watch query, in words ("" when nothing is): its
        syntax, or an @actor that names no actor. Saving and the preview both ask."""
        from ..watchquery import QuerySyntaxError, actor_slugs, parse_query
        from .actors import Actor

        try:
            tree = parse_query(watch_query)
        except QuerySyntaxError as error:
            return str(error)
        slugs = actor_slugs(tree)
        known = set(Actor.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        unknown = sorted(slugs - known)
        if unknown:
            position = watch_query.lower().find("@" + unknown[0]) + 1
            return f"no actor with the slug “{unknown[0]}” (at character {position})"
        return ""

    def describe_stance(self, stance):
        return describe_stance(stance, self.low_label, self.high_label)

    def current_positions(self, as_of=None):
        from .positions import Position

        return Position.objects.current_positions(self, as_of=as_of)


class Proposal(Versioned):
    """An option inside a debate, placed on its escalation ladder by rung."""

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    rung = models.PositiveSmallIntegerField(
        help_text="Place on the escalation ladder: higher rungs escalate further."
    )
    description = models.TextField(blank=True)

    objects = ProposalQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        ordering = ["debate", "rung", "title"]
        constraints = [
            models.UniqueConstraint(fields=["debate", "slug"], name="proposal_slug_per_debate"),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="proposal_title_not_blank",
                violation_error_message="Give the option a title.",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        self.title = one_line(self.title)  # characters nobody sees are no title
        if self.title and self.debate_id:
            # Two columns of one title on the debate's page, told apart by nobody.
            same = (
                Proposal.objects.filter(debate_id=self.debate_id, title__iexact=self.title)
                .exclude(pk=self.pk)
                .first()
            )
            if same is not None:
                raise ValidationError(
                    {"title": f"This debate has an option titled “{same.title}” already."}
                )
