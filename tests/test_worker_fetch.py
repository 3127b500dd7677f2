"""The coverage monitor's jobs on real workers: dispatch and fetch, a worker
killed mid-fetch, and a broker that goes away and comes back."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from kombu import Connection
from kombu.exceptions import OperationalError

from tracker.ingest.parse import parse_feed
from tracker.ingest.pipeline import Pipeline
from tracker.ingest.polling import poll_feed, reserve_feed
from tracker.models import CoverageItem, Feed, Flag
from tracker.tasks import dispatch_due_feeds, fetch_feed

from .conftest import require_service
from .feedserver import Route, rss
from .workers import filesystem_broker, running_worker, wait_until, worker_env

STORIES = [
    ("Kremlin drones cross NATO airspace", "https://test.example/1", "Allies push for more."),
    ("Allies meet", "https://test.example/2", "A quiet day."),
    ("Drones over Estonia", "https://test.example/3", "NATO and the Kremlin trade words."),
]
QUEUES = "celery,fetch,cpu"


def items_stored(count):
    return lambda: CoverageItem.objects.count() == count


def feeds_released():
    return not Feed.objects.exclude(fetch_token="").exists()


def fetch_env(tmp_path, **extra):
    return worker_env(
        tmp_path,
        TRACKER_FEED_ALLOWED_NETWORKS="127.0.0.2/32",
        TRACKER_DISPATCH_SPREAD="0",
        **extra,
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_dispatcher_and_a_worker_fetch_every_due_feed(tmp_path, server, watched):
    server.routes["/a.xml"] = Route(body=rss(*STORIES[:2]))
    server.routes["/b.xml"] = Route(body=rss(STORIES[2]))
    for path in ("/a.xml", "/b.xml"):
        Feed.objects.create(url=server.url(path), next_fetch_at=timezone.now())
    (tmp_path / "broker" / "queue").mkdir(parents=True)
    log = tmp_path / "worker.log"
    with (
        running_worker(fetch_env(tmp_path), QUEUES, log) as worker,
        filesystem_broker(tmp_path) as conn,
    ):
        dispatch_due_feeds.apply_async(producer=conn.Producer())
        wait_until(items_stored(3), worker, log, what="feeds not fetched")
        wait_until(feeds_released, worker, log, what="feeds not released")
    assert Flag.objects.count() == 2
    assert all(feed.next_fetch_at > timezone.now() for feed in Feed.objects.all())


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_fetch_killed_mid_way_is_redelivered_and_stores_everything_once(
    tmp_path, server, watched, redis_url
):
    calls = []

    def slow_first_time(handler):
        calls.append(time.monotonic())
        return Route(body=rss(*STORIES), stall=8 if len(calls) == 1 else None)

    server.routes["/feed.xml"] = slow_first_time
    feed = Feed.objects.create(url=server.url("/feed.xml"))
    token = reserve_feed(feed.id)
    queue_url = redis_url
    env = fetch_env(
        tmp_path,
        REDIS_URL=queue_url,
        CELERY_VISIBILITY="3",
        CELERY_RESTORE_INTERVAL="1",
        CELERY_RESTORE_THROTTLE="1",
        # The copy finds the feed held by the dead fetch and takes it when its lease ends.
        TRACKER_FEED_LEASE="3",
    )
    with Connection(queue_url) as conn:
        conn.default_channel.client.delete("fetch", "unacked", "unacked_index")
        fetch_feed.apply_async((feed.id, token), producer=conn.Producer())
    log = tmp_path / "worker.log"
    with running_worker(env, QUEUES, log, name="first") as first:
        wait_until(lambda: len(calls) == 1, first, log, what="the fetch never started")
        os.kill(first.pid, signal.SIGKILL)  # mid-fetch: the server is still stalling
        first.wait()
    assert CoverageItem.objects.count() == 0
    with running_worker(env, QUEUES, log, name="second") as second:
        wait_until(items_stored(3), second, log, what="the killed fetch was not redelivered")
        wait_until(feeds_released, second, log, what="the feed was not released")
    assert len(calls) == 2
    assert CoverageItem.objects.count() == 3
    assert Flag.objects.count() == 2


@pytest.mark.django_db
def test_a_fetch_repeated_after_a_crash_stores_nothing_twice(server, watched):
    """The crash came after the items were stored but before the feed was
    rescheduled: the redelivered task fetches and ingests again."""
    body = rss(*STORIES)
    server.routes["/feed.xml"] = Route(body=body)
    feed = Feed.objects.create(url=server.url("/feed.xml"))
    token = reserve_feed(feed.id)
    Pipeline().ingest(parse_feed(body).entries, feed=feed)  # what the killed task had done
    outcome = poll_feed(feed.id, token)
    assert outcome.status == "fetched"
    assert outcome.summary.items_new == 0
    assert outcome.summary.items_duplicate == 3
    assert CoverageItem.objects.count() == 3
    assert Flag.objects.count() == 2


def dispatched(broker_url):
    """Send the dispatch task once the broker answers; False while it does not."""
    try:
        with Connection(broker_url, connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=1)
            dispatch_due_feeds.apply_async(producer=conn.Producer())
    except (OSError, OperationalError):
        return False
    return True


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_without_redis_feeds_register_and_pages_answer_and_polling_resumes_after(
    tmp_path, server, watched, client
):
    redis_server = shutil.which("redis-server")
    require_service("redis-server", redis_server, "needed to stop and start a broker")
    port = free_port()
    broker_url = f"redis://127.0.0.1:{port}/0"
    server.routes["/feed.xml"] = Route(body=rss(*STORIES))
    env = fetch_env(tmp_path, REDIS_URL=broker_url)

    started = time.monotonic()
    registered = subprocess.run(
        [sys.executable, "manage.py", "add_feed", server.url("/feed.xml")],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert registered.returncode == 0, registered.stderr
    assert '"queued": false' in registered.stdout
    assert time.monotonic() - started < 30
    assert Feed.objects.filter(url=server.url("/feed.xml")).exists()
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/login/").status_code == 200

    log = tmp_path / "worker.log"
    with running_worker(env, QUEUES, log) as worker:
        wait_until(
            lambda: "Cannot connect to" in log.read_text(),
            worker,
            log,
            what="the worker never tried to reach its broker",
        )
        broker = subprocess.Popen(
            [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_until(
                lambda: dispatched(broker_url),
                worker,
                log,
                what="the broker never came up to take the dispatch",
            )
            wait_until(items_stored(3), worker, log, what="polling did not resume")
        finally:
            broker.terminate()
            broker.wait(timeout=10)
    assert Flag.objects.count() == 2
    out = StringIO()
    call_command("flags", "--debate", "airspace", "--json", stdout=out)
    assert len(out.getvalue().splitlines()) == 2
