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
    RedisServer,
    deployment,
    fetch_env,
    manage,
    matching,
    say,
    scaled_down,
    serve_farm,
)
from .workers import wait_until

FEEDS, ITEMS = 60, 30
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
    with PostgresCluster() as postgres, RedisServer(tmp_path) as redis:
        db = postgres.url()
        env = fetch_env(tmp_path, redis.url(), DATABASE_URL=db, **scaled_down())
        manage(env, "migrate", "--noinput", "-v0")
        manage({**env, "FARM_URLS": json.dumps(urls)}, "shell", "-c", SEED)
        items = "SELECT count(*) FROM tracker_coverageitem"
        with deployment(env, tmp_path) as running:
            readers = running.readers
            wait_until(
                lambda: count(db, items) >= FEEDS * ITEMS * 0.25,
                running.worker, running.log, what="the batch did not get going",
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
            wait_until(lambda: count(db, done) == FEEDS, running.worker, running.log,
                       timeout=120, what="the batch did not finish")  # fmt: skip
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
    log = (tmp_path / "worker.log").read_text()
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
