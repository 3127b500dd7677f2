"""Current positions, as-of dates, shifts and corroboration, on both databases."""

import datetime
from itertools import pairwise

import pytest
from django.utils import timezone

from tracker.models import Position
from tracker.models.positions import moved
from tracker.public.data import attach_evidence

from . import factories as f

OCT = datetime.date(2025, 10, 1)


def day(n):
    return OCT + datetime.timedelta(days=n)


def current_stances(debate, as_of=None):
    return {
        (p.actor.slug, p.proposal.slug if p.proposal else None): p.stance
        for p in Position.objects.current_positions(debate, as_of=as_of).select_related(
            "actor", "proposal"
        )
    }


@pytest.mark.django_db
def test_the_current_position_is_the_latest_published_one(debate, estonia):
    f.PositionFactory(debate=debate, actor=estonia, stance=-1, stated_on=day(0))
    f.PositionFactory(debate=debate, actor=estonia, stance=1, stated_on=day(8))
    f.PositionFactory(debate=debate, actor=estonia, stance=0, stated_on=day(4))
    assert current_stances(debate) == {("estonia", None): 1}


@pytest.mark.django_db
def test_drafts_and_retracted_positions_are_not_current(debate, estonia):
    f.PositionFactory(debate=debate, actor=estonia, stance=-1, stated_on=day(0))
    f.PositionFactory(debate=debate, actor=estonia, stance=2, stated_on=day(5), draft=True)
    f.PositionFactory(debate=debate, actor=estonia, stance=1, stated_on=day(3), retracted=True)
    assert current_stances(debate) == {("estonia", None): -1}


@pytest.mark.django_db
def test_as_of_a_date_gives_the_latest_stated_on_or_before_it(debate, estonia):
    f.PositionFactory(debate=debate, actor=estonia, stance=-1, stated_on=day(0))
    f.PositionFactory(debate=debate, actor=estonia, stance=1, stated_on=day(8))
    assert current_stances(debate, as_of=day(7)) == {("estonia", None): -1}
    assert current_stances(debate, as_of=day(8)) == {("estonia", None): 1}
    assert current_stances(debate, as_of=day(-1)) == {}


@pytest.mark.django_db
def test_the_same_day_is_decided_by_the_later_publication(debate, estonia):
    first = f.PositionFactory(debate=debate, actor=estonia, stance=-1, stated_on=day(0))
    second = f.PositionFactory(debate=debate, actor=estonia, stance=2, stated_on=day(0))
    assert second.published_at >= first.published_at
    assert current_stances(debate) == {("estonia", None): 2}


@pytest.mark.django_db
def test_current_positions_are_kept_per_proposal_and_per_actor(debate, estonia):
    drones = f.ProposalFactory(debate=debate, slug="drones")
    fire = f.ProposalFactory(debate=debate, slug="fire")
    poland = f.CountryFactory(slug="poland", country="PL")
    f.PositionFactory(debate=debate, actor=estonia, stance=1, stated_on=day(0))
    f.PositionFactory(
        debate=debate, actor=estonia, proposal=drones, support="support", stance=2, stated_on=day(1)
    )
    f.PositionFactory(
        debate=debate, actor=estonia, proposal=fire, support="oppose", stance=-1, stated_on=day(1)
    )
    f.PositionFactory(
        debate=debate,
        actor=estonia,
        proposal=fire,
        support="conditional",
        stance=0,
        stated_on=day(2),
    )
    f.PositionFactory(debate=debate, actor=poland, stance=2, stated_on=day(0))
    f.PositionFactory(actor=poland, stance=-2, stated_on=day(9))  # another debate
    assert current_stances(debate) == {
        ("estonia", None): 1,
        ("estonia", "drones"): 2,
        ("estonia", "fire"): 0,
        ("poland", None): 2,
    }


@pytest.mark.django_db
def test_an_actors_current_positions_span_debates(estonia):
    first, second = f.DebateFactory(), f.DebateFactory()
    f.PositionFactory(debate=first, actor=estonia, stance=-1, stated_on=day(0))
    f.PositionFactory(debate=first, actor=estonia, stance=2, stated_on=day(3))
    f.PositionFactory(debate=second, actor=estonia, stance=0, stated_on=day(1))
    stances = {p.debate_id: p.stance for p in estonia.current_positions()}
    assert stances == {first.id: 2, second.id: 0}
    assert {p.debate_id: p.stance for p in estonia.current_positions(as_of=day(2))} == {
        first.id: -1,
        second.id: 0,
    }


@pytest.mark.django_db
def test_shifts_pair_consecutive_published_positions_that_differ(debate, estonia):
    f.PositionFactory(debate=debate, actor=estonia, stance=-1, stated_on=day(0))
    f.PositionFactory(debate=debate, actor=estonia, stance=-1, stated_on=day(2))  # restated
    f.PositionFactory(
        debate=debate, actor=estonia, stance=2, stated_on=day(3), status="draft", published_at=None
    )
    moved = f.PositionFactory(debate=debate, actor=estonia, stance=1, stated_on=day(8))
    back = f.PositionFactory(debate=debate, actor=estonia, stance=0, stated_on=day(9))
    shifts = list(estonia.shifts().order_by("stated_on"))
    assert [(s.id, s.previous_stance, s.stance) for s in shifts] == [
        (moved.id, -1, 1),
        (back.id, 1, 0),
    ]
    assert shifts[0].previous_stated_on == day(2)


@pytest.mark.django_db
def test_shifts_do_not_cross_actors_debates_or_proposals(debate, estonia):
    proposal = f.ProposalFactory(debate=debate)
    poland = f.CountryFactory(slug="poland", country="PL")
    f.PositionFactory(debate=debate, actor=estonia, stance=-2, stated_on=day(0))
    f.PositionFactory(debate=debate, actor=poland, stance=2, stated_on=day(1))
    f.PositionFactory(
        debate=debate,
        actor=estonia,
        proposal=proposal,
        support="support",
        stance=2,
        stated_on=day(2),
    )
    f.PositionFactory(actor=estonia, stance=1, stated_on=day(3))
    assert not Position.objects.shifts().exists()


@pytest.mark.django_db
def test_a_change_of_support_on_a_proposal_is_a_shift(debate, estonia):
    proposal = f.ProposalFactory(debate=debate)
    f.PositionFactory(
        debate=debate,
        actor=estonia,
        proposal=proposal,
        support="oppose",
        stance=None,
        stated_on=day(0),
    )
    same = dict(debate=debate, actor=estonia, proposal=proposal, stance=None)
    f.PositionFactory(support="oppose", stated_on=day(1), **same)
    changed = f.PositionFactory(support="support", stated_on=day(2), **same)
    shifts = list(Position.objects.shifts())
    assert [(s.id, s.previous_support, s.support) for s in shifts] == [
        (changed.id, "oppose", "support")
    ]


@pytest.mark.django_db
def test_a_retracted_position_does_not_count_as_a_step(debate, estonia):
    f.PositionFactory(debate=debate, actor=estonia, stance=-1, stated_on=day(0))
    f.PositionFactory(debate=debate, actor=estonia, stance=2, stated_on=day(1), retracted=True)
    f.PositionFactory(debate=debate, actor=estonia, stance=-1, stated_on=day(2))
    assert not estonia.shifts().exists()


@pytest.mark.django_db
def test_corroboration_counts_distinct_outlets_and_syndicated_copies_once():
    position = f.PositionFactory()
    reuters, yahoo, ft, blog = (f.OutletFactory(name=n) for n in ("Reuters", "Yahoo", "FT", "Blog"))
    original = f.CoverageItemFactory(outlet=reuters)
    copy = f.CoverageItemFactory(outlet=yahoo, duplicate_of=original)
    citing_ft = f.CoverageItemFactory(outlet=blog)
    ft_story = f.CoverageItemFactory(outlet=ft)
    second_reuters_story = f.CoverageItemFactory(outlet=reuters)
    f.EvidenceFactory(position=position, item=original)
    f.EvidenceFactory(position=position, item=copy)  # syndicated: Reuters again
    f.EvidenceFactory(position=position, item=second_reuters_story)  # same outlet
    f.EvidenceFactory(position=position, item=citing_ft, cited_outlet=ft)  # the FT's reporting
    f.EvidenceFactory(position=position, item=ft_story)  # the FT itself
    f.EvidenceFactory(
        position=position, item=f.CoverageItemFactory(), attribution="editor_inference"
    )
    assert position.corroboration_count == 2
    annotated = Position.objects.with_corroboration().get(pk=position.pk)
    assert annotated.corroboration == 2
    # The same count from the evidence in hand, as the public pages read it.
    (in_hand,) = attach_evidence([Position.objects.get(pk=position.pk)])
    assert in_hand.corroboration_total == 2


@pytest.mark.django_db
def test_corroboration_of_a_position_without_evidence_is_zero():
    position = f.PositionFactory()
    assert position.corroboration_count == 0


@pytest.mark.django_db
def test_public_positions_never_include_drafts(debate):
    f.PositionFactory(debate=debate, draft=True)
    published = f.PositionFactory(debate=debate)
    retracted = f.PositionFactory(debate=debate, retracted=True)
    assert set(Position.objects.public()) == {published, retracted}
    assert set(Position.objects.published()) == {published}


def read_in_hand(positions):
    """Current ids and (shift id, previous id) pairs from runs(), as a page reads them."""
    runs = positions.runs().values()
    current = {run[-1].id for run in runs}
    shifts = {(b.id, a.id) for run in runs for a, b in pairwise(run) if moved(a, b)}
    return current, shifts


def read_by_queries(positions, debate, as_of):
    current = set(positions.current_positions(debate, as_of).values_list("id", flat=True))
    shifts = set(positions.filter(debate=debate).shifts(as_of).values_list("id", "previous_id"))
    return current, shifts


@pytest.mark.django_db
def test_runs_in_hand_give_the_current_positions_and_shifts_the_queries_give(debate, estonia):
    poland = f.CountryFactory(slug="poland", country="PL")
    proposal = f.ProposalFactory(debate=debate)

    def position(actor, stance, on, **fields):
        return f.PositionFactory(
            debate=debate, actor=actor, stance=stance, stated_on=day(on), **fields
        )

    position(estonia, -1, 0)
    restated = position(estonia, -1, 2)
    position(estonia, 2, 3, draft=True)
    position(estonia, 2, 3, retracted=True)
    known = position(estonia, 1, 5)
    noon = timezone.now()
    # The same day: the later publication follows, whichever row was written first.
    later = position(estonia, 0, 6, published_at=noon + datetime.timedelta(hours=1))
    earlier = position(estonia, 2, 6, published_at=noon)
    poland_first = position(poland, 2, 1)
    poland_again = position(poland, 2, 7)
    answer = dict(debate=debate, actor=estonia, proposal=proposal)
    f.PositionFactory(support="oppose", stance=-1, stated_on=day(0), **answer)
    still = f.PositionFactory(support="oppose", stance=None, stated_on=day(1), **answer)
    supports = f.PositionFactory(support="support", stance=None, stated_on=day(2), **answer)
    # An unknown stance is no evidence of a shift, to it or from it.
    firm = f.PositionFactory(support="support", stance=2, stated_on=day(5), **answer)
    f.PositionFactory(actor=estonia, stance=-2, stated_on=day(4))  # another debate

    today = (
        {later.id, poland_again.id, firm.id},
        {(known.id, restated.id), (earlier.id, known.id), (later.id, earlier.id)}
        | {(supports.id, still.id)},
    )
    on_day_four = ({restated.id, poland_first.id, supports.id}, {(supports.id, still.id)})
    for as_of, expected in ((None, today), (day(4), on_day_four)):
        published = Position.objects.public().filter(debate=debate)
        if as_of:
            published = published.filter(stated_on__lte=as_of)
        assert read_in_hand(published) == expected, as_of
        assert read_by_queries(Position.objects.public(), debate, as_of) == expected, as_of
