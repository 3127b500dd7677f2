"""Every change is on record: who, when, what — bulk actions included; only
publishers revert."""

import pytest
from django.urls import reverse

from tracker import desk
from tracker.models import Actor, Flag, Position

from . import factories as f
from .test_publishing import change_form


@pytest.mark.django_db
def test_a_position_history_shows_the_editor_and_the_publisher(editor, publisher, client):
    actor, debate = f.ActorFactory(), f.DebateFactory()
    client.force_login(editor)
    client.post(
        reverse("admin:tracker_position_add"),
        {
            "actor": actor.pk, "debate": debate.pk, "proposal": "", "stance": "1", "support": "",
            "stated_on": "2025-10-09", "summary": "Wants more.", "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    position = Position.objects.get()
    client.force_login(publisher)
    client.post(reverse("admin:tracker_position_publish", args=[position.pk]))
    records = list(position.history.order_by("history_date"))
    assert [(r.history_type, r.status, r.history_user) for r in records] == [
        ("+", "draft", editor),
        ("~", "published", publisher),
    ]
    page = client.get(
        reverse("admin:tracker_position_history", args=[position.pk])
    ).content.decode()
    assert "editor-user" in page and "publisher-user" in page


@pytest.mark.django_db
def test_bulk_flag_decisions_are_on_record(editor, client):
    flags = [f.FlagFactory() for _ in range(3)]
    client.force_login(editor)
    client.post(
        reverse("admin:tracker_flag_changelist"),
        {"action": "claim", "_selected_action": [flag.pk for flag in flags]},
    )
    desk.dismiss_flags(editor, [flags[0].pk], "Off topic")
    for flag in flags:
        claimed = flag.history.filter(status="claimed").get()
        assert claimed.history_user == editor and claimed.history_change_reason == "claimed"
    dismissed = Flag.history.get(id=flags[0].pk, status="dismissed")
    assert dismissed.history_change_reason == "dismissed: Off topic"


@pytest.mark.django_db
def test_only_a_publisher_can_revert(editor, publisher, client):
    actor = f.ActorFactory(name="Original", slug="someone")
    actor.name = "Vandalised"
    actor.save()
    first = actor.history.order_by("history_date").first()
    url = reverse("admin:tracker_actor_simple_history", args=[actor.pk, first.history_id])
    form = {"kind": actor.kind, "name": "Original", "slug": "someone", "country": "", "aliases": "",
            "wikidata_id": "", "description": "", "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0"}  # fmt: skip
    client.force_login(editor)
    assert client.get(url).status_code == 200  # editors may look
    assert client.post(url, form).status_code == 403
    assert Actor.objects.get(pk=actor.pk).name == "Vandalised"
    client.force_login(publisher)
    assert client.post(url, form).status_code == 302
    assert Actor.objects.get(pk=actor.pk).name == "Original"
    assert actor.history.count() == 3


@pytest.mark.django_db
def test_reverting_cannot_rewrite_a_published_stance(publisher, client):
    position = f.PositionFactory(stance=1, status="draft", published_at=None)
    position.stance = -1
    position.save()
    position.publish(publisher)
    first = position.history.order_by("history_date").first()
    client.force_login(publisher)
    response = client.post(
        reverse("admin:tracker_position_simple_history", args=[position.pk, first.history_id]),
        change_form(position, stance="1"),
    )
    assert response.status_code in (200, 302)
    position.refresh_from_db()
    assert position.stance == -1 and position.status == "published"
