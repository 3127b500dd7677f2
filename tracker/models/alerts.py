"""Reader alerts: anyone may follow a debate or an actor by email, without an
account. The addresses are kept only to send the alerts: no page, export, API
or panel list shows them, and unsubscribing deletes them."""

import secrets

from django.db import models
from django.db.models import Q


def new_token():
    return secrets.token_urlsafe(32)


class Reader(models.Model):
    """One address, however many follows it has: the once-a-day rule and the
    one-click unsubscribe from everything hold per reader."""

    email = models.EmailField(unique=True)
    # Unsubscribes this address from everything (the List-Unsubscribe link).
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"reader {self.pk}"  # never the address: it is not for show


class Subscription(models.Model):
    """A reader following one debate or one actor; mailed only once confirmed."""

    reader = models.ForeignKey(Reader, on_delete=models.CASCADE, related_name="subscriptions")
    debate = models.ForeignKey(
        "tracker.Debate", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        "tracker.Actor", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Confirms, then unsubscribes from this one follow.
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Alerts cover positions published after this (confirmation, then each message).
    covered_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(debate__isnull=False, actor__isnull=True)
                | Q(debate__isnull=True, actor__isnull=False),
                name="subscription_follows_one_thing",
            ),
            models.UniqueConstraint(
                fields=["reader", "debate"],
                condition=Q(debate__isnull=False),
                name="subscription_once_per_debate",
            ),
            models.UniqueConstraint(
                fields=["reader", "actor"],
                condition=Q(actor__isnull=False),
                name="subscription_once_per_actor",
            ),
        ]

    def __str__(self):
        return f"subscription {self.pk} to {self.target}"

    @property
    def target(self):
        return self.debate or self.actor
