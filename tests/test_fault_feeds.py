"""Fault: feed servers that hang, drip bytes, answer 500, answer 429 with
Retry-After, or answer garbage, dispatched first among good feeds to a real
worker. Each bad feed fails once with its reason and backs off (the 429 for
as long as it asked); every good feed is fetched in the same run."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from kombu import Connection

from tracker.models import CoverageItem, Feed
from tracker.models.coverage import MIN_POLL_SECONDS
from tracker.tasks import dispatch_due_feeds

from .faults import PREFORK, RedisServer, farm_requests, fetch_env, say, serve_farm
from .feedserver import Route, rss
from .workers import running_worker, wait_until

GOOD, ITEMS = 20, 30
DEADLINE = 3
RETRY_AFTER = 900
LONG = rss(*((f"Story {n}", f"https://drip.example/{n}", "x" * 200) for n in range(50)))
BAD = {
    "/hangs.xml": (Route(body=LONG, stall=120), f"deadline of {DEADLINE} s passed"),
    "/drips.xml": (Route(body=LONG, drip=0.2), f"deadline of {DEADLINE} s passed"),
    "/fails.xml": (Route(500, b"oops"), "HTTP 500"),
    "/busy.xml": (Route(429, headers={"Retry-After": str(RETRY_AFTER)}), "HTTP 429"),
    "/garbage.xml": (Route(body=b"\x00\x9f<<garbage>>" * 100), "not a feed: "),
}


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_bad_feed_servers_back_off_and_the_good_feeds_are_fetched(tmp_path, server, watched):
    urls = serve_farm(server, GOOD, ITEMS)
    earlier = timezone.now() - timedelta(minutes=1)  # dispatched first, to take the workers
    for path, (route, _) in BAD.items():
        server.routes[path] = route
        Feed.objects.create(url=server.url(path), next_fetch_at=earlier)
    Feed.objects.bulk_create([Feed(url=url, next_fetch_at=timezone.now()) for url in urls])
    log = tmp_path / "worker.log"
    with RedisServer(tmp_path) as redis:
        env = fetch_env(
            tmp_path, redis.url(), TRACKER_FEED_DEADLINE=str(DEADLINE), TRACKER_DISPATCH_SPREAD="0"
        )
        with running_worker(env, "celery,fetch", log, options=PREFORK) as worker:
            wait_until(lambda: "ready" in log.read_text(), worker, log, what="no worker")
            with Connection(redis.url()) as conn:
                dispatch_due_feeds.apply_async(producer=conn.Producer())
            dispatched = time.monotonic()
            say("injected", f"{', '.join(BAD)} dispatched first, then {GOOD} good feeds")
            wait_until(
                lambda: not Feed.objects.filter(last_fetched_at=None).exists()
                and not Feed.objects.exclude(fetch_token="").exists(),
                worker, log, timeout=90, what="not every feed was fetched",
            )  # fmt: skip
            took = time.monotonic() - dispatched
            time.sleep(DEADLINE)  # long enough for a feed retried in a loop to show
    say("checked", f"all {GOOD + len(BAD)} feeds fetched in {took:.0f} s")
    requests = farm_requests(server)
    assert requests == {f"/farm/{n}.xml": 1 for n in range(GOOD)}
    assert CoverageItem.objects.filter(feed__url__in=urls).count() == GOOD * ITEMS
    for feed in Feed.objects.filter(url__in=urls):
        assert (feed.error_count, feed.last_error) == (0, "")
    for path, (_, reason) in BAD.items():
        feed = Feed.objects.get(url=server.url(path))
        backoff = (feed.next_fetch_at - feed.last_fetched_at).total_seconds()
        say("checked", f"{path}: {feed.last_error!r}, next try in {backoff:.0f} s")
        assert feed.is_active
        assert feed.error_count == 1
        assert feed.last_error.startswith(reason)
        assert backoff >= 0.85 * (RETRY_AFTER if path == "/busy.xml" else MIN_POLL_SECONDS)
        assert [p for p, _ in server.requests].count(path) == 1
    # Two worker processes, held up by the two slow servers for one deadline each.
    assert took < 60
