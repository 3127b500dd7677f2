from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from simple_history.models import HistoricalRecords

from .actors import Actor
from .common import done_by, one_of
from .coverage import CoverageItem
from .debates import Debate
from .positions import Position
from .stance import STANCE_CHOICES, stance_in_range


class FlagStatus(models.TextChoices):
    NEW = "new", "New"
    CLAIMED = "claimed", "Claimed"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class FoundBy(models.TextChoices):
    QUERY = "query", "Watch query"
    SIMILARITY = "similarity", "Similarity"


# Flags never scored (found with relevance off) come after the scored ones.
# Written as its own key rather than "NULLS LAST", which SQLite's indexes cannot
# hold, so that one index serves the order on both databases.
UNSCORED = ExpressionWrapper(Q(relevance__isnull=True), output_field=BooleanField())
# The review queue's order: most relevant first, then best keyword score, then
# newest; the flag_queue_relevance indexes hold it.
QUEUE_KEYS = (
    ("unscored", False),  # (key, descending)
    ("relevance", True),
    ("score", True),
    ("created_at", True),
    ("id", True),
)
QUEUE_ORDER = (
    UNSCORED.asc(),
    F("relevance").desc(),
    F("score").desc(),
    F("created_at").desc(),
    F("id").desc(),
)


def _queue_values(flag):
    return {
        "unscored": flag.relevance is None,
        "relevance": flag.relevance,
        "score": flag.score,
        "created_at": flag.created_at,
        "id": flag.id,
    }


def _equal(key, value):
    if key == "unscored":
        return Q(relevance__isnull=value)
    return Q(**{f"{key}__isnull": True}) if value is None else Q(**{key: value})


def _beyond(key, value, descending, forward):
    """Flags strictly past value on this key, walking the queue forward or back."""
    if key == "unscored":
        # Scored flags (False) come first, then the unscored ones (True).
        if forward:
            return Q(relevance__isnull=True) if not value else Q(pk__in=[])
        return Q(relevance__isnull=False) if value else Q(pk__in=[])
    if value is None:
        return Q(pk__in=[])  # among unscored flags relevance never differs
    return Q(**{f"{key}__{'lt' if descending == forward else 'gt'}": value})


def _walk(flag, forward):
    values = _queue_values(flag)
    condition, same = Q(pk__in=[]), Q()
    for key, descending in QUEUE_KEYS:
        condition |= same & _beyond(key, values[key], descending, forward)
        same &= _equal(key, values[key])
    return condition


def queue_position(row):
    """A sort key for (relevance, score, created_at, id): larger is earlier."""
    relevance, score, created_at, pk = row
    return (relevance is not None, relevance or 0.0, score, created_at, pk)


class FlagQuerySet(models.QuerySet):
    def in_queue_order(self):
        """The order editors work the queue in: the panel's list, its next and
        previous keys, and `manage.py flags --json`."""
        return self.order_by(*QUEUE_ORDER)

    def after(self, flag):
        """The flags after this one in the queue's order (nearest first)."""
        return self.filter(_walk(flag, forward=True)).in_queue_order()

    def before(self, flag):
        """The flags before this one in the queue's order (nearest first)."""
        return self.filter(_walk(flag, forward=False)).order_by(
            *(key.copy().reverse_ordering() for key in QUEUE_ORDER)
        )


class Flag(models.Model):
    """A coverage item queued for an editor's review against one debate."""

    Status = FlagStatus
    FoundBy = FoundBy
    QUEUE_ORDER = QUEUE_ORDER

    item = models.ForeignKey(CoverageItem, on_delete=models.CASCADE, related_name="flags")
    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="flags")
    score = models.FloatField(default=0)
    matched_terms = models.JSONField(default=list, blank=True)
    matched_actors = models.ManyToManyField(Actor, blank=True, related_name="flags")
    suggested_stance = models.SmallIntegerField(choices=STANCE_CHOICES, null=True, blank=True)
    stance_reasons = models.JSONField(
        default=list, blank=True, help_text="The cue phrases behind the suggested stance."
    )
    relevance = models.FloatField(
        null=True,
        blank=True,
        help_text="How likely the desk finds this item relevant to the debate, 0 to 1.",
    )
    found_by = models.CharField(max_length=10, choices=FoundBy, default=FoundBy.QUERY)
    reason = models.JSONField(
        default=dict,
        blank=True,
        help_text="Why it was suggested: the most similar accepted article or debate passage.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_flags",
    )
    decided_by = done_by()
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    positions = models.ManyToManyField(
        Position, blank=True, related_name="source_flags", help_text="What accepting produced."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FlagQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = QUEUE_ORDER
        indexes = [
            # The queue in its order, for one debate and across all of them.
            models.Index(F("debate"), F("status"), *QUEUE_ORDER[:-1], name="flag_queue_relevance"),
            models.Index(F("status"), *QUEUE_ORDER[:-1], name="flag_queue_relevance_all"),
            # Sorting the list by its score column.
            models.Index(fields=["debate", "status", "-score", "-created_at"], name="flag_queue"),
            models.Index(fields=["status", "-score", "-created_at"], name="flag_queue_all"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["item", "debate"], name="flag_once_per_item_debate"),
            models.CheckConstraint(condition=Q(score__gte=0), name="flag_score_not_negative"),
            models.CheckConstraint(
                condition=stance_in_range("suggested_stance"), name="flag_suggested_stance_range"
            ),
            one_of("status", FlagStatus, "flag_status_valid"),
            models.CheckConstraint(
                condition=Q(relevance__isnull=True) | Q(relevance__gte=0, relevance__lte=1),
                name="flag_relevance_is_probability",
            ),
            one_of("found_by", FoundBy, "flag_found_by_valid"),
            # A flag the query did not find was found by similarity, so it has a relevance.
            models.CheckConstraint(
                condition=Q(found_by="query") | Q(relevance__isnull=False),
                name="flag_similarity_has_relevance",
            ),
            models.CheckConstraint(
                condition=~Q(status="claimed") | Q(assignee__isnull=False),
                name="flag_claimed_has_assignee",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "dismissed"]) | Q(decided_at__isnull=False),
                name="flag_decision_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.item} → {self.debate}"
