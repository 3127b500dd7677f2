"""A debate's shifts grow with every month of its life: its page tells the
latest few, and the debate's shifts page tells them all, a page at a time."""

import datetime

import pytest

from . import factories as f

DAY = datetime.date(2025, 10, 1)


def _debate_with_shifts(debate, count):
    """`count` actors that each moved once, from -1 to +1; actor n moved on day n."""
    for n in range(count):
        actor = f.CountryFactory(name=f"Mover {n:02d}", slug=f"mover-{n:02d}")
        f.PositionFactory(debate=debate, actor=actor, stance=-1, stated_on=DAY)
        f.PositionFactory(
            debate=debate,
            actor=actor,
            stance=1,
            summary=f"Moved-{n:02d}",
            stated_on=DAY + datetime.timedelta(days=n + 1),
        )


def _told(response):
    return [n for n in range(60) if f"Moved-{n:02d}" in response.content.decode()]


@pytest.mark.django_db
def test_the_debate_page_tells_the_20_latest_shifts_and_links_to_all(client, debate):
    _debate_with_shifts(debate, 27)
    response = client.get("/debates/airspace/")
    # Actors 7..26 moved last; 0..6 earlier. Every summary is also in the stance
    # table, so look at the shift articles only.
    page = response.content.decode()
    shifts = page[page.index('id="shifts-heading"') :]
    assert [n for n in range(27) if f"Moved-{n:02d}" in shifts] == list(range(7, 27))
    assert "The 20 latest of 27 shifts" in shifts
    assert 'href="/debates/airspace/shifts/"' in shifts


@pytest.mark.django_db
def test_a_debate_with_few_shifts_tells_them_all_without_a_link(client, debate):
    _debate_with_shifts(debate, 3)
    page = client.get("/debates/airspace/").content.decode()
    shifts = page[page.index('id="shifts-heading"') :]
    assert [n for n in range(3) if f"Moved-{n:02d}" in shifts] == [0, 1, 2]
    assert "/debates/airspace/shifts/" not in shifts


@pytest.mark.django_db
def test_the_shifts_page_tells_every_shift_latest_first_fifty_a_page(client, debate):
    _debate_with_shifts(debate, 57)
    first = client.get("/debates/airspace/shifts/")
    assert first.status_code == 200
    assert _told(first) == list(range(7, 57))
    page = first.content.decode()
    assert page.index("Moved-56") < page.index("Moved-55")
    assert 'href="?page=2"' in page
    second = client.get("/debates/airspace/shifts/?page=2")
    assert _told(second) == list(range(0, 7))
    assert "Page 2 of 2" in second.content.decode()
    assert client.get("/debates/airspace/shifts/?page=3").status_code == 404
    assert client.get("/debates/airspace/shifts/?page=x").status_code == 404


@pytest.mark.django_db
def test_the_shifts_page_of_a_draft_or_unknown_debate_is_not_found(client):
    f.DebateFactory(slug="secret", status="draft")
    assert client.get("/debates/secret/shifts/").status_code == 404
    assert client.get("/debates/nope/shifts/").status_code == 404


@pytest.mark.django_db
def test_as_of_tells_the_shifts_known_on_that_day(client, debate):
    _debate_with_shifts(debate, 27)
    # On 11 Oct actors 0..9 had moved (actor n on 2 + n Oct).
    page = client.get("/debates/airspace/?as_of=2025-10-11").content.decode()
    shifts = page[page.index('id="shifts-heading"') :]
    assert [n for n in range(27) if f"Moved-{n:02d}" in shifts] == list(range(10))
