"""Fault: Redis (the broker, and the page cache on another database of the same
server) stops while readers read, an editor works and workers ingest, and
comes back empty. Readers and the editor get their pages throughout, and
the batch completes without anyone stepping in.

Leases, the visibility timeout and the dispatch interval are scaled down
(10 s, 10 s, 5 s) to keep the test short; test_fault_worker_killed runs the
defaults."""

import time

import pytest

from tracker.models import CoverageItem, Feed, Flag

from . import factories as f
from .conftest import PASSWORD
from .faults import (
    RedisServer,
    Visitor,
    deployment,
    farm_feeds,
    farm_fetched,
    farm_requests,
    fetch_env,
    matching,
    production_password,
    say,
    scaled_down,
)
from .workers import wait_until

FEEDS, ITEMS = 60, 30
OUTAGE = 15
DESK_PAGES = ["/admin/", "/admin/tracker/flag/", "/admin/tracker/feed/", "/admin/tracker/position/"]


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_redis_stopped_mid_batch_costs_no_page_and_no_item(tmp_path, server, watched):
    f.PositionFactory(debate=watched, actor=f.ActorFactory(slug="estonia", name="Estonia"))
    production_password(f.UserFactory(username="desk", is_superuser=True), PASSWORD)
    farm_feeds(server, FEEDS, ITEMS)
    with RedisServer(tmp_path) as redis:
        env = fetch_env(tmp_path, redis.url(0), CACHE_URL=redis.url(1), **scaled_down())
        with deployment(env, tmp_path) as running:
            readers = running.readers
            editor = Visitor(running.site)
            editor.log_in("desk", PASSWORD)
            wait_until(
                lambda: CoverageItem.objects.count() >= FEEDS * ITEMS * 0.25,
                running.worker, running.log, what="the batch did not get going",
            )  # fmt: skip
            redis.stop()
            stopped = time.monotonic()
            say(
                "injected", f"Redis stopped for {OUTAGE} s, {CoverageItem.objects.count()} items in"
            )
            desk = {page: editor.request(page)[0] for page in DESK_PAGES}
            feed = Feed.objects.order_by("-id").first()
            fetch_now = editor.request(
                "/admin/tracker/feed/",
                {
                    "csrfmiddlewaretoken": editor.csrf("/admin/tracker/feed/"),
                    "action": "fetch_now",
                    "_selected_action": feed.id,
                },
            )[0]
            _, told = editor.request("/admin/tracker/feed/")
            health = editor.request("/healthz")
            time.sleep(max(0, OUTAGE - (time.monotonic() - stopped)))
            redis.start()
            restarted = time.monotonic()
            say("injected", "Redis started again, empty: every queued message is gone")
            wait_until(
                lambda: farm_fetched(FEEDS, ITEMS),
                running.worker, running.log, timeout=120, what="the batch did not finish",
            )  # fmt: skip
            took = time.monotonic() - restarted
    say("checked", f"{len(readers.answers)} reader requests, none but 200: {readers.failures()}")
    say("checked", f"the editor's pages during the outage: {desk}, 'fetch now' {fetch_now}")
    say("checked", f"/healthz during the outage: {health[0]} {health[1]}")
    say("checked", f"the batch completed {took:.0f} s after Redis came back, untouched")
    assert readers.answers and readers.failures() == []
    assert set(desk.values()) == {200}
    assert fetch_now == 302
    assert "0 of 1 feeds queued for fetching" in told
    assert health[0] == 200 and '"broker": "unreachable"' in health[1]
    assert took < 90
    assert CoverageItem.objects.count() == FEEDS * ITEMS
    assert set(farm_requests(server)) == {f"/farm/{n}.xml" for n in range(FEEDS)}
    assert Flag.objects.filter(found_by=Flag.FoundBy.QUERY).count() == FEEDS * matching(ITEMS)
    assert Flag.objects.values("item_id", "debate_id").distinct().count() == Flag.objects.count()
