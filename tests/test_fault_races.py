"""Fault: two beats, dispatchers running side by side in two workers, and
copies of queued fetches (as a broker redelivers them) all race on the same
due feeds. Every feed is fetched once, and every item and flag stored once."""

import time

import pytest
from kombu import Connection

from tracker.models import CoverageItem, Feed, Flag
from tracker.tasks import dispatch_due_feeds, fetch_feed

from .faults import (
    PREFORK,
    RedisServer,
    beat,
    farm_feeds,
    farm_fetched,
    farm_requests,
    fetch_env,
    matching,
    say,
)
from .workers import running_worker, wait_until

FEEDS, ITEMS = 100, 10
LEASE = 5


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_racing_beats_dispatchers_and_copies_fetch_each_feed_once(tmp_path, server, watched):
    farm_feeds(server, FEEDS, ITEMS, stall=0.2)  # so copies may arrive mid-fetch
    logs = [tmp_path / "one.log", tmp_path / "two.log"]
    with RedisServer(tmp_path) as redis:
        env = fetch_env(
            tmp_path,
            redis.url(),
            TRACKER_FEED_LEASE=str(LEASE),
            TRACKER_DISPATCH_INTERVAL="1",
            TRACKER_DISPATCH_SPREAD="2",
        )
        (tmp_path / "b").mkdir()
        with (
            running_worker(env, "celery,fetch", logs[0], name="one", options=PREFORK) as one,
            running_worker(env, "celery,fetch", logs[1], name="two", options=PREFORK) as two,
            Connection(redis.url()) as conn,
        ):
            for log, worker in zip(logs, (one, two), strict=True):
                wait_until(
                    lambda log=log: "ready" in log.read_text(), worker, log, what="no worker"
                )
            producer = conn.Producer()
            for _ in range(4):  # four dispatchers at once, two in each worker
                dispatch_due_feeds.apply_async(producer=producer)
            copied, deadline = set(), time.monotonic() + 3
            while time.monotonic() < deadline:
                queued = Feed.objects.exclude(fetch_token="").exclude(fetch_token__contains=".")
                for feed_id, token in queued.values_list("id", "fetch_token"):
                    if (feed_id, token) not in copied:
                        fetch_feed.apply_async((feed_id, token), producer=producer)
                        copied.add((feed_id, token))
                time.sleep(0.05)
            say(
                "injected",
                f"two beats dispatching every second, four dispatches at once, and a copy "
                f"of {len(copied)} queued fetches",
            )
            with (
                beat(env, tmp_path / "beat-one.log", tmp_path),
                beat(env, tmp_path / "beat-two.log", tmp_path / "b"),
            ):
                wait_until(
                    lambda: farm_fetched(FEEDS, ITEMS),
                    one, logs[0], timeout=120, what="the feeds were not all fetched",
                )  # fmt: skip
                # Copies that found a feed held try again, and find it done.
                time.sleep(2 * LEASE + 2)
    fetched = farm_requests(server)
    outcomes = " ".join(log.read_text() for log in logs)
    say(
        "checked",
        f"fetches per feed: {sorted(set(fetched.values()))}; jobs: "
        f"{outcomes.count('status=fetched')} fetched, {outcomes.count('status=held')} held, "
        f"{outcomes.count('status=skipped')} skipped",
    )
    assert fetched == {f"/farm/{n}.xml": 1 for n in range(FEEDS)}
    assert outcomes.count("status=fetched") == FEEDS
    assert copied  # the copies were made while the fetches were still queued
    assert CoverageItem.objects.count() == FEEDS * ITEMS
    assert Flag.objects.filter(found_by=Flag.FoundBy.QUERY).count() == FEEDS * matching(ITEMS)
    assert Flag.objects.values("item_id", "debate_id").distinct().count() == Flag.objects.count()
