from django.conf import settings
from django.db import models


class Heartbeat(models.Model):
    """When a background process last proved it was alive, e.g. the worker
    executing the scheduler's heartbeat task; /healthz reports it."""

    name = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class ChangeStamp(models.Model):
    """When data behind a group of pages last changed (key "public": anything a
    reader can see). Conditional GET and the page cache are keyed on it."""

    key = models.CharField(max_length=50, unique=True)
    changed_at = models.DateTimeField()

    def __str__(self):
        return f"{self.key} changed {self.changed_at:%Y-%m-%d %H:%M:%S}"


class DebateFollow(models.Model):
    """An editor following a debate gets its new flags in the daily digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    debate = models.ForeignKey("tracker.Debate", on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "debate"], name="follow_once_per_debate")
        ]

    def __str__(self):
        return f"{self.user} follows {self.debate}"


class DigestState(models.Model):
    """Up to when an editor's digest has covered the flags."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_state"
    )
    covered_until = models.DateTimeField()

    def __str__(self):
        return f"{self.user}: digest up to {self.covered_until:%Y-%m-%d %H:%M}"
