"""Fault: Redis (the broker, and the page cache on another database of the same
server) stops while readers read, an editor works and workers ingest, and
comes back empty. Readers and the editor get their pages throughout, and
the batch completes without anyone stepping in.

Leases, the visibility timeout and the dispatch interval are scaled down
(10 s, 10 s, 5 s) to keep the test short; test_fault_worker_killed runs the
defaults."""

import time

import pytest
from django.utils import timezone

from tracker.models import CoverageItem, Feed, Flag

from . import factories as f
from .conftest import PASSWORD
from .faults import (
    READER_PAGES,
    Readers,
    RedisServer,
    Visitor,
    beat,
    collected_static,
    farm_requests,
    matching,
    production_env,
    production_password,
    say,
    scaled_down,
    serve_farm,
    web,
)
from .workers import running_worker, wait_until, worker_env

FEEDS, ITEMS = 60, 30
PREFORK = ("--pool", "prefork", "--concurrency", "2")
OUTAGE = 15


def batch_done():
    return (
        CoverageItem.objects.count() == FEEDS * ITEMS
        and not Feed.objects.exclude(fetch_token="").exists()
        and not Feed.objects.filter(last_success_at=None).exists()
    )


@pytest.mark.slow
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_redis_stopped_mid_batch_costs_no_page_and_no_item(tmp_path, server, watched):
    f.PositionFactory(debate=watched, actor=f.ActorFactory(slug="estonia", name="Estonia"))
    production_password(f.UserFactory(username="desk", is_superuser=True), PASSWORD)
    urls = serve_farm(server, FEEDS, ITEMS)
    Feed.objects.bulk_create([Feed(url=url, next_fetch_at=timezone.now()) for url in urls])
    worker_log = tmp_path / "worker.log"
    with RedisServer(tmp_path) as redis:
        env = worker_env(tmp_path, REDIS_URL=redis.url(0), CACHE_URL=redis.url(1), **scaled_down())
        site_env = production_env(env, collected_static())
        with (
            web(site_env, tmp_path / "web.log") as site,
            beat(env, tmp_path / "beat.log", tmp_path),
            running_worker(env, "celery,fetch,cpu", worker_log, options=PREFORK) as worker,
            Readers(site, READER_PAGES) as readers,
        ):
            editor = Visitor(site)
            editor.log_in("desk", PASSWORD)
            wait_until(
                lambda: CoverageItem.objects.count() >= FEEDS * ITEMS * 0.25,
                worker, worker_log, what="the batch did not get going",
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
            wait_until(batch_done, worker, worker_log, timeout=120, what="the batch did not finish")
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


DESK_PAGES = ["/admin/", "/admin/tracker/flag/", "/admin/tracker/feed/", "/admin/tracker/position/"]
