"""A batch whose transaction fails leaves nothing behind, in the database or in
the pipeline a worker keeps between batches: when the batch comes again (the
fetch retried after a database restart), every item is stored and flagged.

Found by test_fault_postgres: the pipeline's index of recent originals kept
the failed batch's items, so the retry took each item for a copy of itself,
stored it, and flagged none."""

import pytest

from tracker.ingest.parse import ParsedEntry
from tracker.ingest.pipeline import Pipeline
from tracker.models import Actor, CoverageItem, Flag

STORIES = [
    ("Kremlin drones cross NATO airspace over Estonia", "Tallinn asks allies to shoot them down."),
    (
        "NATO weighs armed drones after Kremlin incursions",
        "Ministers meet in Brussels on Thursday.",
    ),
    ("Poland scrambles jets as Kremlin drones stray", "Warsaw says NATO air policing held firm."),
]
ENTRIES = [
    ParsedEntry(title=title, link=f"https://test.example/{n}", summary=summary)
    for n, (title, summary) in enumerate(STORIES)
]


@pytest.mark.django_db(transaction=True)
def test_a_batch_retried_after_its_transaction_failed_is_stored_and_flagged(watched):
    pipeline = Pipeline()
    russia = Actor.objects.get(slug="russia")
    fields = {f: getattr(russia, f) for f in ("id", "kind", "slug", "name", "aliases")}
    # The flags name the actor the query matched; with it gone, the batch's
    # commit fails on its foreign key, after items and flags were written.
    russia.delete()
    with pytest.raises(Exception, match="(?i)foreign key"):
        pipeline.ingest(ENTRIES)
    assert CoverageItem.objects.count() == 0
    Actor.objects.create(**fields)
    summary = pipeline.ingest(ENTRIES)
    assert summary.items_new == 3
    assert summary.items_near_duplicate == 0
    assert CoverageItem.objects.filter(duplicate_of=None).count() == 3
    assert Flag.objects.count() == 3
