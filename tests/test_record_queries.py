"""The pages that tell shifts, keep an actor's record and show divergence read a
fixed number of queries, whatever the number of actors, debates and positions."""

import datetime
import itertools

import pytest
from django.utils import timezone

from tracker.models import Membership

from . import factories as f


def day(n):
    return datetime.date(2025, 10, n)


def populate(prefix, countries, debates, officials_each):
    """Countries that shift and retract in every debate and on its proposal,
    and officials out of step with them; returns the first country and official."""
    all_debates = [f.DebateFactory(slug=f"{prefix}-debate-{n}") for n in range(debates)]
    first = None
    for n in range(countries):
        code = f"{chr(65 + n // 26)}{chr(65 + n % 26)}"
        country = f.CountryFactory(slug=f"{prefix}-country-{n}", country=code)
        officials = [
            f.ActorFactory(kind="official", slug=f"{prefix}-official-{n}-{k}", country=code)
            for k in range(officials_each)
        ]
        for official in officials:
            Membership.objects.create(member=official, organization=country, role="Minister")
        for debate in all_debates:
            proposal = f.ProposalFactory(debate=debate)
            for stance, on in ((-1, 1), (1, 3)):
                position = f.PositionFactory(
                    debate=debate, actor=country, stance=stance, stated_on=day(on)
                )
                f.EvidenceFactory(position=position)
                f.EvidenceFactory(position=position, attribution="anonymous_officials")
            f.PositionFactory(
                debate=debate, actor=country, stance=2, stated_on=day(4), status="retracted",
                retracted_at=timezone.now(), retraction_reason="Misquoted",
            )  # fmt: skip
            for support, on in (("oppose", 1), ("support", 3)):
                f.PositionFactory(
                    debate=debate, actor=country, proposal=proposal, support=support,
                    stance=None, stated_on=day(on),
                )  # fmt: skip
            for official, (stance, on) in itertools.product(officials, ((2, 1), (-2, 2))):
                f.EvidenceFactory(
                    position=f.PositionFactory(
                        debate=debate, actor=official, stance=stance, stated_on=day(on)
                    )
                )
        first = first or (country, officials[0], all_debates[0])
    return first


# Pinned by hand: a change here means a page's reads changed; check it is not
# one query per row before raising a number.
PAGES = {
    "debate": ("/debates/{debate}/", 10),  # with the spread month by month
    "debate as of": ("/debates/{debate}/?as_of=2025-10-03", 10),
    "debate shifts": ("/debates/{debate}/shifts/", 6),
    "country": ("/actors/{country}/", 10),
    "official": ("/actors/{official}/", 9),
    "country on a debate": ("/actors/{country}/debates/{debate}/", 5),
    "debate feed": ("/debates/{debate}/feed/", 6),
    "actor feed": ("/actors/{country}/feed/", 6),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_record_pages_read_the_same_queries_at_two_sizes(client, page, django_assert_num_queries):
    small = populate("s", countries=2, debates=2, officials_each=1)
    large = populate("l", countries=6, debates=4, officials_each=2)
    template, expected = PAGES[page]
    for country, official, debate in (small, large):
        url = template.format(country=country.slug, official=official.slug, debate=debate.slug)
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response.status_code == 200
        assert b"Full flop" in response.content  # the shifts were told
