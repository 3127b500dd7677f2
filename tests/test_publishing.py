"""Only publishers publish and retract; a published stance never changes in place."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tracker import desk
from tracker.models import Position

from . import factories as f
from .forms import change_form

DAY = datetime.date(2025, 10, 9)


def draft(**fields):
    return f.ready_draft(**fields)


def drafted_shift(before, after, days):
    """Estonia's published stance, and a draft `days` later that moves it."""
    estonia = f.CountryFactory(slug="estonia", name="Estonia")
    debate = f.DebateFactory()
    f.PositionFactory(actor=estonia, debate=debate, stance=before, stated_on=DAY)
    later = DAY + datetime.timedelta(days=days)
    return draft(actor=estonia, debate=debate, stance=after, stated_on=later)


@pytest.mark.django_db
def test_an_editor_cannot_publish_by_any_route(editor, client):
    position = draft()
    client.force_login(editor)
    assert (
        client.get(reverse("admin:tracker_position_publish", args=[position.pk])).status_code == 403
    )
    assert (
        client.post(reverse("admin:tracker_position_publish", args=[position.pk])).status_code
        == 403
    )
    client.post(
        reverse("admin:tracker_position_changelist"),
        {"action": "publish_selected", "_selected_action": [position.pk]},
    )
    client.post(
        reverse("admin:tracker_position_change", args=[position.pk]),
        change_form(position, status="published", published_at="2025-10-09 10:00"),
    )
    position.refresh_from_db()
    assert position.status == Position.Status.DRAFT
    assert position.published_at is None
    changelist = client.get(reverse("admin:tracker_position_changelist")).content.decode()
    assert "publish_selected" not in changelist


@pytest.mark.django_db
def test_a_publisher_publishes_in_bulk_and_sees_the_shifts(publisher, client):
    moved = drafted_shift(-1, 1, days=3)
    fresh = draft(debate=moved.debate)
    client.force_login(publisher)
    response = client.post(
        reverse("admin:tracker_position_changelist"),
        {"action": "publish_selected", "_selected_action": [moved.pk, fresh.pk], "post": "yes"},
        follow=True,
    )
    page = response.content.decode()
    assert "a shift: Full flop: Estonia moved from −1 to +1 on " in page
    assert "2 positions published." in page
    assert Position.objects.filter(status="published").count() == 3


@pytest.mark.django_db
def test_the_publish_page_warns_of_a_shift_before_publishing(publisher, client):
    moved = drafted_shift(-2, 2, days=1)
    client.force_login(publisher)
    page = client.get(reverse("admin:tracker_position_publish", args=[moved.pk])).content.decode()
    assert "This publication is a shift:" in page and "Estonia moved from −2 to +2" in page
    assert ".." not in page.replace("...", "")  # the sentence ends once


@pytest.mark.django_db
def test_every_shift_sentence_in_the_panel_ends_with_one_full_stop(publisher, client):
    moved = drafted_shift(-2, 2, days=1)
    client.force_login(publisher)
    bulk = client.post(
        reverse("admin:tracker_position_changelist"),
        {"action": "publish_selected", "_selected_action": [moved.pk]},
    ).content.decode()
    published = client.post(
        reverse("admin:tracker_position_publish", args=[moved.pk]), {"post": "yes"}, follow=True
    ).content.decode()
    for page in (bulk, published):
        assert "Estonia moved from −2 to +2" in page
        assert "after.." not in page and "time.." not in page


@pytest.mark.django_db
def test_a_published_stance_cannot_be_edited_in_place(publisher, client):
    position = f.PositionFactory(stance=1)
    client.force_login(publisher)
    client.post(
        reverse("admin:tracker_position_change", args=[position.pk]),
        change_form(position, stance="-2", summary="Typo fixed"),
    )
    position.refresh_from_db()
    assert position.stance == 1
    assert position.summary == "Wants a firmer answer."  # wording is corrected by a correction
    position.stance = -2
    with pytest.raises(ValidationError, match="cannot change its stance"):
        position.save()


@pytest.mark.django_db
def test_retracting_keeps_the_record_with_a_reason(publisher, editor, client):
    position = f.PositionFactory()
    url = reverse("admin:tracker_position_retract", args=[position.pk])
    client.force_login(editor)
    assert client.post(url, {"reason": "no"}).status_code == 403
    client.force_login(publisher)
    assert client.post(url, {"reason": ""}).status_code == 200  # the form asks for a reason
    client.post(url, {"reason": "The quote was from another official."})
    position.refresh_from_db()
    assert position.status == Position.Status.RETRACTED
    assert position.retracted_by == publisher
    assert position.retraction_reason == "The quote was from another official."
    assert Position.objects.filter(pk=position.pk).exists()


def test_only_drafts_publish_and_only_published_positions_retract(db):
    position = f.PositionFactory()
    with pytest.raises(ValidationError):
        desk.publish(position, None)
    draft_position = draft()
    with pytest.raises(ValidationError):
        desk.retract(draft_position, None, "why")


@pytest.mark.django_db
def test_a_copy_of_a_published_position_saves_as_a_new_draft(publisher):
    original = f.PositionFactory(stance=1, summary="Backed the initiative.")
    copy = Position.objects.get(pk=original.pk)
    copy.pk = None
    copy.id = None
    copy._state.adding = True
    copy.status = Position.Status.DRAFT
    copy.published_at = None
    copy.stance = 2
    copy.stated_on = DAY + datetime.timedelta(days=7)
    copy.full_clean()
    copy.save()

    assert copy.pk != original.pk
    assert Position.objects.count() == 2
    stored = Position.objects.get(pk=copy.pk)
    assert (stored.status, stored.stance, stored.published_at) == ("draft", 2, None)
    assert stored.stated_on == datetime.date(2025, 10, 16)
    original = Position.objects.get(pk=original.pk)
    assert (original.status, original.stance) == ("published", 1)
    f.EvidenceFactory(position=stored)
    desk.publish(stored, publisher)
    assert Position.objects.get(pk=copy.pk).status == "published"


@pytest.mark.django_db
def test_a_copy_of_a_retracted_position_saves_as_a_new_draft(publisher):
    original = f.PositionFactory()
    desk.retract(original, publisher, "Wrong date.")
    copy = Position.objects.get(pk=original.pk)
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.status = Position.Status.DRAFT
    copy.published_at = copy.retracted_at = None
    copy.retraction_reason = ""
    copy.save()
    assert Position.objects.get(pk=copy.pk).status == "draft"
    assert Position.objects.get(pk=original.pk).status == "retracted"
