"""Fault: a worker SIGKILLed in the middle of a batch of fetches. With the
settings a deployment gets by default (60 s leases, a 60 s visibility
timeout, a dispatch every 30 s), a restarted worker finishes the batch
within two minutes, and every item and flag is there exactly once."""

import time

import pytest
from django.db.models import Count
from django.utils import timezone
from kombu import Connection

from tracker.models import CoverageItem, Feed, Flag
from tracker.tasks import dispatch_due_feeds

from .faults import RedisServer, beat, farm_requests, kill_group, matching, say, serve_farm
from .workers import running_worker, wait_until, worker_env

FEEDS, ITEMS = 200, 30
PREFORK = ("--pool", "prefork", "--concurrency", "2")
QUEUES = "celery,fetch,cpu"


def batch_done():
    return (
        CoverageItem.objects.count() == FEEDS * ITEMS
        and not Feed.objects.exclude(fetch_token="").exists()
        and not Feed.objects.filter(last_success_at=None).exists()
    )


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_nothing_and_a_restart_finishes_within_two_minutes(
    tmp_path, server, watched
):
    urls = serve_farm(server, FEEDS, ITEMS)
    Feed.objects.bulk_create([Feed(url=url, next_fetch_at=timezone.now()) for url in urls])
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    with RedisServer(tmp_path) as broker:
        env = worker_env(
            tmp_path, REDIS_URL=broker.url(), TRACKER_FEED_ALLOWED_NETWORKS="127.0.0.2/32"
        )
        with beat(env, tmp_path / "beat.log", tmp_path):
            with running_worker(env, QUEUES, first_log, name="first", options=PREFORK) as first:
                with Connection(broker.url()) as conn:
                    dispatch_due_feeds.apply_async(producer=conn.Producer())
                wait_until(
                    lambda: CoverageItem.objects.count() >= FEEDS * ITEMS * 0.25,
                    first, first_log, what="the batch did not get going",
                )  # fmt: skip
                kill_group(first)
            stored = CoverageItem.objects.count()
            in_flight = Feed.objects.filter(fetch_token__contains=".").count()
            say(
                "injected",
                f"SIGKILL to a prefork worker (2 processes) with {stored} of "
                f"{FEEDS * ITEMS} items stored and {in_flight} fetches in flight",
            )
            restarted = time.monotonic()
            with running_worker(env, QUEUES, second_log, name="second", options=PREFORK) as second:
                wait_until(batch_done, second, second_log, timeout=150, what="batch not finished")
                took = time.monotonic() - restarted
    fetches = farm_requests(server)
    refetched = sum(count - 1 for count in fetches.values())
    say("checked", f"the batch finished {took:.0f} s after the restart")
    say(
        "checked",
        f"{CoverageItem.objects.count()} items, {Flag.objects.count()} flags; "
        f"{sum(fetches.values())} fetches of {FEEDS} feeds ({refetched} again after the kill)",
    )
    assert took < 120
    assert len(fetches) == FEEDS
    # Only a fetch cut short by the kill is done again.
    assert refetched <= in_flight
    assert CoverageItem.objects.count() == FEEDS * ITEMS
    per_feed = CoverageItem.objects.values("feed").annotate(n=Count("id"))
    assert {row["n"] for row in per_feed} == {ITEMS}
    assert Flag.objects.filter(found_by=Flag.FoundBy.QUERY).count() == FEEDS * matching(ITEMS)
    assert Flag.objects.values("item_id", "debate_id").distinct().count() == Flag.objects.count()
