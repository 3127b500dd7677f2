"""Rows read for printing (data.printable): instances of the model with the
fields asked for and their related rows attached, as select_related() gives."""

import pytest

from tests.factories import CoverageItemFactory, EvidenceFactory, OutletFactory
from tracker.models import Evidence
from tracker.public.data import printable

pytestmark = pytest.mark.django_db

FIELDS = ["position_id", "quote", "attribution", "cited_outlet__name", "item__url",
          "item__title", "item__outlet__name"]  # fmt: skip


def test_related_rows_are_attached_and_an_empty_key_is_none(django_assert_num_queries):
    wire = OutletFactory(name="Example Wire")
    ft = OutletFactory(name="Financial Times")
    story = CoverageItemFactory(url="https://wire.example/a", title="Jets scrambled", outlet=wire)
    cited = EvidenceFactory(
        item=story, cited_outlet=ft, attribution="anonymous_officials", source_count=4,
        source_affiliation="NATO officials", quote="",
    )  # fmt: skip
    bare = EvidenceFactory(item=None, url="https://gov.example/statement", quote="No.")

    with django_assert_num_queries(1):
        rows = printable(Evidence.objects.filter(id__in=[cited.id, bare.id]).order_by("id"), FIELDS)
        first, second = rows
        assert isinstance(first, Evidence)
        assert first.item.title == "Jets scrambled"
        assert first.item.url == "https://wire.example/a"
        assert first.item_id == story.id
        assert first.item.outlet.name == "Example Wire"
        assert first.cited_outlet.name == "Financial Times"
        assert first.get_attribution_display() == "Anonymous officials"
        assert second.item is None
        assert second.item_id is None
        assert second.cited_outlet is None
        assert second.quote == "No."

    # A field not asked for is read when touched, as with only().
    with django_assert_num_queries(1):
        assert first.source_count == 4


def test_a_related_row_read_on_several_rows_is_one_instance(django_assert_num_queries):
    wire = OutletFactory(name="Example Wire")
    stories = [CoverageItemFactory(outlet=wire) for _ in range(2)]
    pieces = [EvidenceFactory(item=story) for story in (*stories, stories[0])]
    with django_assert_num_queries(1):
        rows = printable(
            Evidence.objects.filter(id__in=[p.id for p in pieces]).order_by("id"), FIELDS
        )
        assert rows[0].item is rows[2].item  # the same story, built once
        assert rows[0].item is not rows[1].item
        assert rows[0].item.outlet is rows[1].item.outlet  # one outlet behind both
        assert rows[1].item.outlet.name == "Example Wire"
