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
