"""The coverage monitor in the editorial panel: query checks and previews,
re-matching, and feeds with their problems in view."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tracker.ingest.parse import ParsedEntry
from tracker.ingest.pipeline import Pipeline
from tracker.models import Flag

from . import factories as f
from .hostile import DEEP_QUERY


@pytest.fixture
def coverage(db):
    f.ActorFactory(slug="russia", name="Russia", aliases=["Kremlin"])
    Pipeline().ingest(
        [
            ParsedEntry(title=f"Kremlin drones {n}", link=f"https://a.example/{n}", summary="NATO")
            for n in range(3)
        ]
        + [ParsedEntry(title="Weather", link="https://a.example/w", summary="Sunny")]
    )


@pytest.mark.django_db
def test_the_preview_counts_and_lists_matches_without_saving(editor, client, coverage):
    client.force_login(editor)
    url = reverse("admin:tracker_debate_preview_query")
    page = client.get(url, {"q": "@russia AND drone*"}).content.decode()
    assert "3 of the 4 most recently stored items match" in page
    assert "Kremlin drones 2" in page
    assert "Weather" not in page
    broken = client.get(url, {"q": "(drone*"}).content.decode()
    assert "missing closing parenthesis (at character 8)" in broken
    assert not Flag.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitors_cannot_preview(client):
    response = client.get(reverse("admin:tracker_debate_preview_query"), {"q": "nato"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_the_debate_form_links_to_a_preview_of_its_query(editor, client):
    debate = f.DebateFactory(watch_query="nato AND drone*")
    client.force_login(editor)
    page = client.get(reverse("admin:tracker_debate_change", args=[debate.id])).content.decode()
    assert "preview-query/?q=nato+AND+drone%2A" in page


@pytest.mark.django_db
def test_a_disabled_feed_shows_why_and_can_be_re_enabled(editor, client, settings):
    feed = f.FeedFactory(
        is_active=False,
        error_count=8,
        disabled_reason="Disabled after 8 failed fetches in a row; last: HTTP 500",
    )
    client.force_login(editor)
    page = client.get(reverse("admin:tracker_feed_changelist")).content.decode()
    assert "Disabled after 8 failed fetches" in page
    client.post(
        reverse("admin:tracker_feed_changelist"),
        {"action": "enable_and_fetch", "_selected_action": [feed.id]},
    )
    feed.refresh_from_db()
    assert feed.is_active and feed.error_count == 0 and feed.disabled_reason == ""
    assert feed.next_fetch_at <= timezone.now() + timezone.timedelta(minutes=16)


@pytest.mark.django_db
def test_the_preview_of_a_query_nested_too_deep_shows_the_error(editor, client):
    client.force_login(editor)
    response = client.get(reverse("admin:tracker_debate_preview_query"), {"q": DEEP_QUERY})
    assert response.status_code == 200
    assert "the query nests more than 32 levels deep" in response.content.decode()


@pytest.mark.django_db
def test_the_previews_matches_are_listed_newest_first_by_their_dates(editor, client):
    f.ActorFactory(slug="russia", name="Russia")
    day = timezone.make_aware(datetime.datetime(2025, 10, 9, 12))
    # Stored in this order; published on other days.
    for n, days in enumerate([0, 2, 1]):
        f.CoverageItemFactory(
            title=f"Russia story {n}", published_at=day + datetime.timedelta(days=days)
        )
    client.force_login(editor)
    page = client.get(reverse("admin:tracker_debate_preview_query"), {"q": "@russia"})
    titles = re.findall(r"Russia story \d", page.content.decode())
    assert titles == ["Russia story 1", "Russia story 2", "Russia story 0"]
    assert "3 of the 3 most recently stored items match" in page.content.decode()


@pytest.mark.django_db
def test_the_preview_refuses_an_actor_no_one_is_called_as_saving_does(editor, client):
    client.force_login(editor)
    response = client.get(
        reverse("admin:tracker_debate_preview_query"), {"q": "drone* AND @nobody-at-all"}
    )
    page = response.content.decode()
    assert "no actor with the slug “nobody-at-all” (at character 12)" in page
    assert "most recently stored items match" not in page
