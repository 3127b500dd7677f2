"""The review screen: one page per flag, where the desk reads, claims, gives back,
dismisses and goes on to accept. No field of a flag is edited by hand."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tracker import desk
from tracker.models import Flag

from . import factories as f
from .factories import UserFactory

QUEUE = reverse("admin:tracker_flag_changelist")


def review_url(flag):
    return reverse("admin:tracker_flag_change", args=[flag.pk])


def action_url(flag, action):
    return reverse(f"admin:tracker_flag_{action}", args=[flag.pk])


@pytest.fixture
def world(db):
    putin = f.ActorFactory(slug="vladimir-putin", name="Vladimir Putin", aliases=["Putin"])
    nato = f.ActorFactory(slug="nato", name="NATO")
    debate = f.DebateFactory(
        slug="airspace",
        title="NATO's answer to Russian airspace violations",
        low_label="conservative",
        high_label="more aggressive",
    )
    wire = f.OutletFactory(name="Example Wire")
    item = f.CoverageItemFactory(
        title="Allies weigh armed drones after Putin’s incursions",
        url="https://wire.example/allies-drones",
        outlet=wire,
        published_at=datetime.datetime(2025, 10, 9, 8, 30, tzinfo=datetime.UTC),
        summary="<p>WASHINGTON (Wire) — NATO allies push for a stronger response to Vladimir "
        "Putin, officials said. They may open ﬁre on drones.</p>",
    )
    f.CoverageItemFactory(
        title="Copy of the drones story",
        outlet=f.OutletFactory(name="Copy Daily"),
        duplicate_of=item,
        url="https://copy.example/drones",
    )
    flag = f.FlagFactory(
        item=item, debate=debate, score=7, matched_terms=["NATO", "fire*", "@vladimir-putin"],
        suggested_stance=1,
        stance_reasons=[{"cue": "push for", "direction": 1}, {"cue": "restraint", "direction": -1}],
    )  # fmt: skip
    flag.matched_actors.set([putin, nato])
    return flag


def colleague():
    user = UserFactory(username="second-editor")
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def state(flag):
    flag.refresh_from_db()
    return (
        flag.status,
        flag.assignee and flag.assignee.username,
        flag.score,
        flag.decided_at is not None,
        flag.note,
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# The raw change form of Django's admin, as it was rendered for a flag: every
# field it had, filled in the way that broke the queue.
def raw_form(flag, **changes):
    data = {
        "item": flag.item_id,
        "debate": flag.debate_id,
        "score": "7.0",
        "matched_terms": '["NATO", "fire*", "@vladimir-putin"]',
        "matched_actors": [a.pk for a in flag.matched_actors.all()],
        "suggested_stance": "1",
        "stance_reasons": "[]",
        "status": "new",
        "assignee": "",
        "note": "",
        "positions": [],
        "_save": "Save",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_a_raw_form_post_setting_accepted_changes_nothing_and_does_not_fail(
    editor, client, world
):
    client.force_login(editor)
    response = client.post(review_url(world), raw_form(world, status="accepted"))
    assert response.status_code in (302, 303)
    assert state(world) == ("new", None, 7.0, False, "")


@pytest.mark.django_db
def test_a_raw_form_post_cannot_hand_a_flag_to_a_colleague_or_change_its_score(
    publisher, client, world
):
    other = colleague()
    client.force_login(publisher)
    client.post(review_url(world), raw_form(world, status="claimed", assignee=other.pk, score="99"))
    assert state(world) == ("new", None, 7.0, False, "")
    assert not world.history.filter(history_user=publisher).exists()


@pytest.mark.django_db
def test_nobody_adds_a_flag_by_hand(superuser, client, world):
    client.force_login(superuser)
    assert client.get(reverse("admin:tracker_flag_add")).status_code == 403
