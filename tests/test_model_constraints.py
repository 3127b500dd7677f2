"""Every rule of the domain is enforced by the database, not only by forms."""

import datetime

import pytest
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from tracker.models import Actor, CoverageItem, Debate, Evidence, Feed, Flag, Membership, Position

from . import factories as f

DAY = datetime.date(2025, 10, 9)


def debate_position(**overrides):
    if "actor" not in overrides:
        overrides["actor"] = f.ActorFactory()
    if "debate" not in overrides:
        overrides["debate"] = f.DebateFactory()
    fields = dict(
        stance=1,
        summary="s",
        stated_on=DAY,
        status="draft",
    )
    fields.update(overrides)
    return Position(**fields)


def proposal_position(**overrides):
    proposal = f.ProposalFactory()
    fields = dict(debate=proposal.debate, proposal=proposal, support="support")
    fields.update(overrides)
    return debate_position(**fields)


def flag(**overrides):
    if "item" not in overrides:
        overrides["item"] = f.CoverageItemFactory()
    if "debate" not in overrides:
        overrides["debate"] = f.DebateFactory()
    return Flag(**{"score": 1, **overrides})


def evidence(**overrides):
    if "position" not in overrides:
        overrides["position"] = f.PositionFactory()
    if "item" not in overrides:
        overrides["item"] = f.CoverageItemFactory()
    return Evidence(**{"attribution": "on_record", **overrides})


INVALID_ROWS = {
    "actor kind outside the list": (
        "actor_kind_valid",
        lambda: Actor(kind="party", name="X", slug="x"),
    ),
    "actor country not two capitals": (
        "actor_country_is_two_capitals",
        lambda: Actor(kind="official", name="X", slug="x", country="ee"),
    ),
    "actor country too long": (
        None,
        lambda: Actor(kind="official", name="X", slug="x", country="EST"),
    ),
    "country actor without code": (
        "actor_country_has_code",
        lambda: Actor(kind="country", name="X", slug="x"),
    ),
    "actor with blank name": (
        "actor_name_not_blank",
        lambda: Actor(kind="bloc", name="", slug="x"),
    ),
    "actor wikidata id shape": (
        "actor_wikidata_id_shape",
        lambda: Actor(kind="bloc", name="X", slug="x", wikidata_id="7184"),
    ),
    "membership of itself": (
        "membership_not_of_itself",
        lambda: (lambda a: Membership(member=a, organization=a))(f.ActorFactory()),
    ),
    "membership ending before it starts": (
        "membership_ends_after_start",
        lambda: Membership(
            member=f.ActorFactory(),
            organization=f.ActorFactory(),
            start_date=DAY,
            end_date=DAY - datetime.timedelta(days=1),
        ),
    ),
    "debate status outside the list": (
        "debate_status_valid",
        lambda: Debate(
            title="T", slug="t", question="q", low_label="a", high_label="b", status="open"
        ),
    ),
    "debate without a low pole": (
        "debate_poles_named",
        lambda: Debate(title="T", slug="t", question="q", low_label="", high_label="b"),
    ),
    "debate with equal poles": (
        "debate_poles_differ",
        lambda: Debate(title="T", slug="t", question="q", low_label="same", high_label="same"),
    ),
    "stance above +2": ("position_stance_range", lambda: debate_position(stance=3)),
    "stance below −2": ("position_stance_range", lambda: debate_position(stance=-3)),
    "debate-level position without stance": (
        "position_on_debate_has_stance",
        lambda: debate_position(stance=None),
    ),
    "debate-level position with support": (
        "position_on_debate_has_stance",
        lambda: debate_position(support="support"),
    ),
    "proposal position without support": (
        "position_on_proposal_has_support",
        lambda: proposal_position(support=""),
    ),
    "support outside the list": (
        "position_support_valid",
        lambda: proposal_position(support="maybe"),
    ),
    "position status outside the list": (
        "position_status_valid",
        lambda: debate_position(status="pending", published_at=timezone.now()),
    ),
    "published without publication date": (
        "position_published_has_date",
        lambda: debate_position(status="published"),
    ),
    "retracted without reason": (
        "position_retraction_recorded",
        lambda: debate_position(
            status="retracted", published_at=timezone.now(), retracted_at=timezone.now()
        ),
    ),
    "retracted without date": (
        "position_retraction_recorded",
        lambda: debate_position(
            status="retracted", published_at=timezone.now(), retraction_reason="wrong"
        ),
    ),
    "position with blank summary": (
        "position_summary_not_blank",
        lambda: debate_position(summary=""),
    ),
    "evidence without item or URL": ("evidence_has_source", lambda: evidence(item=None, url="")),
    "evidence attribution outside the list": (
        "evidence_attribution_valid",
        lambda: evidence(attribution="rumour"),
    ),
    "evidence with zero sources": (
        "evidence_source_count_positive",
        lambda: evidence(source_count=0),
    ),
    "feed polled every minute": (
        "feed_poll_interval_bounded",
        lambda: Feed(url="https://a.example/rss", poll_interval=60),
    ),
    "feed polled every two days": (
        "feed_poll_interval_bounded",
        lambda: Feed(url="https://a.example/rss", poll_interval=172800),
    ),
    "feed URL not http": ("feed_url_is_http", lambda: Feed(url="file:///etc/passwd")),
    "coverage URL not http": (
        "item_canonical_url_is_http",
        lambda: CoverageItem(
            canonical_url="javascript:alert(1)", url="javascript:alert(1)", title="t"
        ),
    ),
    "flag with negative score": ("flag_score_not_negative", lambda: flag(score=-1)),
    "flag stance out of range": ("flag_suggested_stance_range", lambda: flag(suggested_stance=5)),
    "flag status outside the list": ("flag_status_valid", lambda: flag(status="open")),
    "claimed flag without assignee": ("flag_claimed_has_assignee", lambda: flag(status="claimed")),
    "accepted flag without decision date": (
        "flag_decision_has_date",
        lambda: flag(status="accepted"),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(INVALID_ROWS))
def test_the_database_rejects(case):
    constraint, make_row = INVALID_ROWS[case]
    row = make_row()
    # PostgreSQL refuses an over-long code by its column type (DataError),
    # SQLite by the named check.
    with pytest.raises((IntegrityError, DataError)) as error, transaction.atomic():
        row.save()
    if constraint:
        assert constraint in str(error.value)


@pytest.mark.django_db
def test_a_valid_row_of_each_kind_is_accepted():
    item = f.CoverageItemFactory()
    position = debate_position()
    position.save()
    proposal_position().save()
    evidence(position=position, item=item, source_count=4).save()
    flag(item=item).save()
    Membership(member=f.ActorFactory(), organization=f.CountryFactory(), start_date=DAY).save()
    assert Position.objects.count() == 2


@pytest.mark.django_db
def test_an_item_cannot_be_a_duplicate_of_itself():
    item = f.CoverageItemFactory()
    item.duplicate_of = item
    with pytest.raises(IntegrityError), transaction.atomic():
        item.save()


def twice(make, **fields):
    """Make the same record twice. A field given as a factory (a related record)
    is made once, for both."""

    def make_pair():
        shared = {name: value() if callable(value) else value for name, value in fields.items()}
        return make(**shared), make(**shared)

    return make_pair


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make_pair",
    [
        pytest.param(twice(f.ActorFactory, slug="nato"), id="slug"),
        pytest.param(twice(f.ActorFactory, wikidata_id="Q7184"), id="wikidata-id"),
        pytest.param(twice(f.DebateFactory, slug="d"), id="debate"),
        pytest.param(
            twice(f.ProposalFactory, debate=f.DebateFactory, slug="p"), id="proposal-per-debate"
        ),
        pytest.param(twice(f.OutletFactory, name="FT"), id="outlet-name"),
        pytest.param(
            lambda: (f.OutletFactory(domain="ft.com"), f.OutletFactory(domain="FT.com")),
            id="outlet-domain-any-case",
        ),
        pytest.param(
            twice(f.CoverageItemFactory, canonical_url="https://a.example/1"), id="canonical-url"
        ),
        pytest.param(
            twice(f.CoverageItemFactory, feed=f.FeedFactory, guid="g1"), id="guid-per-feed"
        ),
        pytest.param(
            twice(f.FlagFactory, item=f.CoverageItemFactory, debate=f.DebateFactory),
            id="flag-per-item-and-debate",
        ),
        pytest.param(
            twice(
                Membership.objects.create,
                member=f.ActorFactory,
                organization=f.ActorFactory,
                role="envoy",
                start_date=DAY,
            ),
            id="membership",
        ),
        pytest.param(
            twice(Membership.objects.create, member=f.ActorFactory, organization=f.ActorFactory),
            id="membership-without-dates",
        ),
    ],
)
def test_uniqueness_is_enforced(make_pair):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_pair()


@pytest.mark.django_db
def test_blank_guids_and_domains_do_not_collide():
    feed = f.FeedFactory()
    f.CoverageItemFactory(feed=feed, guid="")
    f.CoverageItemFactory(feed=feed, guid="")
    f.OutletFactory(domain="")
    f.OutletFactory(domain="")
    f.ActorFactory(wikidata_id="")
    f.ActorFactory(wikidata_id="")
    assert CoverageItem.objects.filter(feed=feed).count() == 2
