"""A shift told as a fact-checker tells a change of mind: a rating, the direction
and size of the move, and how solid the evidence is on each side."""

import datetime

import pytest

from tracker import desk
from tracker.models.shifts import describe_shift
from tracker.models.stance import rate_move

from . import factories as f

DAY = datetime.date(2025, 10, 9)


@pytest.mark.parametrize(
    "before, after, rating",
    [
        (-1, 1, "Full flop"),
        (2, -2, "Full flop"),
        (1, -1, "Full flop"),
        (0, 1, "Half flip"),
        (-2, 0, "Half flip"),
        (1, 2, "Firmed up"),
        (-1, -2, "Firmed up"),
        (2, 1, "Softened"),
        (-2, -1, "Softened"),
        (1, 1, ""),
        (None, 1, ""),
    ],
)
def test_a_move_on_the_scale_is_rated_by_where_it_starts_and_ends(before, after, rating):
    assert rate_move(before, after) == rating


@pytest.fixture
def airspace(db):
    return f.DebateFactory(title="Airspace", low_label="conservative", high_label="more aggressive")


def position(debate, actor, stance, days, *attributions, **fields):
    made = f.PositionFactory(
        debate=debate,
        actor=actor,
        stance=stance,
        stated_on=DAY + datetime.timedelta(days),
        **fields,
    )
    evidence = [f.EvidenceFactory(position=made, attribution=a) for a in attributions]
    return made, evidence


def told(before, after):
    return describe_shift(before[0], after[0], before[1], after[1])


def test_a_firming_up_on_the_record_both_times(airspace):
    france = f.CountryFactory(name="France", country="FR")
    before = position(airspace, france, 1, 0, "on_record")
    after = position(airspace, france, 2, 5, "on_record", "anonymous_officials")
    shift = told(before, after)
    assert shift.rating == "Firmed up"
    assert shift.sentence == (
        "Firmed up: France moved from +1 to +2 on Airspace, one step towards "
        "“more aggressive”; evidence: on the record both times."
    )


def test_a_full_flop_names_the_strongest_evidence_on_each_side(airspace):
    estonia = f.CountryFactory(name="Estonia")
    before = position(airspace, estonia, -1, 0, "anonymous_officials", "editor_inference")
    after = position(airspace, estonia, 1, 3, "editor_inference", "on_record")
    assert told(before, after).sentence == (
        "Full flop: Estonia moved from −1 to +1 on Airspace, two steps towards "
        "“more aggressive”; evidence: anonymous officials before, on the record after."
    )


def test_a_move_back_to_the_middle_with_no_evidence_after(airspace):
    poland = f.CountryFactory(name="Poland", country="PL")
    before = position(airspace, poland, 2, 0, "outlet_report")
    after = position(airspace, poland, 0, 1)
    assert told(before, after).sentence == (
        "Half flip: Poland moved from +2 to 0 on Airspace, two steps towards "
        "“conservative”; evidence: outlet's own report before, none published after."
    )


def test_a_softening_through_a_spokesperson(airspace):
    latvia = f.CountryFactory(name="Latvia", country="LV")
    before = position(airspace, latvia, -2, 0, "spokesperson")
    after = position(airspace, latvia, -1, 1, "spokesperson")
    assert told(before, after).sentence == (
        "Softened: Latvia moved from −2 to −1 on Airspace, one step towards "
        "“more aggressive”; evidence: through a spokesperson both times."
    )


def test_a_change_of_answer_on_a_proposal_is_rated_on_the_answer(airspace):
    drones = f.ProposalFactory(debate=airspace, title="Arm drones")
    estonia = f.CountryFactory(name="Estonia")
    opposed = position(airspace, estonia, None, 0, support="oppose", proposal=drones)
    supports = position(airspace, estonia, None, 2, "on_record", support="support", proposal=drones)
    assert told(opposed, supports).sentence == (
        "Full flop: Estonia moved from “Opposes” to “Supports” on Arm drones; "
        "evidence: none published before, on the record after."
    )
    with_conditions = position(
        airspace, estonia, None, 4, "on_record", support="conditional", proposal=drones
    )
    assert told(supports, with_conditions).rating == "Softened"
    assert told(with_conditions, supports).rating == "Firmed up"
    undecided = position(airspace, estonia, None, 6, support="undecided", proposal=drones)
    assert told(supports, undecided).rating == "Half flip"
    assert told(undecided, opposed).rating == "Half flip"


def test_a_stance_change_on_a_proposal_is_rated_on_the_scale(airspace):
    drones = f.ProposalFactory(debate=airspace, title="Arm drones")
    estonia = f.CountryFactory(name="Estonia")
    before = position(airspace, estonia, 1, 0, support="support", proposal=drones)
    after = position(airspace, estonia, 2, 1, support="support", proposal=drones)
    assert told(before, after).sentence == (
        "Firmed up: Estonia moved from +1 to +2 on Arm drones, one step towards "
        "“more aggressive”; evidence: none published either time."
    )


def test_no_move_is_no_shift(airspace):
    estonia = f.CountryFactory(name="Estonia")
    assert told(position(airspace, estonia, 1, 0), position(airspace, estonia, 1, 1)) is None


def test_the_desk_warns_of_a_shift_in_the_same_words(airspace):
    estonia = f.CountryFactory(name="Estonia")
    position(airspace, estonia, -1, 0, "on_record")
    draft, _ = position(
        airspace, estonia, 1, 3, "anonymous_officials", status="draft", published_at=None
    )
    assert desk.shift_description(draft) == (
        "Full flop: Estonia moved from −1 to +1 on Airspace, two steps towards "
        "“more aggressive”; evidence: on the record before, anonymous officials after."
    )
    unmoved, _ = position(airspace, estonia, -1, 4, status="draft", published_at=None)
    assert desk.shift_description(unmoved) == ""
