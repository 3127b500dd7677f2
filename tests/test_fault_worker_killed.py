"""Fault: a worker SIGKILLed in the middle of a batch of fetches. With the
settings a deployment gets by default (60 s leases, a 60 s visibility
timeout, a dispatch every 30 s), a restarted worker finishes the batch
within two minutes, and every item and flag is there exactly once."""

import time

import pytest
from django.db.models import Count
from kombu import Connection

from tracker.models import CoverageItem, Feed, Flag
from tracker.tasks import dispatch_due_feeds

from .faults import (
    PREFORK,
    RedisServer,
    beat,
    farm_feeds,
    farm_fetched,
    farm_requests,
    fetch_env,
    kill_group,
    matching,
    say,
)
from .workers import running_worker, wait_until

FEEDS, ITEMS = 200, 30
QUEUES = "celery,fetch,cpu"


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_nothing_and_a_restart_finishes_within_two_minutes(
    tmp_path, server, watched
):
    farm_feeds(server, FEEDS, ITEMS)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    with RedisServer(tmp_path) as broker:
        env = fetch_env(tmp_path, broker.url())
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
                wait_until(
                    lambda: farm_fetched(FEEDS, ITEMS),
                    second, second_log, timeout=150, what="the batch did not finish",
                )  # fmt: skip
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
