"""Which feeds to poll when, and polling one: fetch → parse → ingest → reschedule.

A feed is reserved before it is fetched: a conditional update stamps it with
a token and pushes next_fetch_at one lease ahead, so two dispatchers (two
beats) or two workers never fetch it at once. The task carries the token, so
a task redelivered after its worker died can still finish the job.
"""

import hashlib
import logging
import random
import socket
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, Max
from django.utils import timezone

from ..models import Actor, Debate, Feed, Outlet
from ..models.coverage import MAX_POLL_SECONDS, MIN_POLL_SECONDS
from .fetch import FetchError, address_refusal, fetch, parse_networks
from .parse import parse_feed
from .pipeline import IngestSummary, Pipeline
from .urls import fetched_host, has_whitespace_or_control, is_http_url

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=15)
FASTER, SLOWER = 0.7, 1.4
JITTER = 0.1


@dataclass
class PollOutcome:
    status: str  # fetched, unchanged, failed, disabled, skipped
    summary: IngestSummary = field(default_factory=IngestSummary)
    error: str = ""


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
        return [f"{hostname} does not resolve now; it will be tried when the feed is polled"]
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


def reserve_due_feeds(now=None, limit=500):
    """Reserve every due feed; returns [(feed id, token)] for the fetch tasks."""
    now = now or timezone.now()
    due = Feed.objects.filter(is_active=True, next_fetch_at__lte=now)
    reserved = []
    for feed_id in due.order_by("next_fetch_at").values_list("id", flat=True)[:limit]:
        token = uuid.uuid4().hex
        claimed = due.filter(id=feed_id).update(fetch_token=token, next_fetch_at=now + LEASE)
        if claimed == 1:  # otherwise another dispatcher got there first
            reserved.append((feed_id, token))
    return reserved


def reserve_feed(feed_id, now=None):
    """Reserve one feed now, due or not (a fetch an editor asked for)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    claimed = Feed.objects.filter(id=feed_id, is_active=True).update(
        fetch_token=token, next_fetch_at=now + LEASE
    )
    return token if claimed == 1 else None


def release_feed(feed_id, token, now=None):
    """Give back a reservation whose fetch could not be queued: due again now."""
    Feed.objects.filter(id=feed_id, fetch_token=token).update(
        fetch_token="", next_fetch_at=now or timezone.now()
    )


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


def poll_feed(feed_id, token, pipeline=None, now=None):
    feed = Feed.objects.filter(id=feed_id, is_active=True, fetch_token=token).first()
    if feed is None:
        return PollOutcome("skipped")
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

    pipeline = pipeline or current_pipeline()
    parsed = parse_feed(result.body)
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


_cached = {"key": None, "pipeline": None}


def _fingerprint():
    parts = []
    for model in (Debate, Actor):
        parts.append(tuple(model.objects.aggregate(n=Count("id"), t=Max("updated_at")).values()))
    parts.append(tuple(Outlet.objects.aggregate(n=Count("id"), m=Max("id")).values()))
    return tuple(parts)


def current_pipeline():
    """This process's pipeline, rebuilt when debates, actors or outlets change."""
    key = _fingerprint()
    if _cached["key"] != key:
        _cached.update(key=key, pipeline=Pipeline())
    return _cached["pipeline"]
