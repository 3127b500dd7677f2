"""Reading across debates: the table of actors by debates and its ranking, the
comparison of any number of actors, and a debate's spread month by month."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracker.models import Debate, Position
from tracker.public.across import distribution, month_ends

from . import factories as f


def day(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def three_debates(db):
    """Three countries on two public debates and a draft one, written out by hand."""
    air = f.DebateFactory(slug="air", title="Airspace")
    sea = f.DebateFactory(slug="sea", title="Sea lanes")
    hidden = f.DebateFactory(slug="hidden", title="Hidden", status=Debate.Status.DRAFT)
    estonia = f.CountryFactory(name="Estonia", slug="estonia", country="EE")
    france = f.CountryFactory(name="France", slug="france", country="FR")
    poland = f.CountryFactory(name="Poland", slug="poland", country="PL")
    for debate, actor, stance, on in [
        (air, estonia, -1, "2025-08-10"),
        (air, estonia, 1, "2025-10-05"),  # Estonia's current stance on Airspace
        (air, poland, 2, "2025-09-30"),
        (air, france, 0, "2025-09-15"),
        (sea, france, -2, "2025-09-01"),
        (sea, poland, -1, "2025-09-02"),
        (hidden, estonia, 2, "2025-09-01"),
    ]:
        f.PositionFactory(debate=debate, actor=actor, stance=stance, stated_on=day(on))
    # Neither a draft nor a retracted position counts.
    f.PositionFactory(debate=air, actor=france, stance=-2, stated_on=day("2025-10-20"), draft=True)
    f.PositionFactory(
        debate=air, actor=poland, stance=-2, stated_on=day("2025-10-21"), retracted=True
    )
    return air, sea


def spread(debate, until):
    """The spread as the debate page reads it, from the debate's runs."""
    return distribution(
        Position.objects.public().filter(debate=debate, stated_on__lte=until).runs(), until
    )


def test_month_ends_run_to_the_last_day_then_stop_at_the_date_asked():
    assert month_ends(day("2025-11-20"), day("2026-02-10")) == [
        day("2025-11-30"), day("2025-12-31"), day("2026-01-31"), day("2026-02-10"),
    ]  # fmt: skip
    assert month_ends(day("2024-02-03"), day("2024-02-29")) == [day("2024-02-29")]


def test_the_spread_month_by_month_counts_each_actors_stance_at_each_months_end(three_debates):
    air, _ = three_debates
    months = spread(air, day("2025-11-12"))
    counts = [(m.end.isoformat(), [c for _, c in m.counts]) for m in months]
    #            −2 −1  0 +1 +2
    assert counts == [
        ("2025-08-31", [0, 1, 0, 0, 0]),  # Estonia −1
        ("2025-09-30", [0, 1, 1, 0, 1]),  # Estonia −1, France 0, Poland +2 (on the 30th)
        (
            "2025-10-31",
            [0, 0, 1, 1, 1],
        ),  # Estonia moved to +1; the draft and retraction do not count
        ("2025-11-12", [0, 0, 1, 1, 1]),
    ]
    assert [m.total for m in months] == [1, 3, 3, 3]
    # The bars are drawn against the fullest month: three actors fill the width.
    assert months[0].segments == [(-1, 0.0, 33.333)]
    assert [width for _, _, width in months[2].segments] == [33.333, 33.333, 33.333]
    # The same answer, month by month, as the query for one date gives it.
    for month in months:
        current = Position.objects.public().current_overall([air], as_of=month.end)
        stances = sorted(p.stance for p in current)
        assert stances == sorted(v for v, c in month.counts for _ in range(c)), month.end


def test_the_spread_as_of_a_date_stops_there_and_a_debate_without_positions_has_none(
    three_debates,
):
    air, _ = three_debates
    assert [m.end for m in spread(air, day("2025-09-20"))] == [
        day("2025-08-31"), day("2025-09-20"),
    ]  # fmt: skip
    assert spread(f.DebateFactory(slug="empty"), day("2025-09-20")) == []


@pytest.mark.django_db
def test_the_spread_is_one_query_however_many_months_and_actors(django_assert_num_queries):
    for size, slug in ((2, "small"), (30, "large")):
        debate = f.DebateFactory(slug=slug)
        for n in range(size):
            actor = f.ActorFactory(slug=f"{slug}-{n}")
            for month in range(1, 1 + size % 12):
                f.PositionFactory(
                    debate=debate,
                    actor=actor,
                    stance=n % 5 - 2,
                    stated_on=day(f"2024-{month:02}-03"),
                )
        with django_assert_num_queries(1):
            spread(debate, day("2025-12-31"))


def test_the_debate_page_shows_the_spread_as_a_table(client, three_debates):
    page = client.get("/debates/air/?as_of=2025-10-31").content.decode()
    assert "How the actors spread, month by month" in page
    assert '<time datetime="2025-09-30">Sep 2025</time>' in page
    assert page.count('<rect class="s') == 1 + 3 + 3  # a bar segment per stance held


def test_across_lists_every_actor_with_each_current_stance(client, three_debates):
    response = client.get("/across/")
    table = response.context["table"]
    assert [d.slug for d in table.debates] == ["air", "sea"]  # never the draft debate
    found = [
        (actor.name, [p.stance if p else None for _, p in cells]) for actor, cells in table.rows
    ]
    assert found == [("Estonia", [1, None]), ("France", [0, -2]), ("Poland", [2, -1])]
    page = response.content.decode()
    assert 'data-label="Sea lanes"' in page and "Hidden" not in page
    assert '<a href="/across/">Across</a>' in page  # in the nav


def test_across_ranks_the_actors_by_one_debate(client, three_debates):
    def names(url):
        return [actor.name for actor, _ in client.get(url).context["table"].rows]

    assert names("/across/?by=air") == ["Poland", "Estonia", "France"]
    assert names("/across/?by=air&order=low") == ["France", "Estonia", "Poland"]
    # Estonia has no stance on Sea lanes: last whichever way.
    assert names("/across/?by=sea") == ["Poland", "France", "Estonia"]
    assert names("/across/?by=sea&order=low") == ["France", "Poland", "Estonia"]


def test_across_says_what_it_could_not_rank_by_and_is_not_cached(client, three_debates):
    for url, words in [
        ("/across/?by=hidden", "No public debate called “hidden”"),
        ("/across/?by=air&order=sideways", "No order called “sideways”"),
        # As typed, not as Python writes a string: no backslashes, nothing unseen.
        ("/across/?by=it%27s%22x", "No public debate called “it&#x27;s&quot;x”"),
        ("/across/?order=%E2%80%AE%07up", "No order called “up”"),
    ]:
        response = client.get(url)
        assert response.status_code == 200 and words in response.content.decode()
        assert getattr(response, "uncacheable", False)
    assert [a.name for a, _ in client.get("/across/?by=hidden").context["table"].rows] == [
        "Estonia", "France", "Poland",
    ]  # fmt: skip


def test_compare_lines_up_any_number_of_actors(client, three_debates):
    response = client.get("/compare/?actor=poland&actor=estonia&actor=france")
    comparison = response.context["comparison"]
    assert [a.name for a in comparison.actors] == ["Poland", "Estonia", "France"]
    rows = [
        (d.slug, [(a.slug, p.stance if p else None) for a, p in sides], spread)
        for d, _, sides, spread in comparison.rows
    ]
    assert rows == [
        ("air", [("poland", 2), ("estonia", 1), ("france", 0)], 2),
        ("sea", [("poland", -1), ("estonia", None), ("france", -2)], 1),
    ]
    page = response.content.decode()
    # The form keeps the three and offers no one else (there is no one else).
    assert page.count('type="hidden" name="actor"') == 3
    assert 'href="/compare/?actor=poland&amp;actor=france">Remove' in page


def test_compare_keeps_its_two_actor_addresses(client, three_debates):
    response = client.get("/compare/?a=estonia&b=poland&actor=france")
    assert [a.slug for a in response.context["comparison"].actors] == [
        "estonia", "poland", "france",
    ]  # fmt: skip
    # The form carries them on in the new form of the address.
    assert response.content.decode().count('type="hidden" name="actor"') == 3
    one = client.get("/compare/?a=estonia").context["comparison"]
    assert [d.slug for d, *_ in one.rows] == ["air"]  # alone, every debate it is in


def test_compare_names_the_actors_it_does_not_know(client, three_debates):
    response = client.get("/compare/?actor=estonia&actor=nobody")
    assert "No actor called nobody" in response.content.decode()
    assert [a.slug for a in response.context["comparison"].actors] == ["estonia"]
    assert getattr(response, "uncacheable", False)


def _populate(prefix, actors, debates):
    """Actors that shift over several months in several debates."""
    made = [f.DebateFactory(slug=f"{prefix}-d{n}", title=f"{prefix} {n}") for n in range(debates)]
    people = [f.ActorFactory(slug=f"{prefix}-a{n}", name=f"{prefix} A{n}") for n in range(actors)]
    for debate in made:
        for n, actor in enumerate(people):
            for month, stance in ((3, -1), (5, 1), (8, n % 5 - 2)):
                f.PositionFactory(
                    debate=debate, actor=actor, stance=stance, stated_on=day(f"2025-{month:02}-09")
                )
            proposal = f.ProposalFactory(debate=debate)
            f.PositionFactory(
                debate=debate, actor=actor, proposal=proposal, support="support", stance=None
            )
    return made, people


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


# Pinned by hand: the change stamp, then the page's own reads.
PAGES = {
    "/across/": 3,
    "/across/?by={debate}&order=low": 3,
    "/compare/?actor={first}&actor={second}": 3,
    "/compare/?{all}": 3,
}


@pytest.mark.django_db
def test_the_new_pages_read_the_same_queries_at_two_sizes(client):
    for prefix, actors, debates in (("s", 2, 2), ("l", 12, 5)):
        made, people = _populate(prefix, actors, debates)
        values = {
            "debate": made[-1].slug,
            "first": people[0].slug,
            "second": people[1].slug,
            "all": "&".join(f"actor={p.slug}" for p in people),
        }
        for template, expected in PAGES.items():
            assert _queries(client, template.format(**values)) == expected, (prefix, template)


@pytest.mark.django_db
def test_the_debate_page_with_its_spread_costs_the_same_queries_at_any_size(client):
    counts = []
    for prefix, actors in (("s", 2), ("l", 15)):
        made, _ = _populate(prefix, actors, 1)
        counts.append(_queries(client, f"/debates/{made[0].slug}/"))
    assert counts[0] == counts[1]


def test_across_is_served_from_the_page_cache_until_data_changes(client, three_debates):
    for url in ("/across/", "/across/?by=air&order=low"):
        assert _queries(client, url) == 3
        assert _queries(client, url) == 1, url  # the change stamp; the page from the cache
    f.PositionFactory(
        debate=three_debates[0], actor=f.CountryFactory(name="Latvia", slug="latvia", country="LV")
    )
    page = client.get("/across/").content.decode()
    assert "Latvia" in page


@pytest.mark.django_db
def test_a_long_debate_spreads_over_its_last_ten_years_with_what_was_held_before():
    debate = f.DebateFactory(slug="long")
    old = f.CountryFactory(slug="old-hand", country="FR")
    f.PositionFactory(debate=debate, actor=old, stance=-2, stated_on=day("1950-06-01"))
    f.PositionFactory(
        debate=debate, actor=f.CountryFactory(), stance=1, stated_on=day("2025-01-05")
    )
    months = spread(debate, day("2025-11-12"))
    assert len(months) == 120
    assert months[0].end == day("2015-12-31")
    assert months[-1].end == day("2025-11-12")
    # The position of 1950 is still held in every month shown.
    assert [c for _, c in months[0].counts] == [1, 0, 0, 0, 0]
    assert [c for _, c in months[-1].counts] == [1, 0, 0, 1, 0]
