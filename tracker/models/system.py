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
