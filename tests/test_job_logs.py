"""Every fetch a worker runs leaves one log line of key=value pairs: the feed,
what happened, the items it stored and skipped, the flags it raised, and how
long it took."""

import logging
import shlex

import pytest
from django.utils import timezone

from tracker.ingest.polling import reserve_feed
from tracker.models import Feed
from tracker.tasks import dispatch_due_feeds, fetch_feed

from .feedserver import Route, rss

STORY = ("Kremlin drones cross NATO airspace", "https://test.example/1", "Allies push back.")
OTHER = ("Allies meet in Brussels", "https://test.example/2", "A quiet day.")


def job_lines(caplog, event):
    """The key=value pairs of each log line of one kind of job."""
    lines = []
    for record in caplog.records:
        words = shlex.split(record.getMessage())
        if words and words[0] == event:
            lines.append(dict(word.split("=", 1) for word in words[1:]))
    return lines


@pytest.mark.django_db
def test_a_fetch_logs_its_feed_items_flags_and_duration(server, watched, caplog):
    caplog.set_level(logging.INFO, logger="tracker")
    body = rss(
        STORY, OTHER, ("Kremlin drones cross NATO airspace", "https://test.example/1", "Again.")
    )
    server.routes["/feed.xml"] = Route(body=body)
    feed = Feed.objects.create(url=server.url("/feed.xml"), next_fetch_at=timezone.now())
    fetch_feed.apply(args=(feed.id, reserve_feed(feed.id)))
    [line] = job_lines(caplog, "fetch")
    seconds = float(line.pop("seconds"))
    assert 0 < seconds < 30
    assert line == {
        "feed": str(feed.id),
        "status": "fetched",
        "new": "2",
        "duplicate": "1",
        "near_duplicate": "0",
        "rejected": "0",
        "flagged": "1",
    }


@pytest.mark.django_db
def test_a_failed_fetch_logs_the_reason_quoted(server, caplog):
    caplog.set_level(logging.INFO, logger="tracker")
    server.routes["/busy.xml"] = Route(503, headers={"Retry-After": "120"})
    feed = Feed.objects.create(url=server.url("/busy.xml"), next_fetch_at=timezone.now())
    fetch_feed.apply(args=(feed.id, reserve_feed(feed.id)))
    [line] = job_lines(caplog, "fetch")
    assert line["feed"] == str(feed.id)
    assert line["status"] == "failed"
    assert line["error"] == "HTTP 503"
    assert line["new"] == line["flagged"] == "0"


@pytest.mark.django_db
def test_the_dispatcher_logs_how_many_feeds_it_queued(caplog):
    caplog.set_level(logging.INFO, logger="tracker")
    # No feed due: nothing is queued, so no broker is needed.
    Feed.objects.create(url="https://feeds.example/a.xml", next_fetch_at=None)
    dispatch_due_feeds.apply()
    [line] = job_lines(caplog, "dispatch")
    assert line["queued"] == "0"
    assert float(line["seconds"]) >= 0
