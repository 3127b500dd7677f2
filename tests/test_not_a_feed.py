"""A feed URL that answers 200 with something that is not a feed (an error
page, garbage, nothing) is a failed fetch: it backs off, and after enough of
them in a row the feed is disabled with the reason. A feed that is valid but
has no entries is a quiet feed, not a failure."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tracker.ingest.polling import poll_feed, reserve_feed
from tracker.models import Feed
from tracker.models.coverage import MIN_POLL_SECONDS

from .feedserver import Route


def poll(feed):
    return poll_feed(feed.id, reserve_feed(feed.id))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\x00\x01\xfe garbage \xff" * 50, "not a feed: malformed"),
        (b"<html><body><h1>Site maintenance</h1></body></html>", "not a feed: strict parse failed"),
        (b'{"error": "rate limited"}', "not a feed: malformed"),
        (b"", "not a feed: empty document"),
    ],
    ids=["bytes", "html", "json", "empty"],
)
def test_a_body_that_is_not_a_feed_is_a_failure_that_backs_off(server, settings, body, reason):
    settings.TRACKER_FEED_MAX_FAILURES = 2
    server.routes["/feed.xml"] = Route(body=body, headers={"Content-Type": "text/html"})
    feed = Feed.objects.create(url=server.url("/feed.xml"), next_fetch_at=timezone.now())
    before = timezone.now()
    outcome = poll(feed)
    feed.refresh_from_db()
    assert outcome.status == "failed"
    assert feed.error_count == 1
    assert feed.last_error.startswith(reason)
    assert feed.next_fetch_at >= before + timedelta(seconds=MIN_POLL_SECONDS * 0.85)
    assert feed.fetch_token == ""
    assert poll(feed).status == "disabled"
    feed.refresh_from_db()
    assert not feed.is_active
    assert f"Disabled after 2 failed fetches in a row; last: {reason}" in feed.disabled_reason


@pytest.mark.django_db
def test_a_valid_feed_without_entries_is_quiet_not_failing(server):
    server.routes["/feed.xml"] = Route(
        body=b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    )
    feed = Feed.objects.create(url=server.url("/feed.xml"), next_fetch_at=timezone.now())
    assert poll(feed).status == "fetched"
    feed.refresh_from_db()
    assert feed.error_count == 0 and feed.last_error == ""
