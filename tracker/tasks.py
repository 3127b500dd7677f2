"""Celery tasks: thin wrappers that take ids, call plain code in tracker.ingest,
and are safe to run twice."""

import json
import logging
import random
import time

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .ingest import polling
from .ingest.flagging import rematch
from .models import Debate, Heartbeat

logger = logging.getLogger(__name__)


def job_line(event, **fields):
    """One log line for a job, as key=value pairs that log tools parse: a value
    with spaces, quotes or an equals sign is double-quoted; None is left out."""
    pairs = [event]
    for key, value in fields.items():
        if value is None:
            continue
        text = str(value)
        if not text or any(c.isspace() or c in '"=\\' for c in text):
            text = json.dumps(text, ensure_ascii=False)
        pairs.append(f"{key}={text}")
    return " ".join(pairs)


@shared_task
def record_heartbeat(name):
    """Prove that a worker is consuming the queue; beat sends it every minute."""
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})


@shared_task
def dispatch_due_feeds(batch=polling.DISPATCH_BATCH):
    """Reserve the due feeds, a batch at a time until none is left, and queue a
    fetch for each, spread over TRACKER_DISPATCH_SPREAD seconds; one whose
    fetch was lost is late already, and goes at once."""
    started = time.monotonic()
    queued = 0
    while True:
        reserved = polling.reserve_due_feeds(limit=batch)
        for feed_id, token, again in reserved:
            spread = 0 if again else random.uniform(0, settings.TRACKER_DISPATCH_SPREAD)  # noqa: S311
            fetch_feed.apply_async((feed_id, token), countdown=spread)
        queued += len(reserved)
        if len(reserved) < batch:
            break
    logger.info(job_line("dispatch", queued=queued, seconds=_since(started)))
    return queued


def _since(started):
    return round(time.monotonic() - started, 3)


# acks_late + reject_on_worker_lost: a message whose worker died goes back on
# the queue. Its copy finds the feed held by the dead fetch's lease and tries
# again when that lease would end (a live fetch renews it, and then the copy
# finds nothing to do); the dispatcher also hands out feeds whose lease ran
# out. Everything a fetch writes is keyed, so doing it again stores nothing twice.
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def fetch_feed(self, feed_id, token):
    started = time.monotonic()
    try:
        outcome = polling.poll_feed(feed_id, token)
    except Exception as error:  # logged as a job line, then Celery's own report
        logger.error(
            job_line("fetch", feed=feed_id, status="error", seconds=_since(started), error=error)
        )
        raise
    summary = outcome.summary
    logger.info(
        job_line(
            "fetch",
            feed=feed_id,
            status=outcome.status,
            new=summary.items_new,
            duplicate=summary.items_duplicate,
            near_duplicate=summary.items_near_duplicate,
            rejected=summary.items_rejected,
            flagged=summary.flags_created,
            seconds=_since(started),
            error=outcome.error or None,
        )
    )
    if outcome.status == "held" and self.request.retries < self.max_retries:
        raise self.retry(countdown=outcome.retry_in + 1)
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
