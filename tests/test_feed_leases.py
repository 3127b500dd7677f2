"""Feed leases: a fetch holds its feed for a short lease that it renews while
it runs, so a worker that dies lets its feeds go within about a minute, and a
second copy of a fetch (a redelivery, a second dispatcher, a second worker)
never fetches while the first holds the feed."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tracker.ingest.polling import poll_feed, reserve_due_feeds, reserve_feed, take_feed
from tracker.models import CoverageItem, Feed, Flag

from .feedserver import Route, rss

STORY = ("Kremlin drones cross NATO airspace", "https://test.example/1", "Allies push back.")
OTHER = ("Allies meet in Brussels", "https://test.example/2", "A quiet day.")


def due_feed(server, path="/feed.xml"):
    return Feed.objects.create(url=server.url(path), next_fetch_at=timezone.now())


def poll_in_thread(feed_id, token):
    """poll_feed as a worker runs it: in a thread with its own connection."""
    result = {}

    def run():
        try:
            result["outcome"] = poll_feed(feed_id, token)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def fetch_on_the_wire(server, body, stall):
    """A due feed whose server takes `stall` seconds to answer, reserved and
    being fetched in a thread; returns once the request has reached the server."""
    server.routes["/slow.xml"] = Route(body=body, stall=stall)
    feed = due_feed(server, "/slow.xml")
    token = reserve_feed(feed.id)
    thread, result = poll_in_thread(feed.id, token)
    deadline = time.monotonic() + 10
    while not server.requests:
        assert time.monotonic() < deadline, "the fetch never started"
        time.sleep(0.05)
    return feed, token, thread, result


@pytest.mark.django_db
def test_the_dispatcher_reserves_a_feed_for_one_lease(settings):
    settings.TRACKER_FEED_LEASE = 60
    feed = Feed.objects.create(url="https://feeds.example/a.xml", next_fetch_at=timezone.now())
    before = timezone.now()
    [(feed_id, _token, again)] = reserve_due_feeds()
    after = timezone.now()
    feed.refresh_from_db()
    assert (feed_id, again) == (feed.id, False)
    # One 60 s lease, not the old 15 minutes: the task starts within it.
    assert before + timedelta(seconds=60) <= feed.next_fetch_at <= after + timedelta(seconds=60)


@pytest.mark.django_db(transaction=True)
def test_a_fetch_that_outlasts_its_lease_renews_it_and_the_feed_is_never_due_meanwhile(
    server, settings, watched
):
    settings.TRACKER_FEED_LEASE = 3
    settings.TRACKER_FEED_DEADLINE = 15
    _, _, thread, result = fetch_on_the_wire(server, rss(STORY), stall=5)
    checks = 0
    while thread.is_alive():
        # What a second dispatcher would see while the fetch is on the wire.
        assert reserve_due_feeds() == []
        checks += 1
        time.sleep(0.25)
    thread.join()
    print(f"injected: a 5 s answer under a 3 s lease; checked {checks} times that it was not due")
    assert checks >= 12  # the check ran past the first lease, well into the third
    assert result["outcome"].status == "fetched"
    assert CoverageItem.objects.count() == 1
    assert Flag.objects.count() == 1
    assert len(server.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_a_second_copy_of_a_fetch_waits_and_then_finds_nothing_to_do(server, settings, watched):
    settings.TRACKER_FEED_LEASE = 60
    feed, token, thread, result = fetch_on_the_wire(server, rss(STORY, OTHER), stall=1.5)
    copy = poll_feed(feed.id, token)  # a redelivered copy of the same task
    assert copy.status == "held"
    assert 55 <= copy.retry_in <= 61  # try again when the holder's lease would have run out
    thread.join()
    assert result["outcome"].status == "fetched"
    assert poll_feed(feed.id, token).status == "skipped"  # the retry: the fetch is done
    assert len(server.requests) == 1
    assert CoverageItem.objects.count() == 2


@pytest.mark.django_db
def test_a_fetch_whose_worker_died_is_taken_over_once_its_lease_runs_out(server, settings, watched):
    settings.TRACKER_FEED_LEASE = 1
    server.routes["/feed.xml"] = Route(body=rss(STORY))
    feed = due_feed(server)
    token = reserve_feed(feed.id)
    assert take_feed(feed.id, token) is not None  # a worker took it, and died
    assert poll_feed(feed.id, token).status == "held"
    time.sleep(1.2)  # no renewal: the lease runs out
    assert poll_feed(feed.id, token).status == "fetched"  # the redelivered task
    assert CoverageItem.objects.count() == 1


@pytest.mark.django_db
def test_the_dispatcher_hands_out_a_dead_fetchs_feed_again_under_the_same_reservation(
    server, settings, watched
):
    settings.TRACKER_FEED_LEASE = 60
    server.routes["/feed.xml"] = Route(body=rss(STORY))
    feed = due_feed(server)
    [(_, token, _)] = reserve_due_feeds()
    assert take_feed(feed.id, token) is not None  # a worker took it, and died
    assert reserve_due_feeds() == []  # within its lease
    later = timezone.now() + timedelta(seconds=61)
    [(feed_id, same, again)] = reserve_due_feeds(now=later)
    # Late, so queued at once; under the same token as the old task
    # (redelivered, or still queued behind others): whichever starts first fetches.
    assert (feed_id, same, again) == (feed.id, token, True)
    assert poll_feed(feed.id, same).status == "fetched"
    assert poll_feed(feed.id, token).status == "skipped"
    assert len(server.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_a_fetch_that_lost_its_feed_mid_way_stores_nothing(server, settings, watched):
    settings.TRACKER_FEED_LEASE = 60
    feed, _, thread, result = fetch_on_the_wire(server, rss(STORY), stall=1.5)
    newer = reserve_feed(feed.id)  # an editor asked again: the newer fetch owns the feed
    thread.join()
    assert result["outcome"].status == "lost"
    assert CoverageItem.objects.count() == 0
    assert poll_feed(feed.id, newer).status == "fetched"
    assert CoverageItem.objects.count() == 1
    assert Flag.objects.count() == 1
