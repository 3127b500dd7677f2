"""Celery tasks: thin wrappers that take ids, call plain code in tracker.ingest,
and are safe to run twice."""

import logging
import random

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .ingest import polling
from .ingest.flagging import rematch
from .models import Debate, Heartbeat

logger = logging.getLogger(__name__)


@shared_task
def record_heartbeat(name):
    """Prove that a worker is consuming the queue; beat sends it every minute."""
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})


@shared_task
def dispatch_due_feeds():
    """Reserve the due feeds and queue a fetch for each, spread over half a minute."""
    reserved = polling.reserve_due_feeds()
    for feed_id, token in reserved:
        spread = random.uniform(0, settings.TRACKER_DISPATCH_SPREAD)  # noqa: S311
        fetch_feed.apply_async((feed_id, token), countdown=spread)
    return len(reserved)


# acks_late + reject_on_worker_lost: a worker killed mid-fetch leaves the
# message on the queue for another worker; everything the fetch writes is
# keyed, so doing it again stores nothing twice.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def fetch_feed(feed_id, token):
    outcome = polling.poll_feed(feed_id, token)
    logger.info("feed %s: %s %s", feed_id, outcome.status, outcome.summary.as_dict())
    return outcome.status


@shared_task
def queue_relevance_training():
    """Beat's minute check: queue a retraining for each active debate whose
    flags were decided (by any path) since its relevance model was trained.
    Decisions in between are learnt together: the check is the debounce."""
    from .relevance.learning import needs_training

    stale = needs_training()
    for debate_id in stale:
        enqueue_safely(train_relevance, debate_id)
    return len(stale)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def train_relevance(debate_id):
    """Retrain one debate's relevance model and re-score its open flags."""
    from .relevance.learning import needs_training, rescore_open_flags, train

    debate = Debate.objects.filter(id=debate_id).first()
    if debate is None or debate_id not in needs_training([debate]):
        return 0  # gone, or another worker already learnt these decisions
    return rescore_open_flags(debate, train(debate))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rematch_debate(debate_id, since=None):
    debate = Debate.objects.filter(id=debate_id).first()
    if debate is None:
        return 0
    return rematch(debate, since=since)


def enqueue_safely(task, *args):
    """Queue a task, but never fail the caller because the broker is down:
    whatever it would have done is found again by the dispatcher or rematch."""
    try:
        task.apply_async(args)
    except Exception as error:  # broker unreachable: log and carry on
        logger.warning("could not queue %s%s: %s", task.name, args, error)
        return False
    return True


def queue_fetch(feed_id, token):
    """Queue a reserved feed's fetch; if the broker is down, hand the feed back
    to the dispatcher so polling resumes as soon as the broker does."""
    if enqueue_safely(fetch_feed, feed_id, token):
        return True
    polling.release_feed(feed_id, token)
    return False


@shared_task
def send_digests():
    from .digest import send_digests as send

    return send()


@shared_task
def send_confirmation(subscription_id):
    from .alerts import send_confirmation as send

    return send(subscription_id)


@shared_task
def send_alerts():
    """Beat's sweep: addresses never confirmed are forgotten, confirmations the
    broker missed are sent, then each due reader's alert is queued as its own
    task, so one reader's failure delays no other."""
    from . import alerts

    alerts.forget_unconfirmed()
    for subscription_id in alerts.pending_confirmations():
        enqueue_safely(send_confirmation, subscription_id)
    due = alerts.due_readers()
    for reader_id in due:
        enqueue_safely(send_alert, reader_id)
    return len(due)


@shared_task
def send_alert(reader_id):
    from .alerts import send_alert as send

    return send(reader_id)
