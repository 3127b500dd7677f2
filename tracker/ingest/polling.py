"""Which feeds to poll when, and polling one: fetch → parse → ingest → reschedule.

A feed is reserved before it is fetched: a conditional update stamps it with
a token and pushes next_fetch_at one lease ahead (the task's countdown is
shorter), so two dispatchers (two beats) never queue it twice. The task
carries the token.

A task takes the feed when it starts: the token becomes a run token (the
reservation's, plus a suffix of its own) and next_fetch_at one lease ahead, a
lease the fetch renews while it runs (FeedLease). So at most one copy of a task
ever fetches — a copy redelivered by the broker, or queued again by the
dispatcher, finds the feed held and tries again when the lease would end — and
a worker that dies lets its feeds go within one lease (TRACKER_FEED_LEASE):
the dispatcher hands them out again, and a redelivered copy may take over.
"""

import hashlib
import logging
import random
import socket
import threading
import uuid
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, Count, Max, Q, Value, When
from django.utils import timezone

from ..models import Actor, Debate, Feed, Outlet
from ..models.coverage import MAX_POLL_SECONDS, MIN_POLL_SECONDS
from .fetch import FetchError, address_refusal, fetch, parse_networks
from .parse import parse_feed
from .pipeline import IngestSummary, Pipeline
from .urls import fetched_host, has_whitespace_or_control, is_http_url

logger = logging.getLogger(__name__)
# A reservation token, and a run token: the reservation's and a suffix of the
# run's own, within the field's 36 characters. (Tokens of 32 characters from
# before run tokens still take their feed: only their first 20 are kept.)
RESERVATION_LENGTH = 20
FASTER, SLOWER = 0.7, 1.4
JITTER = 0.1


@dataclass
class PollOutcome:
    # fetched, unchanged, failed, disabled; skipped (the token is stale: done,
    # or handed to a newer fetch), held (another run of this reservation holds
    # the feed: try again in retry_in seconds), lost (taken away mid-fetch)
    status: str
    summary: IngestSummary = field(default_factory=IngestSummary)
    error: str = ""
    retry_in: float = 0.0


def allowed_networks():
    return parse_networks(settings.TRACKER_FEED_ALLOWED_NETWORKS)


class FeedRefused(ValueError):
    pass


def check_feed_url(url):
    """Refuse what can never be fetched; return warnings for what may fail later."""
    url = (url or "").strip()
    if has_whitespace_or_control(url):
        raise FeedRefused("the URL contains whitespace or a control character")
    if not is_http_url(url):
        raise FeedRefused("only http:// and https:// feed URLs are accepted")
    if len(url) > 2000:
        raise FeedRefused("the URL is longer than 2,000 characters")
    # The host the fetcher will connect to is the one checked.
    hostname = fetched_host(url)
    if not hostname:
        raise FeedRefused(
            "the URL has no host the fetcher can read (write an international name as xn--…)"
        )
    warnings = _address_warnings(hostname)
    other_reading = urlsplit(url).hostname
    if hostname.rstrip(".") != other_reading.rstrip("."):
        raise FeedRefused(
            f"the host is ambiguous: {hostname} to the fetcher, {other_reading} to other readers"
        )
    return warnings


def _address_warnings(hostname):
    try:
        infos = socket.getaddrinfo(hostname, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        # Worded to open with a word: the panel capitalises a message's first letter.
        return [
            f"The host {hostname} does not resolve now; it will be tried when the feed is polled."
        ]
    networks = allowed_networks()
    refusals = [address_refusal(info[4][0], networks) for info in infos]
    if all(refusals):
        raise FeedRefused(f"{hostname} resolves to an address that is not fetched: {refusals[0]}")
    return []


def register_feed(url, outlet_name="", poll_interval=None):
    """Validate and store a feed; returns (feed, created, warnings). FeedRefused when refused."""
    warnings = check_feed_url(url)
    outlet = None
    if outlet_name:
        outlet, _ = Outlet.objects.get_or_create(name=outlet_name.strip())
    defaults = {"outlet": outlet, "next_fetch_at": timezone.now()}
    if poll_interval:
        if not MIN_POLL_SECONDS <= poll_interval <= MAX_POLL_SECONDS:
            raise FeedRefused(
                f"the polling interval must be between {MIN_POLL_SECONDS} and {MAX_POLL_SECONDS} s"
            )
        defaults["poll_interval"] = poll_interval
    feed, created = Feed.objects.get_or_create(url=url.strip(), defaults=defaults)
    return feed, created, warnings


def lease():
    return timedelta(seconds=settings.TRACKER_FEED_LEASE)


def new_token():
    return uuid.uuid4().hex[:RESERVATION_LENGTH]


def reservation_of(token):
    return token.split(".", 1)[0][:RESERVATION_LENGTH]


# again: the feed was reserved already and its lease ran out, so it is late.
Reserved = namedtuple("Reserved", ["feed_id", "token", "again"])


# The most feeds one reservation takes: the dispatcher takes batch after batch
# until none is due, each in one short transaction.
DISPATCH_BATCH = 500


def reserve_due_feeds(now=None, limit=DISPATCH_BATCH):
    """Reserve up to `limit` due feeds, the longest due first; returns a Reserved
    for each, for the fetch tasks. Two queries however many are due: the due
    feeds are read and locked (another dispatcher skips them), then all pushed
    one lease ahead under their tokens in one update. (SQLite takes its write
    lock when the transaction begins, which serialises dispatchers instead.)

    A feed whose lease ran out (its fetch died, its task was lost, or it waits
    behind others) keeps its reservation's token: a task still queued for it
    stays good, and whichever copy starts first does the fetch."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            Feed.objects.filter(is_active=True, next_fetch_at__lte=now)
            .order_by("next_fetch_at")
            .select_for_update(skip_locked=True)
            .values_list("id", "fetch_token")[:limit]
        )
        if not rows:
            return []
        reserved = [
            Reserved(feed_id, reservation_of(current) if current else new_token(), bool(current))
            for feed_id, current in rows
        ]
        Feed.objects.filter(id__in=[r.feed_id for r in reserved]).update(
            fetch_token=Case(*(When(id=r.feed_id, then=Value(r.token)) for r in reserved)),
            next_fetch_at=now + lease(),
        )
    return reserved


def reserve_feed(feed_id, now=None):
    """Reserve one feed now, due or not (a fetch an editor asked for); a fetch
    in progress loses the feed to this one."""
    now = now or timezone.now()
    token = new_token()
    claimed = Feed.objects.filter(id=feed_id, is_active=True).update(
        fetch_token=token, next_fetch_at=now + lease()
    )
    return token if claimed == 1 else None


def release_feed(feed_id, token, now=None):
    """Give back a reservation whose fetch could not be queued: due again now."""
    Feed.objects.filter(id=feed_id, fetch_token=token).update(
        fetch_token="", next_fetch_at=now or timezone.now()
    )


def take_feed(feed_id, token):
    """Start a fetch: the feed under this token (or under a run of the same
    reservation whose lease ran out, its worker dead) passes to a new run.
    Returns the run token, or None."""
    now = timezone.now()
    reservation = reservation_of(token)
    run = f"{reservation}.{uuid.uuid4().hex[:15]}"
    claimed = (
        Feed.objects.filter(id=feed_id, is_active=True)
        .filter(
            Q(fetch_token=token)
            | Q(fetch_token__startswith=f"{reservation}.", next_fetch_at__lte=now)
        )
        .update(fetch_token=run, next_fetch_at=now + lease())
    )
    return run if claimed == 1 else None


def renew_lease(feed_id, run):
    """Push a running fetch's lease one lease ahead; False when the feed is no
    longer this run's (a newer fetch owns it, or it was disabled)."""
    return (
        Feed.objects.filter(id=feed_id, is_active=True, fetch_token=run).update(
            next_fetch_at=timezone.now() + lease()
        )
        == 1
    )


def _held_for(feed_id, token):
    """Seconds until the lease of another run of this reservation ends, or None
    when no run of it holds the feed."""
    held_until = (
        Feed.objects.filter(
            id=feed_id, is_active=True, fetch_token__startswith=f"{reservation_of(token)}."
        )
        .values_list("next_fetch_at", flat=True)
        .first()
    )
    if held_until is None:
        return None
    return max(0.0, (held_until - timezone.now()).total_seconds())


class FeedLease:
    """Renews a running fetch's lease every third of its length from a thread of
    its own, so a fetch that runs long (a slow server within the deadline, a
    large feed to ingest) keeps its feed, and one whose worker died lets it go
    within a lease. A renewal that finds the feed gone sets `lost`; a database
    that does not answer is tried again at the next tick."""

    def __init__(self, feed_id, run):
        self.feed_id, self.run = feed_id, run
        self.lost = False
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._renew, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stopping.set()
        # Not forever: a renewal stuck on an unreachable database ends on its
        # own, and can only fail, since the fetch is done with the feed.
        self._thread.join(timeout=5)

    def held(self):
        """Renew now and say whether this run still holds the feed."""
        self.lost = self.lost or not renew_lease(self.feed_id, self.run)
        return not self.lost

    def _renew(self):
        try:
            while not self._stopping.wait(settings.TRACKER_FEED_LEASE / 3):
                try:
                    if not self.held():
                        return
                except DatabaseError as error:
                    logger.warning("feed %s: lease not renewed: %s", self.feed_id, error)
                    connection.close()  # a fresh connection at the next tick
        finally:
            connection.close()  # this thread's own


def _jittered(seconds):
    return timedelta(seconds=seconds * random.uniform(1 - JITTER, 1 + JITTER))  # noqa: S311


def next_interval(current, new_items, ttl_minutes=None, max_age=None):
    """Poll more often while a feed publishes, less while it is quiet, never
    faster than its ttl or Cache-Control asks, within the bounds."""
    interval = current * (FASTER if new_items else SLOWER)
    floor = max(MIN_POLL_SECONDS, (ttl_minutes or 0) * 60, max_age or 0)
    return int(min(MAX_POLL_SECONDS, max(floor, interval)))


def backoff_delay(failures, retry_after=None):
    delay = min(MAX_POLL_SECONDS, MIN_POLL_SECONDS * 2 ** max(0, failures - 1))
    if retry_after:
        delay = max(delay, min(MAX_POLL_SECONDS, retry_after))
    return delay


def _record_failure(feed, token, message, retry_after=None, now=None):
    now = now or timezone.now()
    failures = feed.error_count + 1
    fields = {
        "error_count": failures,
        "last_error": message[:2000],
        "last_fetched_at": now,
        "fetch_token": "",
        "next_fetch_at": now + _jittered(backoff_delay(failures, retry_after)),
    }
    disabled = failures >= settings.TRACKER_FEED_MAX_FAILURES
    if disabled:
        fields.update(
            is_active=False,
            disabled_reason=f"Disabled after {failures} failed fetches in a row; last: {message}"[
                :2000
            ],
        )
    Feed.objects.filter(id=feed.id, fetch_token=token).update(**fields)
    logger.warning("feed %s failed (%s): %s", feed.id, failures, message)
    return PollOutcome("disabled" if disabled else "failed", error=message)


def not_a_feed(parsed):
    """Why a parsed body is not a feed at all (an error page, garbage), or "":
    neither parser found an entry, a title or a link, and they said why."""
    if parsed.entries or parsed.title or parsed.link or not parsed.warnings:
        return ""
    return f"not a feed: {parsed.warnings[-1]}"


def poll_feed(feed_id, token, pipeline=None, now=None):
    run = take_feed(feed_id, token)
    if run is None:
        held_for = _held_for(feed_id, token)
        if held_for is not None:
            return PollOutcome("held", retry_in=held_for)
        return PollOutcome("skipped")
    feed = Feed.objects.get(id=feed_id)
    with FeedLease(feed_id, run) as hold:
        return _poll(feed, run, hold, pipeline, now)


def _poll(feed, token, hold, pipeline, now):
    try:
        result = fetch(
            feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            deadline=settings.TRACKER_FEED_DEADLINE,
            max_bytes=settings.TRACKER_FEED_MAX_BYTES,
            allowed_networks=allowed_networks(),
        )
    except FetchError as error:
        return _record_failure(feed, token, str(error), error.retry_after, now)
    if not hold.held():  # another fetch owns the feed now: it stores what there is
        return PollOutcome("lost")

    now = now or timezone.now()
    fields = {
        "error_count": 0,
        "last_error": "",
        "last_status": result.status,
        "last_fetched_at": now,
        "last_success_at": now,
        "fetch_token": "",
    }
    body_hash = hashlib.sha256(result.body).hexdigest() if not result.not_modified else ""
    if result.not_modified or body_hash == feed.body_hash:
        interval = next_interval(feed.poll_interval, 0, max_age=result.max_age)
        fields.update(poll_interval=interval, next_fetch_at=now + _jittered(interval))
        Feed.objects.filter(id=feed.id, fetch_token=token).update(**fields)
        return PollOutcome("unchanged")

    parsed = parse_feed(result.body)
    refusal = not_a_feed(parsed)
    if refusal:
        return _record_failure(feed, token, refusal, now=now)
    pipeline = pipeline or current_pipeline()
    outlet = feed.outlet or pipeline.outlet_for(parsed.link or feed.url, parsed.title)
    summary = pipeline.ingest(parsed.entries, feed=feed, outlet=outlet, base_url=result.final_url)
    summary.warnings[:0] = parsed.warnings
    interval = next_interval(
        feed.poll_interval, summary.items_new, parsed.ttl_minutes, result.max_age
    )
    fields.update(
        etag=result.etag,
        last_modified=result.last_modified,
        body_hash=body_hash,
        last_warnings=summary.warnings[:20],
        poll_interval=interval,
        next_fetch_at=now + _jittered(interval),
        outlet=outlet,
        title=feed.title or parsed.title[:500],
    )
    Feed.objects.filter(id=feed.id, fetch_token=token).update(**fields)
    return PollOutcome("fetched", summary)


_cached = {"matching": None, "outlets": None, "pipeline": None}


def _matching_fingerprint():
    return tuple(
        tuple(model.objects.aggregate(n=Count("id"), t=Max("updated_at")).values())
        for model in (Debate, Actor)
    )


def _outlets_fingerprint():
    return tuple(Outlet.objects.aggregate(n=Count("id"), m=Max("id")).values())


def current_pipeline():
    """This process's pipeline: rebuilt when debates or actors change; when only
    outlets do (a feed seen for the first time adds one), it reads their names
    again and keeps its matcher, scorers and index of recent originals."""
    matching, outlets = _matching_fingerprint(), _outlets_fingerprint()
    if _cached["matching"] != matching:
        _cached.update(matching=matching, outlets=outlets, pipeline=Pipeline())
    elif _cached["outlets"] != outlets:
        _cached["pipeline"].learn_outlets()
        _cached["outlets"] = outlets
    return _cached["pipeline"]
