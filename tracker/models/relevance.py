from django.db import models
from django.db.models import Q

from .debates import Debate


class RelevanceModel(models.Model):
    """What a debate's relevance scoring learnt: its profile vector and the
    articles the desk accepted and dismissed. Rebuilt from the debate and its
    flags (tracker.relevance.learning.train), never edited."""

    debate = models.OneToOneField(
        Debate, on_delete=models.CASCADE, primary_key=True, related_name="relevance_model"
    )
    profile = models.BinaryField(help_text="Unit vector of its passages and accepted items.")
    passages = models.JSONField(default=list, help_text="The debate's own texts.")
    passage_vectors = models.BinaryField(default=b"")
    accepted_items = models.JSONField(
        default=list, help_text="The accepted articles ({id, title}), in the order of the vectors."
    )
    accepted_vectors = models.BinaryField(default=b"")
    dismissed_items = models.JSONField(default=list, help_text="Ids of dismissed articles.")
    dismissed_vectors = models.BinaryField(default=b"")
    lexicon = models.JSONField(
        default=dict, help_text="The debate's words, weighted by their rarity in the stream."
    )
    stats = models.JSONField(
        default=dict, help_text="Mean and spread of each scoring channel on recent coverage."
    )
    classifier = models.BinaryField(
        default=b"",
        blank=True,
        help_text="Weights learnt from the desk's decisions over an item's text vector; "
        "empty until a flag is dismissed and the stream is large enough to learn against.",
    )
    decisions = models.PositiveIntegerField(default=0, help_text="Decided flags it learnt from.")
    fingerprint = models.CharField(
        max_length=100, blank=True, help_text="What it learnt from, to know when to learn again."
    )
    trained_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(profile=b""), name="relevance_model_has_profile"),
        ]

    def __str__(self):
        return f"relevance of {self.debate}"
