"""What the desk sees of a flag's relevance: the figure, its band and why, on
the queue list and on the review screen."""

import pytest
from django.urls import reverse

from tracker.relevance.explain import band, percent

from . import factories as f

QUEUE = reverse("admin:tracker_flag_changelist")


@pytest.mark.parametrize(
    "value, figure, word",
    [
        (0.9991, ">99 %", "very likely"),
        (0.724, "72 %", "very likely"),
        (0.4, "40 %", "likely"),
        (0.151, "15 %", "possible"),
        (0.04, "4 %", "unlikely"),
        (0.004, "<1 %", "unlikely"),
        (None, "", ""),
    ],
)
def test_a_relevance_reads_as_a_percentage_and_a_band(value, figure, word):
    assert percent(value) == figure
    assert band(value) == word


@pytest.fixture
def flags(db):
    debate = f.DebateFactory(slug="airspace", title="NATO's answer to Russian airspace violations")
    accepted = f.CoverageItemFactory(title="Poland scrambles jets after drones cross its border")
    similar = f.FlagFactory(
        debate=debate,
        item=f.CoverageItemFactory(title="Alliance weighs shooting down unmanned aircraft"),
        found_by="similarity",
        score=0,
        relevance=0.724,
        reason={
            "nearest": "article",
            "item_id": accepted.id,
            "title": accepted.title,
            "similarity": 0.812,
            "terms": ["airspace", "drones", "allies"],
            "query_share": 0.5,
        },
    )
    passage = f.FlagFactory(
        debate=debate,
        item=f.CoverageItemFactory(title="Estonia asks for more air policing"),
        score=3,
        relevance=0.151,
        reason={
            "nearest": "debate",
            "passage": "Loosen pilots' rules of engagement",
            "similarity": 0.4,
            "terms": [],
            "query_share": 1.0,
        },
    )
    unscored = f.FlagFactory(
        debate=debate, item=f.CoverageItemFactory(title="Before relevance was on"), score=5
    )
    return accepted, similar, passage, unscored


def cell(page, marker):
    """The text of the relevance cell in the row that contains marker."""
    row = page[page.index(marker) :]
    row = row[: row.index("</tr>")]
    start = row.index('class="field-relevant"')
    return row[start : row.index("</td>", start)]


@pytest.mark.django_db
def test_the_queue_shows_each_flags_figure_band_and_why(editor, client, flags):
    client.force_login(editor)
    page = client.get(QUEUE).content.decode()
    similar_cell = cell(page, "Alliance weighs shooting down unmanned aircraft")
    assert "<strong>72 %</strong>" in similar_cell and "very likely" in similar_cell
    assert "similarity · no query match" in similar_cell
    assert "like “Poland scrambles jets after drones cross its border”" in page
    assert "words: airspace, drones, allies" in page
    passage_cell = cell(page, "Estonia asks for more air policing")
    assert "<strong>15 %</strong>" in passage_cell and "possible" in passage_cell
    assert "watch query · query score 3" in passage_cell
    assert "–" in cell(page, "Before relevance was on")


@pytest.mark.django_db
def test_the_review_screen_explains_the_relevance(editor, client, flags):
    accepted, similar, passage, unscored = flags
    client.force_login(editor)
    page = client.get(reverse("admin:tracker_flag_change", args=[similar.pk])).content.decode()
    assert "<strong>72 %</strong> · very likely, found by similarity" in page
    link = reverse("admin:tracker_coverageitem_change", args=[accepted.pk])
    assert f'<a href="{link}">{accepted.title}</a> (similarity 0.81)' in page
    assert "<code>airspace</code> <code>drones</code> <code>allies</code>" in page
    assert "Watch query: 50 % of its parts" in page

    page = client.get(reverse("admin:tracker_flag_change", args=[passage.pk])).content.decode()
    assert "Closest to the debate’s own words: “Loosen pilots&#x27; rules of engagement”" in page
    assert "The debate’s words it uses: none" in page
    assert "Watch query: 100 % of its parts" in page

    page = client.get(reverse("admin:tracker_flag_change", args=[unscored.pk])).content.decode()
    assert "not scored (relevance was off when it was flagged)" in page
