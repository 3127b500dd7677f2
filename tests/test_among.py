"""`__among`: a long list of ids sent as one parameter, read as `__in` reads it."""

import pytest

from tracker.models import Evidence, Position

from . import factories as f


@pytest.mark.django_db
def test_among_finds_the_rows_whose_id_is_listed_and_no_other():
    first, second, third = (f.PositionFactory() for _ in range(3))
    chosen = Position.objects.filter(id__among=[first.id, third.id, 10**9])
    assert set(chosen) == {first, third}
    assert not Position.objects.filter(id__among=[]).exists()
    assert second not in Position.objects.filter(id__among=[first.id])


@pytest.mark.django_db
def test_among_reads_a_foreign_key_and_many_ids():
    positions = [f.PositionFactory() for _ in range(3)]
    evidence = [f.EvidenceFactory(position=position) for position in positions]
    # More ids than SQLite allows placeholders in older builds (999).
    ids = [positions[0].id, positions[2].id, *range(10**6, 10**6 + 5000)]
    found = Evidence.objects.filter(position_id__among=ids).order_by("id")
    assert list(found) == [evidence[0], evidence[2]]
