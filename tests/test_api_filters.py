"""The API's filters answer a mistake with a 400 that names the parameter: a slug
that names no published record, a draft's slug, an unknown parameter name, a
date that is not one. An empty answer always means "nothing matches"."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from . import factories as f

DAY = datetime.date(2025, 10, 9)


@pytest.fixture
def world(db):
    airspace = f.DebateFactory(slug="airspace")
    sanctions = f.DebateFactory(slug="sanctions")
    estonia = f.CountryFactory(slug="estonia")
    france = f.CountryFactory(slug="france")
    # Proposal slugs are unique within a debate only: "drones" is an option in both.
    airspace_drones = f.ProposalFactory(debate=airspace, slug="drones")
    sanctions_drones = f.ProposalFactory(debate=sanctions, slug="drones")
    early = f.PositionFactory(
        debate=airspace, actor=estonia, stance=-1, stated_on=DAY, summary="EARLY"
    )
    f.PositionFactory(
        debate=airspace, actor=estonia, stance=1, stated_on=DAY + datetime.timedelta(days=5),
        summary="LATER",
    )  # fmt: skip
    before = DAY - datetime.timedelta(days=3)
    f.PositionFactory(
        debate=airspace, actor=france, proposal=airspace_drones, support="support", stance=2,
        stated_on=before,
        summary="FR-DRONES",
    )  # fmt: skip
    f.PositionFactory(
        debate=sanctions, actor=france, proposal=sanctions_drones, support="oppose", stance=0,
        stated_on=before,
        summary="FR-SANCTIONS",
    )  # fmt: skip
    draft = f.PositionFactory(debate=airspace, actor=estonia, status="draft", published_at=None)
    f.EvidenceFactory(position=early, attribution="on_record")
    hidden = f.DebateFactory(slug="hidden", status="draft")
    f.ProposalFactory(debate=hidden, slug="secret-plan")
    f.PositionFactory(debate=hidden, actor=estonia, summary="IN-DRAFT-DEBATE")
    return {"draft": draft, "early": early}


def summaries(client, query):
    response = client.get(f"/api/v1/positions/?{query}")
    assert response.status_code == 200, response.content
    return {p["summary"] for p in response.json()["results"]}


@pytest.mark.parametrize(
    ("url", "query", "errors"),
    [
        (
            "/api/v1/positions/", "debate=no-such-debate",
            {"debate": ["No published debate has the slug 'no-such-debate'."]},
        ),
        # A draft debate's slug is as unknown as one never used: nothing about it leaks.
        ("/api/v1/positions/", "debate=hidden", {"debate": ["No published debate has the slug 'hidden'."]}),
        ("/api/v1/positions/", "actor=nobody", {"actor": ["No actor has the slug 'nobody'."]}),
        (
            "/api/v1/positions/", "proposal=no-such-proposal",
            {"proposal": ["No published proposal has the slug 'no-such-proposal'."]},
        ),
        (
            "/api/v1/positions/", "proposal=secret-plan",
            {"proposal": ["No published proposal has the slug 'secret-plan'."]},
        ),
        (
            "/api/v1/positions/", "debate=hidden&actor=nobody",
            {
                "debate": ["No published debate has the slug 'hidden'."],
                "actor": ["No actor has the slug 'nobody'."],
            },
        ),
        ("/api/v1/evidence/", "debate=hidden", {"debate": ["No published debate has the slug 'hidden'."]}),
        ("/api/v1/evidence/", "actor=nobody", {"actor": ["No actor has the slug 'nobody'."]}),
        ("/api/v1/proposals/", "debate=hidden", {"debate": ["No published debate has the slug 'hidden'."]}),
        (
            "/api/v1/proposals/", "debate__slug=no-such-debate",
            {"debate__slug": ["No published debate has the slug 'no-such-debate'."]},
        ),
    ],
)  # fmt: skip
def test_a_slug_naming_no_published_record_is_a_400_naming_the_parameter(
    client, world, url, query, errors
):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert response.json() == errors


def test_evidence_of_a_position_not_on_the_record_is_a_400(client, world):
    draft = world["draft"].pk
    response = client.get(f"/api/v1/evidence/?position={draft}")
    assert response.status_code == 400
    assert response.json() == {"position": [f"No published position has the id {draft}."]}
    response = client.get("/api/v1/evidence/?position=abc")
    assert response.json() == {"position": ["No published position has the id abc."]}
    early = world["early"].pk
    evidence = client.get(f"/api/v1/evidence/?position={early}").json()["results"]
    assert [e["position"] for e in evidence] == [early]


def test_an_unknown_attribution_is_a_400_naming_it(client, world):
    response = client.get("/api/v1/evidence/?attribution=hearsay")
    assert response.status_code == 400
    assert list(response.json()) == ["attribution"]
    assert "hearsay" in response.json()["attribution"][0]
    on_record = client.get("/api/v1/evidence/?attribution=on_record").json()["results"]
    assert [e["position"] for e in on_record] == [world["early"].pk]


@pytest.mark.parametrize("query", ["stance=9", "stance=-3", "stance_min=3", "stance_max=-7"])
def test_a_stance_off_the_scale_is_a_400_naming_the_scale(client, world, query):
    response = client.get(f"/api/v1/positions/?{query}")
    assert response.status_code == 400
    [name] = response.json()
    assert query.startswith(name)
    assert "from -2 to 2" in response.json()[name][0]


def test_known_slugs_filter_as_before(client, world):
    assert summaries(client, "debate=airspace") == {"EARLY", "LATER", "FR-DRONES"}
    assert summaries(client, "actor=france") == {"FR-DRONES", "FR-SANCTIONS"}
    assert summaries(client, "actor=estonia&debate=airspace") == {"EARLY", "LATER"}
    # One slug, two debates' options: both answer.
    assert summaries(client, "proposal=drones") == {"FR-DRONES", "FR-SANCTIONS"}
    assert summaries(client, "proposal=drones&debate=sanctions") == {"FR-SANCTIONS"}
    # An empty value is no filter at all.
    assert summaries(client, "debate=&actor=&proposal=") == {
        "EARLY", "LATER", "FR-DRONES", "FR-SANCTIONS",
    }  # fmt: skip

    def proposals(query):
        results = client.get(f"/api/v1/proposals/?{query}").json()["results"]
        return [(p["debate"], p["slug"]) for p in results]

    assert proposals("debate=sanctions") == [("sanctions", "drones")]
    assert proposals("debate__slug=sanctions") == [("sanctions", "drones")]
    evidence = client.get("/api/v1/evidence/?debate=airspace&actor=estonia").json()["results"]
    assert [e["position"] for e in evidence] == [world["early"].pk]
    assert client.get("/api/v1/evidence/?actor=france").json()["results"] == []


@pytest.mark.parametrize(
    ("url", "query", "unknown"),
    [
        ("/api/v1/positions/", "debat=airspace", {"debat"}),
        ("/api/v1/positions/", "debate=airspace&stanse=1&page=2", {"stanse", "page"}),
        ("/api/v1/evidence/", "quote=drones", {"quote"}),
        ("/api/v1/proposals/", "title=x", {"title"}),
        ("/api/v1/actors/", "name=Estonia", {"name"}),
        ("/api/v1/debates/", "status=draft", {"status"}),
        ("/api/v1/debates/airspace/", "debate=airspace", {"debate"}),
    ],
)
def test_an_unknown_parameter_is_a_400_naming_it(client, world, url, query, unknown):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == unknown
    assert all(message[0].startswith("Unknown parameter.") for message in errors.values())


def test_an_unknown_parameter_message_lists_what_the_endpoint_reads(client, world):
    message = client.get("/api/v1/evidence/?quote=x").json()["quote"][0]
    assert message == (
        "Unknown parameter. This endpoint reads: actor, attribution, debate, format, limit, "
        "offset, position."
    )


@pytest.mark.parametrize(
    "url", ["/api/v1/positions/", "/api/v1/evidence/", "/api/v1/debates/", "/api/v1/actors/"]
)
def test_paging_and_format_stay_allowed(client, world, url):
    # No list is ordered on request (each has its documented order), so
    # ?ordering= is unknown like any other parameter nothing reads.
    response = client.get(f"{url}?limit=1&offset=0&format=json")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


@pytest.mark.parametrize("url", ["/api/v1/positions/", "/api/v1/debates/airspace/"])
def test_a_format_the_api_does_not_speak_is_a_400_naming_it(client, world, url):
    response = client.get(f"{url}?format=xml")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"format": ["No format called 'xml': the API answers in json."]}


def test_as_of_is_a_date_filter(client, world):
    response = client.get("/api/v1/positions/?as_of=2025-02-30")
    assert response.status_code == 400
    assert list(response.json()) == ["as_of"]
    response = client.get("/api/v1/positions/?as_of=yesterday&debate=hidden")
    assert set(response.json()) == {"as_of", "debate"}
    # Each actor's latest as of the day, per debate and per proposal.
    assert summaries(client, "as_of=2025-10-10") == {"EARLY", "FR-DRONES", "FR-SANCTIONS"}
    assert summaries(client, "as_of=2025-10-14&actor=estonia") == {"LATER"}
    assert summaries(client, "as_of=2025-10-08") == {"FR-DRONES", "FR-SANCTIONS"}
    assert summaries(client, "as_of=") == {"EARLY", "LATER", "FR-DRONES", "FR-SANCTIONS"}


def test_as_of_picks_each_actors_position_before_other_filters(client, world):
    # On 14 October Estonia's position was LATER (+1), so asking for the
    # positions held that day at -1 finds none of Estonia's: EARLY (-1) had
    # been superseded. Filtering first would wrongly revive it.
    assert summaries(client, "as_of=2025-10-14&stance=-1") == set()
    assert summaries(client, "as_of=2025-10-14&stance=1") == {"LATER"}
    assert summaries(client, "as_of=2025-10-14&stated_before=2025-10-10") == {
        "FR-DRONES",
        "FR-SANCTIONS",
    }


def test_the_schema_documents_the_filters(client, world):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    def parameters(path):
        return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}

    positions = parameters("/api/v1/positions/")
    assert positions["as_of"]["schema"] == {"type": "string", "format": "date"}
    assert "current position" in positions["as_of"]["description"]
    for name in ("debate", "actor", "proposal"):
        assert positions[name]["schema"]["type"] == "string", name
        assert "slug" in positions[name]["description"], name
    assert {"debate", "debate__slug"} <= set(parameters("/api/v1/proposals/"))
    assert {"debate", "actor", "position"} <= set(parameters("/api/v1/evidence/"))


def test_filtered_list_queries_do_not_grow_with_rows(client, db):
    debate = f.DebateFactory(slug="airspace")
    actor = f.CountryFactory(slug="estonia")

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def add(n):
        for day in range(n):
            position = f.PositionFactory(
                debate=debate, actor=actor, stated_on=DAY - datetime.timedelta(days=day)
            )
            f.EvidenceFactory(position=position)

    urls = [
        "/api/v1/positions/?debate=airspace&actor=estonia",
        "/api/v1/positions/?debate=airspace&as_of=2025-10-09",
        "/api/v1/evidence/?debate=airspace&actor=estonia",
        "/api/v1/proposals/?debate=airspace",
    ]
    add(5)
    small = {url: count(url) for url in urls}
    add(60)
    assert {url: count(url) for url in urls} == small


@pytest.mark.django_db
def test_the_apis_links_come_from_the_site_address_never_from_the_host_header(
    world, client, settings
):
    settings.TRACKER_SITE_URL = "https://tracker.example.org"
    made_up = {"HTTP_HOST": "localhost:31337"}
    page = client.get("/api/v1/positions/?limit=1", **made_up).json()
    assert page["next"] == "https://tracker.example.org/api/v1/positions/?limit=1&offset=1"
    second = client.get("/api/v1/positions/?limit=1&offset=1", **made_up).json()
    assert second["previous"] == "https://tracker.example.org/api/v1/positions/?limit=1"
    root = client.get("/api/v1/", **made_up).json()
    assert root["positions"] == "https://tracker.example.org/api/v1/positions/"
    assert root["docs"] == "https://tracker.example.org/api/v1/docs/"
    assert not any("31337" in str(link) for link in root.values())


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/positions/", "/compare/"])
def test_an_address_with_more_parameters_than_are_read_is_a_400(client, path):
    query = "&".join(f"actor=a{n}" for n in range(1500))
    response = client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert b"Too many parameters" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, parameter, message",
    [
        ("limit=-1", "limit", "A whole number, 1 or more (a page holds at most 500)."),
        ("limit=0", "limit", "A whole number, 1 or more (a page holds at most 500)."),
        ("limit=abc", "limit", "A whole number, 1 or more (a page holds at most 500)."),
        ("limit=1.5", "limit", "A whole number, 1 or more (a page holds at most 500)."),
        ("offset=-1", "offset", "A whole number, 0 or more."),
        ("offset=nato", "offset", "A whole number, 0 or more."),
        ("limit=²", "limit", "A whole number, 1 or more (a page holds at most 500)."),
        ("debate=airspace&debate=sanctions", "debate", "Given more than once: give it once."),
        ("actor=estonia&actor=france", "actor", "Given more than once: give it once."),
        ("ordering=summary", "ordering", None),
    ],
)
def test_junk_paging_repeated_or_unread_parameters_are_a_400_naming_them(
    world, client, query, parameter, message
):
    response = client.get(f"/api/v1/positions/?{query}")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [parameter]
    if message:
        assert errors[parameter] == [message]


@pytest.mark.django_db
def test_a_limit_above_the_cap_is_cut_to_it_and_paging_still_works(world, client):
    page = client.get("/api/v1/positions/?limit=100000").json()
    assert len(page["results"]) == page["count"]
    assert client.get("/api/v1/positions/?limit=500&offset=0").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("country, status", [("EE", 200), ("ee", 200), ("xxxx", 400), ("ZZ", 400)])
def test_an_actors_country_filter_takes_a_country_code(world, client, country, status):
    response = client.get(f"/api/v1/actors/?country={country}")
    assert response.status_code == status
    if status == 400:
        assert list(response.json()) == ["country"]


@pytest.mark.parametrize(
    "url",
    ["/api/v1/proposals/999/", "/api/v1/proposals/abc/", "/api/v1/releases/9/",
     "/api/v1/debates/no-such-debate/", "/api/v1/positions/999999/"],
)  # fmt: skip
def test_what_is_not_there_is_not_found_in_the_same_words(client, world, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_nul_in_an_address_is_refused_in_plain_words(client, world):
    response = client.get("/api/v1/positions/?debate=%00")
    assert response.status_code == 400
    assert response.content.decode() == "A web address cannot hold a NUL character (%00)."
