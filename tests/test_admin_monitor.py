"""The coverage monitor in the editorial panel: query checks and previews,
re-matching, and feeds with their problems in view."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tracker.ingest.parse import ParsedEntry
from tracker.ingest.pipeline import Pipeline
from tracker.models import Debate, Feed, Flag

from . import factories as f
from .forms import rendered_form, submit


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


def debate_form(**overrides):
    data = {
        "title": "Airspace",
        "slug": "airspace",
        "question": "How hard?",
        "summary": "",
        "status": "active",
        "low_label": "conservative",
        "high_label": "more aggressive",
        "watch_query": "NATO AND @russia",
        "proposals-TOTAL_FORMS": "0",
        "proposals-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_saving_a_broken_watch_query_shows_where_it_breaks(editor, client):
    client.force_login(editor)
    response = client.post(
        reverse("admin:tracker_debate_add"), debate_form(watch_query='NATO AND "eastern flank')
    )
    assert response.status_code == 200
    assert "unclosed quotation mark (at character 10)" in response.content.decode()
    assert not Debate.objects.exists()


@pytest.mark.django_db
def test_the_preview_counts_and_lists_matches_without_saving(editor, client, coverage):
    client.force_login(editor)
    url = reverse("admin:tracker_debate_preview_query")
    page = client.get(url, {"q": "@russia AND drone*"}).content.decode()
    assert "3 of the 4 most recent items match" in page
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
def test_a_feed_with_a_private_address_is_refused_in_the_admin(editor, client):
    client.force_login(editor)
    response = client.post(
        reverse("admin:tracker_feed_add"),
        {
            "url": "http://169.254.169.254/latest",
            "outlet": "",
            "title": "",
            "is_active": "on",
            "poll_interval": "1800",
        },
    )
    assert response.status_code == 200
    assert "169.254.169.254 is not a public address" in response.content.decode()
    assert not Feed.objects.exists()


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


DEEP_QUERY = "(" * 232 + "nato" + ")" * 232


@pytest.mark.django_db
def test_saving_a_debate_whose_query_nests_too_deep_shows_the_error(editor, client):
    client.force_login(editor)
    url = reverse("admin:tracker_debate_add")
    data = rendered_form(client.get(url).content.decode(), "debate_form")
    assert "proposals-TOTAL_FORMS" in data  # the hidden management form came along
    data.update(
        title="Airspace",
        slug="airspace",
        question="How hard?",
        low_label="conservative",
        high_label="more aggressive",
        watch_query=DEEP_QUERY,
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "the query nests more than 32 levels deep" in response.content.decode()
    assert not Debate.objects.exists()


@pytest.mark.django_db
def test_the_preview_of_a_query_nested_too_deep_shows_the_error(editor, client):
    client.force_login(editor)
    response = client.get(reverse("admin:tracker_debate_preview_query"), {"q": DEEP_QUERY})
    assert response.status_code == 200
    assert "the query nests more than 32 levels deep" in response.content.decode()


@pytest.mark.django_db
def test_a_feed_whose_host_hides_behind_a_backslash_is_refused_in_the_admin(editor, client):
    client.force_login(editor)
    response = submit(
        client, reverse("admin:tracker_feed_add"), {"url": "http://127.0.0.1\\@example.com/"}
    )
    assert response.status_code == 200
    assert "127.0.0.1 is not a public address" in response.content.decode()
    assert not Feed.objects.exists()
