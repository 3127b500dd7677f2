"""Celery tasks: thin wrappers that take ids or names, call plain code, and are idempotent."""

from celery import shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task
def record_heartbeat(name):
    """Prove that a worker is consuming the queue; beat sends it every minute."""
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
