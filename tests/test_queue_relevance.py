"""The review queue in order of relevance: the list, its next and previous keys
and `flags --json` walk the same order — most relevant first, flags never
scored (found with relevance off) after the rest, then best keyword score."""

import json
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.urls import reverse

from tracker import desk

from . import factories as f

QUEUE = reverse("admin:tracker_flag_changelist")


def review_url(flag):
    return reverse("admin:tracker_flag_change", args=[flag.pk])


def step(client, flag, way, view=""):
    response = client.get(reverse(f"admin:tracker_flag_{way}", args=[flag.pk]) + view)
    return response["Location"]


@pytest.fixture
def queue(db):
    """Flags of two debates, with their relevance and keyword score."""
    airspace = f.DebateFactory(slug="airspace", title="Airspace")
    other = f.DebateFactory(slug="other", title="Other")

    def flag(title, relevance, score, debate=airspace, **fields):
        item = f.CoverageItemFactory(title=title)
        found_by = "query" if score else "similarity"
        return f.FlagFactory(
            item=item, debate=debate, relevance=relevance, score=score, found_by=found_by, **fields
        )

    return {
        "keyword only": flag("Flagged before relevance was on", None, 12),
        "drones": flag("Drone wall on the eastern flank", 0.40, 9),
        "cable": flag("Baltic cable cut by a shadow-fleet tanker", 0.40, 0),
        "incursion": flag("Jets cross into Estonian airspace", 0.92, 2),
        "other": flag("A story for the other debate", 0.61, 1, debate=other),
        "dismissed": flag(
            "Dismissed already", 0.99, 5, status="dismissed", decided_at="2025-01-01T00:00Z"
        ),
    }


def listed(client, query=""):
    response = client.get(QUEUE + query)
    assert response.status_code == 200
    return [flag.item.title for flag in response.context["cl"].result_list]


@pytest.mark.django_db
def test_the_queue_lists_the_most_relevant_first_and_unscored_flags_last(editor, client, queue):
    client.force_login(editor)
    # The default view: unclaimed flags of every debate.
    assert listed(client) == [
        "Jets cross into Estonian airspace",
        "A story for the other debate",
        "Drone wall on the eastern flank",  # as relevant as the cable story, better score
        "Baltic cable cut by a shadow-fleet tanker",
        "Flagged before relevance was on",
    ]
    airspace = queue["incursion"].debate
    assert listed(client, f"?debate__id__exact={airspace.pk}") == [
        "Jets cross into Estonian airspace",
        "Drone wall on the eastern flank",
        "Baltic cable cut by a shadow-fleet tanker",
        "Flagged before relevance was on",
    ]


@pytest.mark.django_db
def test_next_and_previous_walk_the_same_order(editor, client, queue):
    client.force_login(editor)
    walk = ["incursion", "other", "drones", "cable", "keyword only"]
    for here, there in pairwise(walk):
        assert step(client, queue[here], "next") == review_url(queue[there])
        assert step(client, queue[there], "previous") == review_url(queue[here])
    assert step(client, queue["keyword only"], "next") == QUEUE  # the end of the queue
    assert step(client, queue["incursion"], "previous") == QUEUE


@pytest.mark.django_db
def test_next_in_one_debates_view_skips_the_other_debate(editor, client, queue):
    client.force_login(editor)
    view = f"?_changelist_filters=debate__id__exact%3D{queue['incursion'].debate_id}"
    assert step(client, queue["incursion"], "next", view) == review_url(queue["drones"]) + view


@pytest.mark.django_db
def test_a_flag_claimed_on_the_way_stays_on_the_editors_path(editor, client, queue):
    client.force_login(editor)
    desk.claim_flags(editor, [queue["drones"].pk])
    # Claimed, it leaves the unclaimed view, but j and k still pass through it.
    assert step(client, queue["other"], "next") == review_url(queue["drones"])
    assert step(client, queue["drones"], "next") == review_url(queue["cable"])
    assert step(client, queue["cable"], "previous") == review_url(queue["drones"])


@pytest.mark.django_db
def test_flags_json_prints_the_queue_in_the_same_order_with_relevance_and_how_found(queue):
    out = StringIO()
    call_command("flags", "--debate", "airspace", "--json", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(row["title"], row["relevance"], row["found_by"]) for row in rows] == [
        ("Dismissed already", 0.99, "query"),
        ("Jets cross into Estonian airspace", 0.92, "query"),
        ("Drone wall on the eastern flank", 0.40, "query"),
        ("Baltic cable cut by a shadow-fleet tanker", 0.40, "similarity"),
        ("Flagged before relevance was on", None, "query"),
    ]
    out = StringIO()
    call_command("flags", "--debate", "airspace", "--status", "new", "--json", stdout=out)
    titles = [json.loads(line)["title"] for line in out.getvalue().splitlines()]
    assert titles[0] == "Jets cross into Estonian airspace"
    assert len(titles) == 4
