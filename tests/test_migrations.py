"""Data migrations, run on rows stored the way the previous schema stored them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("tracker", "0021_evidence_url_on_the_web")]
AFTER = [("tracker", "0022_flag_stance_faces_the_poles")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_stored_suggestions_are_turned_to_face_each_debates_poles():
    apps = _migrate(BEFORE)
    Debate, Flag = apps.get_model("tracker", "Debate"), apps.get_model("tracker", "Flag")
    Item = apps.get_model("tracker", "CoverageItem")
    address = "https://news.example/1"
    item = Item.objects.create(url=address, canonical_url=address, title="Allies push for more")
    lexicon_reading = {
        "suggested_stance": 2,
        "stance_reasons": [{"cue": "push for", "direction": 1}],
    }
    flags = {}
    for slug, low, high in [
        ("facing", "conservative", "more aggressive"),
        ("reversed", "more aggressive", "conservative"),
        ("trade", "protectionist", "free trade"),
    ]:
        debate = Debate.objects.create(
            slug=slug, title=slug, question="?", low_label=low, high_label=high
        )
        flags[slug] = Flag.objects.create(item=item, debate=debate, **lexicon_reading).pk
    try:
        apps = _migrate(AFTER)
        Flag = apps.get_model("tracker", "Flag")
        stored = {
            slug: Flag.objects.values_list("suggested_stance", "stance_reasons").get(pk=pk)
            for slug, pk in flags.items()
        }
        assert stored == {
            "facing": (2, [{"cue": "push for", "direction": 1}]),
            "reversed": (-2, [{"cue": "push for", "direction": -1}]),
            "trade": (None, []),
        }
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_undated_memberships_entered_twice_are_kept_once_when_the_constraint_arrives():
    apps = _migrate([("tracker", "0022_flag_stance_faces_the_poles")])
    Actor, Membership = apps.get_model("tracker", "Actor"), apps.get_model("tracker", "Membership")
    estonia = Actor.objects.create(slug="estonia", name="Estonia", kind="country", country="EE")
    nato = Actor.objects.create(slug="nato", name="NATO", kind="organization")
    eu = Actor.objects.create(slug="eu", name="EU", kind="bloc")
    for organization in (nato, nato, eu):
        Membership.objects.create(member=estonia, organization=organization)
    try:
        apps = _migrate([("tracker", "0023_membership_unique_without_dates")])
        Membership = apps.get_model("tracker", "Membership")
        kept = Membership.objects.values_list("organization__slug", flat=True)
        assert sorted(kept) == ["eu", "nato"]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_post_typed_twice_in_another_spacing_or_case_is_kept_once_single_spaced():
    apps = _migrate([("tracker", "0022_flag_stance_faces_the_poles")])
    Actor, Membership = apps.get_model("tracker", "Actor"), apps.get_model("tracker", "Membership")
    kallas = Actor.objects.create(slug="kallas", name="Kaja Kallas", kind="official")
    eu = Actor.objects.create(slug="eu", name="EU", kind="organization")
    for role in ("High  Representative", "high representative", "Vice-President"):
        Membership.objects.create(member=kallas, organization=eu, role=role)
    try:
        apps = _migrate([("tracker", "0023_membership_unique_without_dates")])
        Membership = apps.get_model("tracker", "Membership")
        assert sorted(Membership.objects.values_list("role", flat=True)) == [
            "High Representative",
            "Vice-President",
        ]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
