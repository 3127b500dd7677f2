"""Fault: PostgreSQL restarts (every connection cut, open transactions rolled
back) while gunicorn serves readers and workers ingest. The server is a
cluster of the test's own, never the shared one. Pages answer again within
seconds of the restart, the fetches it cut short are done again, and no
feed's batch is left half-written.

Leases, the visibility timeout and the dispatch interval are scaled down, as
in test_fault_redis."""

import json
import time

import psycopg
import pytest

from .faults import (
    READER_PAGES,
    PostgresCluster,
    Readers,
    RedisServer,
    beat,
    collected_static,
    manage,
    matching,
    production_env,
    say,
    scaled_down,
    serve_farm,
    web,
)
from .workers import running_worker, wait_until, worker_env

FEEDS, ITEMS = 60, 30
PREFORK = ("--pool", "prefork", "--concurrency", "2")
RECOVERY = 5  # seconds after the server is back within which pages must answer

SEED = """
import json, os
from django.utils import timezone
from tracker.models import Actor, Debate, Feed, Position
russia = Actor.objects.create(
    slug="russia", name="Russia", aliases=["Kremlin"], kind="country", country="RU"
)
estonia = Actor.objects.create(slug="estonia", name="Estonia", kind="country", country="EE")
debate = Debate.objects.create(
    slug="airspace", title="Airspace", question="How hard should allies respond?",
    low_label="conservative", high_label="more aggressive", status="active",
    watch_query="NATO AND @russia AND drone*",
)
Position.objects.create(
    actor=estonia, debate=debate, stance=1, summary="Wants a firmer answer.",
    stated_on="2025-10-09", status="published", published_at=timezone.now(),
)
Feed.objects.bulk_create(
    Feed(url=url, next_fetch_at=timezone.now()) for url in json.loads(os.environ["FARM_URLS"])
)
"""


def query(url, sql):
    with psycopg.connect(url.replace("postgres://", "postgresql://"), connect_timeout=5) as conn:
        return conn.execute(sql).fetchall()


def count(url, sql):
    try:
        return query(url, sql)[0][0]
    except psycopg.OperationalError:
        return -1  # restarting


@pytest.mark.slow
@pytest.mark.worker
def test_a_postgresql_restart_costs_seconds_of_pages_and_no_item(tmp_path, server):
    urls = serve_farm(server, FEEDS, ITEMS)
    worker_log = tmp_path / "worker.log"
    with PostgresCluster() as postgres, RedisServer(tmp_path) as redis:
        db = postgres.url()
        env = {
            **worker_env(tmp_path, REDIS_URL=redis.url(), **scaled_down()),
            "DATABASE_URL": db,
        }
        manage(env, "migrate", "--noinput", "-v0")
        manage({**env, "FARM_URLS": json.dumps(urls)}, "shell", "-c", SEED)
        items = "SELECT count(*) FROM tracker_coverageitem"
        with (
            web(production_env(env, collected_static()), tmp_path / "web.log") as site,
            beat(env, tmp_path / "beat.log", tmp_path),
            running_worker(env, "celery,fetch,cpu", worker_log, options=PREFORK) as worker,
            Readers(site, READER_PAGES) as readers,
        ):
            wait_until(
                lambda: count(db, items) >= FEEDS * ITEMS * 0.25,
                worker, worker_log, what="the batch did not get going",
            )  # fmt: skip
            before = count(db, items)
            restarting = time.monotonic()
            postgres.restart()
            back = time.monotonic()
            say("injected", f"PostgreSQL restarted (fast: connections cut), {before} items in")
            done = (
                "SELECT count(*) FROM tracker_feed "
                "WHERE fetch_token = '' AND last_success_at IS NOT NULL"
            )
            wait_until(lambda: count(db, done) == FEEDS, worker, worker_log, timeout=120,
                       what="the batch did not finish")  # fmt: skip
            finished = time.monotonic()
            time.sleep(2)  # readers keep reading after the batch
        per_feed = query(
            db, "SELECT count(*) FROM tracker_coverageitem GROUP BY feed_id ORDER BY 1"
        )
        flags = query(
            db,
            "SELECT count(*), count(DISTINCT (item_id, debate_id)) FROM tracker_flag "
            "WHERE found_by = 'query'",
        )[0]
    log = worker_log.read_text()
    during = readers.failures(restarting, back + RECOVERY)
    after = readers.failures(back + RECOVERY)
    last = max((moment - back for moment, _, _ in during), default=0)
    say("checked", f"{len(during)} failed reader requests while it restarted "
        f"({back - restarting:.1f} s), the last {last:.1f} s after it was back; {len(after)} "
        f"from {RECOVERY} s on, out of {len(readers.answers)}")  # fmt: skip
    say("checked", f"fetch jobs cut short by the restart: {log.count('status=error')}")
    say("checked", f"the batch finished {finished - back:.0f} s after the restart")
    assert after == []
    assert len(readers.answers) > len(READER_PAGES) * 4
    # Every feed's batch whole: all its items or none, never some.
    assert [n for (n,) in per_feed] == [ITEMS] * FEEDS
    assert flags == (FEEDS * matching(ITEMS), FEEDS * matching(ITEMS))
