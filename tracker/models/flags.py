from django.conf import settings
from django.db import models
from django.db.models import F, Q
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


class FlagQuerySet(models.QuerySet):
    def in_queue_order(self):
        """The order editors work the queue in: the panel's list, its next and
        previous keys, and `manage.py flags`."""
        return self.order_by(*Flag.QUEUE_ORDER)

    def by_relevance(self):
        """The review queue's order: most relevant first, then best keyword
        score and newest; flags never scored (relevance off) after the rest."""
        return self.order_by(F("relevance").desc(nulls_last=True), "-score", "-created_at", "-id")


class Flag(models.Model):
    """A coverage item queued for an editor's review against one debate."""

    Status = FlagStatus
    FoundBy = FoundBy
    # Best keyword score, then newest, as the (status, -score, -created_at) index
    # holds them; ordering by relevance awaits an index and a measurement at scale.
    QUEUE_ORDER = ("-score", "-created_at", "-id")

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
        ordering = ["-score", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["debate", "status", "-score", "-created_at"], name="flag_queue"),
            models.Index(fields=["status", "-score", "-created_at"], name="flag_queue_all"),
            models.Index(
                fields=["debate", "status", "-relevance", "-created_at"],
                name="flag_relevance_queue",
            ),
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
