"""The field tracker tells what a position holds in the database, so that saving
can refuse to change a published stance in place."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tracker.models import Position

from . import factories as f


def stored_row(position):
    return {
        "status": "published",
        "actor_id": position.actor_id,
        "debate_id": position.debate_id,
        "proposal_id": None,
        "stance": 1,
        "support": "",
        "stated_on": datetime.date(2025, 10, 9),
    }


@pytest.mark.django_db
def test_a_loaded_position_knows_its_stored_fields_without_a_query(
    django_assert_num_queries,
):
    position = Position.objects.get(pk=f.PositionFactory().pk)
    position.stance = 2
    with django_assert_num_queries(0):
        assert position.stored.values() == stored_row(position)
        assert position.stored.changed() == ["stance"]


@pytest.mark.django_db
def test_after_a_save_the_saved_values_are_the_stored_ones(django_assert_num_queries):
    position = f.PositionFactory(status="draft", published_at=None)
    position.stance = -2
    position.save()
    with django_assert_num_queries(0):
        assert position.stored.values()["stance"] == -2
        assert position.stored.changed() == []


@pytest.mark.django_db
def test_a_save_of_some_fields_remembers_only_those(django_assert_num_queries):
    position = Position.objects.get(pk=f.PositionFactory(status="draft", published_at=None).pk)
    position.stance = -1
    position.summary = "Changed."
    position.save(update_fields=["summary", "version", "updated_at"])
    position.stance = 2
    position.save(update_fields=["stance"])
    with django_assert_num_queries(0):
        assert position.stored.values()["stance"] == 2


@pytest.mark.django_db
def test_a_copy_with_its_pk_cleared_is_a_new_row_with_nothing_stored(django_assert_num_queries):
    copy = Position.objects.get(pk=f.PositionFactory().pk)
    copy.pk = copy.id = None
    copy._state.adding = True
    copy.stance = 2
    with django_assert_num_queries(0):
        assert copy.stored.values() == {}
        assert copy.stored.changed() == []


@pytest.mark.django_db
def test_a_position_built_for_a_stored_row_reads_the_row(django_assert_num_queries):
    original = f.PositionFactory()
    built = Position(
        pk=original.pk,
        actor=original.actor,
        debate=original.debate,
        stance=-2,
        summary="An old version being reverted to.",
        stated_on=original.stated_on,
        status="published",
        published_at=original.published_at,
    )
    with django_assert_num_queries(1):
        stored = built.stored
        assert stored.values() == stored_row(original)
        assert stored.changed() == ["stance"]
    with pytest.raises(ValidationError):
        built.save()
    assert Position.objects.get(pk=original.pk).stance == 1


@pytest.mark.django_db
def test_a_position_loaded_with_deferred_fields_reads_the_row(django_assert_num_queries):
    original = f.PositionFactory()
    partial = Position.objects.only("id", "summary").get(pk=original.pk)
    with django_assert_num_queries(1):
        assert partial.stored.values() == stored_row(original)


@pytest.mark.django_db
def test_a_refreshed_position_forgets_what_it_had_loaded():
    draft = Position.objects.get(pk=f.PositionFactory(status="draft", published_at=None).pk)
    Position.objects.filter(pk=draft.pk).update(status="published", published_at=draft.created_at)
    draft.refresh_from_db()
    draft.stance = -2
    assert draft.stored.values()["status"] == "published"
    with pytest.raises(ValidationError):
        draft.save()
