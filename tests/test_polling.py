"""Polling feeds: reserve, fetch, ingest, reschedule, back off, disable."""

import json
import threading
from datetime import timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.celery import app
from tracker.ingest import polling
from tracker.ingest.polling import next_interval, poll_feed, reserve_due_feeds, reserve_feed
from tracker.models import CoverageItem, Feed, Flag
from tracker.models.coverage import MAX_POLL_SECONDS, MIN_POLL_SECONDS
from tracker.tasks import dispatch_due_feeds

from . import factories as f
from .feedserver import Route, rss

STORY = (
    "Kremlin drones cross NATO airspace",
    "https://test.example/1",
    "Allies push for a response.",
)
OTHER = ("Allies meet in Brussels", "https://test.example/2", "A quiet day.")


def due_feed(server, path="/feed.xml", **fields):
    return Feed.objects.create(url=server.url(path), next_fetch_at=timezone.now(), **fields)


def poll(feed):
    token = reserve_feed(feed.id)
    return poll_feed(feed.id, token)


@pytest.mark.django_db
def test_a_poll_stores_items_flags_them_and_reschedules(server, watched):
    server.routes["/feed.xml"] = Route(body=rss(STORY, OTHER), headers={"ETag": '"v1"'})
    feed = due_feed(server)
    outcome = poll(feed)
    assert outcome.status == "fetched"
    assert outcome.summary.items_new == 2
    assert CoverageItem.objects.filter(feed=feed).count() == 2
    assert Flag.objects.get().item.url == "https://test.example/1"
    feed.refresh_from_db()
    assert feed.etag == '"v1"'
    assert feed.error_count == 0 and feed.last_status == 200
    assert feed.fetch_token == ""
    assert feed.next_fetch_at > timezone.now() + timedelta(seconds=MIN_POLL_SECONDS * 0.8)
    assert feed.outlet.domain == "test.example"


@pytest.mark.django_db
def test_not_modified_and_unchanged_bodies_are_not_parsed_again(server, watched):
    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return Route(304)
        return Route(body=rss(STORY), headers={"ETag": '"v1"'})

    server.routes["/etag.xml"] = conditional
    server.routes["/plain.xml"] = Route(body=rss(STORY, title="same bytes"))
    with_etag, without = due_feed(server, "/etag.xml"), due_feed(server, "/plain.xml")
    assert poll(with_etag).status == "fetched"
    assert poll(with_etag).status == "unchanged"
    assert poll(without).status == "fetched"
    assert poll(without).status == "unchanged"
    assert CoverageItem.objects.count() == 1


@pytest.mark.django_db
def test_failures_back_off_exponentially_and_then_disable_the_feed(server, settings):
    settings.TRACKER_FEED_MAX_FAILURES = 4
    server.routes["/broken.xml"] = Route(500)
    feed = due_feed(server, "/broken.xml")
    delays = []
    for _ in range(3):
        before = timezone.now()
        assert poll(feed).status == "failed"
        feed.refresh_from_db()
        delays.append((feed.next_fetch_at - before).total_seconds())
    assert feed.error_count == 3
    assert feed.last_error == "HTTP 500"
    for earlier, later in pairwise(delays):
        assert later > earlier * 1.5
    assert poll(feed).status == "disabled"
    feed.refresh_from_db()
    assert not feed.is_active
    assert "Disabled after 4 failed fetches in a row; last: HTTP 500" in feed.disabled_reason
    assert reserve_feed(feed.id) is None


@pytest.mark.django_db
def test_a_success_resets_the_failure_count(server):
    server.routes["/flaky.xml"] = Route(503)
    feed = due_feed(server, "/flaky.xml")
    poll(feed)
    server.routes["/flaky.xml"] = Route(body=rss(OTHER))
    assert poll(feed).status == "fetched"
    feed.refresh_from_db()
    assert feed.error_count == 0 and feed.last_error == ""


@pytest.mark.django_db
def test_retry_after_is_honoured(server):
    server.routes["/busy.xml"] = Route(429, headers={"Retry-After": "7200"})
    feed = due_feed(server, "/busy.xml")
    before = timezone.now()
    poll(feed)
    feed.refresh_from_db()
    assert feed.next_fetch_at - before > timedelta(seconds=7200 * 0.85)


@pytest.mark.django_db
def test_a_refused_address_counts_as_a_failure_with_the_reason(settings, db):
    settings.TRACKER_FEED_ALLOWED_NETWORKS = []
    feed = Feed.objects.create(url="http://127.0.0.1:9/feed.xml")
    assert poll(feed).status == "failed"
    feed.refresh_from_db()
    assert "127.0.0.1 is not a public address" in feed.last_error


def test_intervals_adapt_within_bounds_and_respect_ttl_and_max_age():
    assert next_interval(3600, new_items=3) < 3600
    assert next_interval(3600, new_items=0) > 3600
    assert next_interval(MIN_POLL_SECONDS, new_items=9) == MIN_POLL_SECONDS
    assert next_interval(MAX_POLL_SECONDS, new_items=0) == MAX_POLL_SECONDS
    assert next_interval(600, new_items=5, ttl_minutes=60) == 3600
    assert next_interval(600, new_items=5, max_age=1800) == 1800


@pytest.mark.django_db
def test_two_dispatchers_reserve_each_due_feed_once():
    feeds = [f.FeedFactory(next_fetch_at=timezone.now()) for _ in range(3)]
    f.FeedFactory(next_fetch_at=timezone.now() + timedelta(hours=1))
    f.FeedFactory(next_fetch_at=timezone.now(), is_active=False)
    first, second = reserve_due_feeds(), reserve_due_feeds()
    assert sorted(reserved.feed_id for reserved in first) == [feed.id for feed in feeds]
    assert second == []


def due_and_waiting(due, waiting=30):
    """`due` feeds due now (one of them reserved before, its lease run out) and
    `waiting` feeds due later."""
    now = timezone.now()
    Feed.objects.bulk_create(
        [Feed(url=f"https://due.example/{n}.xml", next_fetch_at=now) for n in range(due)]
        + [
            Feed(url=f"https://later.example/{n}.xml", next_fetch_at=now + timedelta(hours=1))
            for n in range(waiting)
        ]
    )
    Feed.objects.filter(url="https://due.example/0.xml").update(fetch_token="a" * 20 + ".run")


def reads_and_writes(queries):
    """The statements a block sent, without the savepoints of the test's transaction."""
    return [q["sql"] for q in queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))]


@pytest.mark.django_db
@pytest.mark.parametrize("due", [3, 60])
def test_reserving_due_feeds_takes_two_queries_however_many_are_due(due):
    due_and_waiting(due)
    with CaptureQueriesContext(connection) as queries:
        reserved = reserve_due_feeds()
    assert len(reads_and_writes(queries.captured_queries)) == 2
    assert len(reserved) == due
    assert Feed.objects.filter(url__startswith="https://due.example/", fetch_token="").count() == 0
    assert len({r.token for r in reserved}) == due
    [again] = [r for r in reserved if r.again]
    assert again.token == "a" * 20  # a lost fetch's reservation keeps its token


def fetches_queued():
    """The feed ids of the fetch tasks waiting on the broker's fetch queue, taken off it."""
    with app.connection_for_read() as broker, broker.SimpleQueue("fetch") as queue:
        feed_ids = []
        while True:
            try:
                message = queue.get(block=False)
            except queue.Empty:
                return feed_ids
            feed_ids.append(message.payload[0][0])
            message.ack()


@pytest.mark.django_db
def test_a_dispatch_queues_every_due_feed_in_batches():
    fetches_queued()  # whatever an earlier run left
    due_and_waiting(7)
    with CaptureQueriesContext(connection) as queries:
        assert dispatch_due_feeds.apply(kwargs={"batch": 3}).get() == 7
    # Three batches of two queries (3, 3 and 1 feeds), nothing per feed.
    assert len(reads_and_writes(queries.captured_queries)) == 6
    assert sorted(fetches_queued()) == sorted(
        Feed.objects.filter(url__startswith="https://due.example/").values_list("id", flat=True)
    )


@pytest.mark.django_db
def test_a_task_with_a_stale_token_does_nothing(server):
    server.routes["/feed.xml"] = Route(body=rss(OTHER))
    feed = due_feed(server)
    stale = reserve_feed(feed.id)
    reserve_feed(feed.id)  # an editor asked again: the newer token owns the feed
    assert poll_feed(feed.id, stale).status == "skipped"
    assert server.requests == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_feed_store_one_set_of_items(server, watched):
    server.routes["/feed.xml"] = Route(body=rss(STORY, OTHER))
    feed = due_feed(server)
    token = reserve_feed(feed.id)
    outcomes, errors = [], []

    def worker():
        try:
            outcomes.append(poll_feed(feed.id, token, pipeline=polling.Pipeline()).status)
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert CoverageItem.objects.count() == 2
    assert Flag.objects.count() == 1


@pytest.mark.django_db
def test_add_feed_registers_and_refuses_with_reasons(server):
    out = StringIO()
    call_command(
        "add_feed", server.url("/feed.xml"), "--outlet", "Test Wire", "--no-fetch", stdout=out
    )
    report = json.loads(out.getvalue())
    feed = Feed.objects.get(id=report["feed_id"])
    assert feed.outlet.name == "Test Wire" and report["created"]
    for url, reason in [
        ("ftp://test.example/feed", "only http:// and https://"),
        ("http://localhost/feed.xml", "127.0.0.1 is not a public address"),
        ("http://[::1]/feed.xml", "::1 is not a public address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is not a public address"),
    ]:
        with pytest.raises(CommandError, match=reason):
            call_command("add_feed", url, stdout=StringIO())
    with pytest.raises(CommandError, match="between 300 and 86400"):
        call_command("add_feed", server.url("/other.xml"), "--interval", "10", stdout=StringIO())


@pytest.mark.django_db
def test_fetch_feeds_sync_fetches_one_feed_or_all_due(server, watched):
    server.routes["/a.xml"] = Route(body=rss(STORY))
    server.routes["/b.xml"] = Route(body=rss(OTHER))
    a, b = due_feed(server, "/a.xml"), due_feed(server, "/b.xml")
    out = StringIO()
    call_command("fetch_feeds", "--feed", str(a.id), "--sync", stdout=out)
    assert json.loads(out.getvalue())["status"] == "fetched"
    out = StringIO()
    call_command("fetch_feeds", "--sync", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(row["feed_id"], row["items_new"]) for row in rows] == [(b.id, 1)]
    server.routes["/a.xml"] = Route(500)
    with pytest.raises(CommandError, match="the fetch failed"):
        call_command("fetch_feeds", "--feed", str(a.id), "--sync", stdout=StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "reason"),
    [
        # urllib3 (and a browser) read a backslash as the end of the host: 127.0.0.1.
        ("http://127.0.0.1\\@example.com/", "127.0.0.1 is not a public address"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1 resolves to an address that is not"),
        ("http://0x7f.1/", "127.0.0.1 is not a public address"),
        ("http://example.com\t@127.0.0.1/", "whitespace or a control character"),
        ("http://example.com/\nfeed", "whitespace or a control character"),
        # The fetcher would go to example.com, a reader of the URL to 127.0.0.1.
        ("http://example.com\\@127.0.0.1/", "the host is ambiguous"),
    ],
    ids=["backslash", "mapped-ipv6", "hex-and-short", "tab", "newline", "backslash-reversed"],
)
def test_add_feed_refuses_a_host_that_the_fetcher_reads_as_non_public(url, reason):
    with pytest.raises(CommandError, match=f"refused: .*{reason}"):
        call_command("add_feed", url, "--no-fetch", stdout=StringIO())
    assert not Feed.objects.exists()


@pytest.mark.django_db
def test_add_feed_accepts_an_encoded_backslash_in_the_user_name():
    # Percent-encoded, the backslash is part of the user name: every parser goes to example.com.
    url = "http://127.0.0.1%5C@example.com/"
    out = StringIO()
    call_command("add_feed", url, "--no-fetch", stdout=out, stderr=StringIO())
    assert json.loads(out.getvalue())["url"] == url


@pytest.mark.django_db
def test_a_new_outlet_is_learnt_without_rebuilding_the_pipeline(watched):
    """Feeds seen for the first time add outlets one after another: each must be
    known for citations, without every worker process rebuilding its matcher,
    its relevance scorers and its index of recent originals."""
    pipeline = polling.current_pipeline()
    f.OutletFactory(name="Baltic Courier")
    assert polling.current_pipeline() is pipeline
    assert "baltic courier" in pipeline.known_outlets
    f.ActorFactory(slug="estonia", name="Estonia")  # the matcher must learn the name
    assert polling.current_pipeline() is not pipeline
