"""What the charts draw, checked against geometry worked out by hand."""

import pytest

from tracker.public import charts

from . import factories as f


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
