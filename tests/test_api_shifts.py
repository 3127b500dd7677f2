"""/api/v1/shifts/: every shift readers see on the debate and actor pages, with the
same rating and sentence, for data users who chart changes of mind."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from . import factories as f

DAY = datetime.date(2025, 10, 9)


def say(debate, actor, stance, days, attribution="on_record", **fields):
    position = f.PositionFactory(
        debate=debate,
        actor=actor,
        stance=stance,
        stated_on=DAY + datetime.timedelta(days),
        **fields,
    )
    f.EvidenceFactory(position=position, attribution=attribution)
    return position


@pytest.fixture
def shifts(db):
    airspace = f.DebateFactory(
        slug="airspace", title="Airspace", low_label="conservative", high_label="more aggressive"
    )
    tariffs = f.DebateFactory(
        slug="tariffs", title="Tariffs", low_label="free", high_label="tariffs"
    )
    france = f.CountryFactory(name="France", slug="france", country="FR")
    poland = f.CountryFactory(name="Poland", slug="poland", country="PL")
    say(airspace, france, 1, 0)
    say(airspace, france, 2, 3)  # firmed up
    say(airspace, poland, 2, 0)
    say(airspace, poland, -1, 5, attribution="anonymous_officials")  # full flop
    say(airspace, poland, 0, 9, draft=True)  # a draft is nobody's shift yet
    say(tariffs, france, -1, 1)
    say(tariffs, france, -1, 4)  # the same stance again: no shift
    return airspace


@pytest.mark.django_db
def test_the_api_lists_shifts_newest_first_in_words(client, shifts):
    body = client.get("/api/v1/shifts/").json()
    assert body["count"] == 2
    poland, france = body["results"]
    assert (poland["actor"], poland["debate"], poland["rating"]) == (
        "poland",
        "airspace",
        "Full flop",
    )
    assert (poland["before"]["stance"], poland["after"]["stance"]) == (2, -1)
    assert (poland["before"]["stated_on"], poland["after"]["stated_on"]) == (
        "2025-10-09",
        "2025-10-14",
    )
    assert poland["sentence"] == (
        "Full flop: Poland moved from +2 to −1 on Airspace, three steps towards "
        "“conservative”; evidence: on the record before, anonymous officials after."
    )
    assert (france["actor"], france["rating"]) == ("france", "Firmed up")
    assert france["after"]["stance_label"] == "strongly more aggressive"


@pytest.mark.django_db
def test_shifts_filter_by_debate_and_actor_and_refuse_what_names_nothing(client, shifts):
    assert [s["actor"] for s in client.get("/api/v1/shifts/?actor=france").json()["results"]] == [
        "france"
    ]
    assert client.get("/api/v1/shifts/?debate=tariffs").json()["count"] == 0
    refused = client.get("/api/v1/shifts/?debate=nothing")
    assert refused.status_code == 400 and "debate" in refused.json()
    assert client.get("/api/v1/shifts/?stance=2").status_code == 400  # not a shift filter


@pytest.mark.django_db
def test_listing_shifts_takes_the_same_queries_however_many(client, shifts):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/shifts/").status_code == 200
        return len(queries)

    few = count()
    for n in range(10):
        actor = f.CountryFactory(name=f"Country {n}", slug=f"country-{n}")
        say(shifts, actor, 1, 0)
        say(shifts, actor, -2, 2)
    assert count() == few
