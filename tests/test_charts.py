"""What the charts draw, checked against geometry worked out by hand."""

import datetime

import pytest

from tracker.public import charts

from . import factories as f

DAY = datetime.date(2025, 10, 9)

# charts.timeline's default frame: 560 by 150, plotting between x 44 and 544,
# y 14 (+2) and 126 (−2), so the stances sit at y 126, 98, 70, 42 and 14.
LEFT, RIGHT, MIDDLE = 44.0, 544.0, 294.0
Y = {-2: 126.0, -1: 98.0, 0: 70.0, 1: 42.0, 2: 14.0}


def positions(*rows):
    debate = f.DebateFactory.build()
    actor = f.ActorFactory.build()
    return [
        f.PositionFactory.build(debate=debate, actor=actor, stance=stance, stated_on=day)
        for day, stance in rows
    ]


def test_two_positions_on_the_same_day_stand_on_one_date_in_the_middle():
    chart = charts.timeline(positions((DAY, -1), (DAY, 1)))
    assert [(x, y) for x, y, _, _ in chart.points] == [(MIDDLE, Y[-1]), (MIDDLE, Y[1])]
    assert chart.path == "M294.0 98.0 V42.0"
    assert chart.ticks == [(MIDDLE, "9 Oct 2025", "middle")]


def test_one_position_stands_in_the_middle_under_its_date():
    chart = charts.timeline(positions((DAY, 2)))
    assert [(x, y) for x, y, _, _ in chart.points] == [(MIDDLE, Y[2])]
    assert chart.path == "M294.0 14.0"
    assert chart.ticks == [(MIDDLE, "9 Oct 2025", "middle")]


def test_positions_over_months_run_edge_to_edge_under_month_labels():
    chart = charts.timeline(
        positions(
            (datetime.date(2025, 9, 1), -2),
            (datetime.date(2025, 10, 16), 0),
            (datetime.date(2026, 1, 1), 2),
        )
    )
    # 1 Sep 2025 → 1 Jan 2026 is 122 days; 16 Oct is day 45: 44 + 45 * 500 / 122.
    assert [round(x, 1) for x, _, _, _ in chart.points] == [LEFT, 228.4, RIGHT]
    assert chart.path == "M44.0 126.0 H228.4 V70.0 H544.0 V14.0"
    assert chart.ticks == [(LEFT, "Sep 2025", "start"), (RIGHT, "Jan 2026", "end")]


def test_positions_within_weeks_are_labelled_by_day():
    chart = charts.timeline(positions((datetime.date(2025, 10, 1), 1), (DAY, 2)))
    assert [x for x, _, _, _ in chart.points] == [LEFT, RIGHT]
    assert chart.ticks == [(LEFT, "1 Oct 2025", "start"), (RIGHT, "9 Oct 2025", "end")]


def test_a_same_day_change_between_other_dates_is_a_step_at_that_date():
    chart = charts.timeline(positions((datetime.date(2025, 9, 29), 0), (DAY, -1), (DAY, 1)))
    # 29 Sep → 9 Oct is 10 days: both 9 Oct positions stand at the right edge.
    assert [(x, y) for x, y, _, _ in chart.points] == [
        (LEFT, Y[0]),
        (RIGHT, Y[-1]),
        (RIGHT, Y[1]),
    ]
    assert chart.path == "M44.0 70.0 H544.0 V98.0 V42.0"


@pytest.mark.django_db
def test_the_spectrum_groups_actors_by_stance_low_pole_first_names_in_order():
    debate = f.DebateFactory(low_label="conservative", high_label="more aggressive")
    rows = [("Zeta", 1), ("Alpha", 1), ("A very long name for a group of unnamed allies", -2)]
    shown = [
        f.PositionFactory(debate=debate, actor=f.ActorFactory(name=name), stance=stance)
        for name, stance in rows
    ]
    chart = charts.spectrum(shown, debate)
    assert [(g.stance_text, g.words, [d.name for d in g.dots]) for g in chart.groups] == [
        ("−2", "strongly conservative", ["A very long name for a group of unnamed allies"]),
        ("−1", "leaning conservative", []),
        ("0", "between conservative and more aggressive", []),
        ("+1", "leaning more aggressive", ["Alpha", "Zeta"]),
        ("+2", "strongly more aggressive", []),
    ]
