"""Numbered data releases: cut by publishers, frozen, downloadable, diffed
against the release before, citable, and never changed once cut."""

import csv
import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tracker import desk
from tracker.models import DataRelease, Membership, Position
from tracker.releases import CODEBOOK, cut_release

from . import factories as f
from .forms import logged_in
from .pages import parse, text
from .test_open_data import popolo_validator

DAY = datetime.date(2025, 10, 9)
LATEST = DAY + datetime.timedelta(days=20)
CUT = reverse("admin:tracker_datarelease_cut")


@pytest.fixture
def world(db, publisher):
    """Estonia on the airspace debate: two published stances and a draft; and a
    draft debate whose positions no release may hold. Ids are set far above any
    the database's sequence hands out, so that expectations can name them."""
    debate = f.DebateFactory(slug="airspace", title="Airspace", low_label="conservative")
    estonia = f.CountryFactory(name="Estonia", slug="estonia", country="EE")
    f.PositionFactory(
        debate=debate, actor=estonia, stance=-1, stated_on=DAY, summary="EARLY", id=1000101
    )
    later = f.PositionFactory(
        debate=debate,
        actor=estonia,
        stance=1,
        stated_on=DAY + datetime.timedelta(days=5),
        summary="LATER",
        id=1000102,
    )
    f.EvidenceFactory(position=later, quote="=cmd()", attribution="on_record")
    f.PositionFactory(
        debate=debate, actor=estonia, stance=2, status="draft", published_at=None,
        summary="DRAFT-ONLY", id=1000103,
    )  # fmt: skip
    hidden = f.DebateFactory(slug="hidden", title="Hidden", status="draft")
    f.PositionFactory(debate=hidden, actor=estonia, summary="IN-DRAFT-DEBATE", id=1000104)
    return debate, estonia


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


# Cutting -------------------------------------------------------------------


def test_an_editor_is_refused_the_cut_page_and_cuts_nothing(world, editor):
    client = logged_in(editor)
    for response in (client.get(CUT), client.post(CUT, {"note": "mine"})):
        assert response.status_code == 403
        assert "Only publishers cut data releases." in response.content.decode()
    assert not DataRelease.objects.exists()
    listing = client.get(reverse("admin:tracker_datarelease_changelist")).content.decode()
    assert "Cut a release" not in listing


def test_a_publisher_cuts_release_one_from_the_panel(world, publisher):
    client = logged_in(publisher)
    listing = client.get(reverse("admin:tracker_datarelease_changelist")).content.decode()
    assert CUT in listing
    assert "numbered 1" in client.get(CUT).content.decode()
    response = client.post(CUT, {"note": "For the autumn report."})
    release = DataRelease.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:tracker_datarelease_change", args=[release.pk])
    assert (release.number, release.cut_by, release.note) == (
        1,
        publisher,
        "For the autumn report.",
    )
    assert (release.debate_count, release.position_count, release.actor_count) == (1, 2, 1)
    assert release.changelog["previous"] is None
    page = client.get(response["Location"]).content.decode()
    assert "2 positions in 1 debate, 1 actor" in page


def test_the_frozen_csv_reads_back_with_its_codebook_and_only_public_rows(world, publisher):
    release = cut_release(publisher)
    rows = csv_rows(release.positions_csv)
    assert [(r["id"], r["stance"], r["summary"], r["evidence_quote"]) for r in rows] == [
        ("1000101", "-1", "EARLY", ""),
        ("1000102", "1", "LATER", "'=cmd()"),
    ]
    assert all(r["debate"] == "airspace" and r["actor"] == "estonia" for r in rows)
    codebook = csv_rows(release.codebook_csv)
    assert [line["column"] for line in codebook] == list(rows[0].keys())
    stance = next(line for line in codebook if line["column"] == "stance")
    assert stance["type"] == "integer"
    assert "from -2 (the debate's low pole) to +2" in stance["description"]
    assert all(line["description"] for line in codebook)


def test_the_codebook_describes_exactly_the_csv_columns():
    from tracker.public.exports import CSV_COLUMNS

    assert list(CODEBOOK) == CSV_COLUMNS


def test_the_frozen_json_holds_public_positions_and_the_release_header(world, publisher, settings):
    settings.TRACKER_SITE_URL = "https://tracker.example.org"
    release = cut_release(publisher)
    data = json.loads(release.positions_json)
    assert [p["id"] for p in data["positions"]] == [1000101, 1000102]
    assert [d["slug"] for d in data["debates"]] == ["airspace"]
    assert "DRAFT-ONLY" not in release.positions_json
    assert "IN-DRAFT-DEBATE" not in release.positions_json
    assert data["release"]["number"] == 1
    assert data["release"]["url"] == "https://tracker.example.org/data/releases/1/"
    day = f"{release.cut_at:%Y-%m-%d}"
    assert data["release"]["citation"] == (
        f"Policy Debate Tracker data, release 1 ({day}), "
        "https://tracker.example.org/data/releases/1/"
    )


def test_the_frozen_popolo_validates_against_the_schemas(world, publisher):
    official = f.ActorFactory(slug="kaja-kallas", name="Kaja Kallas", kind="official")
    Membership.objects.create(member=official, organization=world[1], role="Prime Minister")
    release = cut_release(publisher)
    data = json.loads(release.popolo_json)
    assert [p["id"] for p in data["persons"]] == ["kaja-kallas"]
    assert [o["id"] for o in data["organizations"]] == ["estonia"]
    schemas = {"persons": "person", "organizations": "organization", "memberships": "membership"}
    errors = [
        (entry, error.message)
        for kind, schema in schemas.items()
        for entry in data[kind]
        for error in popolo_validator(schema).iter_errors(entry)
    ]
    assert errors == []
    assert [len(data[kind]) for kind in schemas] == [1, 1, 1]


# What changed ---------------------------------------------------------------


def test_a_release_is_diffed_against_the_next(world, publisher):
    debate, estonia = world
    first = cut_release(publisher)
    frozen = (first.positions_csv, first.positions_json, first.popolo_json)

    latvia = f.CountryFactory(name="Latvia", slug="latvia", country="LV")
    f.PositionFactory(debate=debate, actor=latvia, stance=0, stated_on=DAY, id=1000201)
    f.PositionFactory(
        debate=debate,
        actor=estonia,
        stance=2,
        stated_on=DAY + datetime.timedelta(days=9),
        id=1000202,
    )  # a shift from +1, Estonia's latest published stance
    f.PositionFactory(
        debate=debate,
        actor=estonia,
        stance=1,
        stated_on=DAY + datetime.timedelta(days=9),
        proposal=f.ProposalFactory(debate=debate, slug="drones", title="Arm drones"),
        id=1000203,
        support="support",
    )  # a first stance on a proposal: added
    desk.retract(Position.objects.get(id=1000101), publisher, "Misquoted")
    correction = desk.draft_correction(Position.objects.get(id=1000102), publisher)
    correction.summary = "LATER, CORRECTED"
    correction.correction_note = "The date was wrong."
    correction.save()
    desk.publish(correction, publisher)
    elsewhere = f.DebateFactory(slug="elsewhere", title="Elsewhere")
    f.PositionFactory(debate=elsewhere, actor=latvia, stance=1, id=1000301)
    before_withdrawal = cut_release(publisher)
    desk.withdraw_debate(elsewhere, publisher, "Out of scope")

    second_log = before_withdrawal.changelog
    assert second_log["previous"] == 1
    # In the files' order: by debate, actor, then date.
    assert [(e["id"], e["actor"], e["stance"]) for e in second_log["added"]] == [
        (1000203, "estonia", 1),
        (1000201, "latvia", 0),
        (1000301, "latvia", 1),
    ]
    assert [(e["id"], e["previous_stance"], e["stance"]) for e in second_log["shifted"]] == [
        (1000202, 1, 2)
    ]
    assert [(e["id"], e["retraction_reason"]) for e in second_log["retracted"]] == [
        (1000101, "Misquoted")
    ]
    assert [(e["id"], e["summary"], e["correction_note"]) for e in second_log["corrected"]] == [
        (1000102, "LATER, CORRECTED", "The date was wrong.")
    ]
    assert second_log["withdrawn"] == []
    assert second_log["added"][2]["debate_title"] == "Elsewhere"

    third = cut_release(publisher)
    assert third.number == 3
    log = third.changelog
    assert log["previous"] == 2
    assert [(e["id"], e["debate_title"]) for e in log["withdrawn"]] == [(1000301, "Elsewhere")]
    assert log["added"] == log["shifted"] == log["retracted"] == log["corrected"] == []

    first.refresh_from_db()
    assert (first.positions_csv, first.positions_json, first.popolo_json) == frozen
    assert "LATER, CORRECTED" not in first.positions_csv


def test_a_release_of_the_same_data_is_not_cut_twice(world, publisher):
    client = logged_in(publisher)
    assert client.post(CUT, {"note": "October"}).status_code == 302
    again = client.post(CUT, {"note": "October"})  # a second click, or Back and again
    assert again.status_code == 200
    assert (
        "Nothing has changed since release 1: it already holds everything readers can "
        "see now." in text(parse(again))
    )
    assert list(DataRelease.objects.values_list("number", flat=True)) == [1]


def test_a_release_where_only_actors_changed_says_no_position_did(world, publisher, client):
    _, estonia = world
    cut_release(publisher)
    official = f.ActorFactory(kind="official", name="Kristen Michal", slug="michal")
    Membership.objects.create(member=official, organization=estonia, role="Prime Minister")
    second = cut_release(publisher)
    assert {kind: entries for kind, entries in second.changelog.items() if entries} == {
        "previous": 1
    }
    page = text(parse(client.get("/data/releases/2/")))
    assert "No position changed since release 1; the actors and their memberships did." in page


# Immutable ------------------------------------------------------------------


def test_a_release_refuses_changes_and_deletion_in_code(world, publisher):
    release = cut_release(publisher)
    release.note = "rewritten"
    with pytest.raises(PermissionDenied):
        release.save()
    with pytest.raises(PermissionDenied):
        release.delete()
    with pytest.raises(PermissionDenied):
        DataRelease.objects.filter(pk=release.pk).update(positions_csv="")
    with pytest.raises(PermissionDenied):
        DataRelease.objects.all().delete()
    release = DataRelease.objects.get()
    release.record_doi("10.5281/zenodo.1")
    with pytest.raises(PermissionDenied):
        release.record_doi("10.5281/zenodo.2")
    stored = DataRelease.objects.get()
    assert (stored.note, stored.doi) == ("", "10.5281/zenodo.1")


@pytest.mark.parametrize("who", ["editor", "publisher", "superuser"])
def test_no_role_edits_or_deletes_a_release_in_the_panel(world, publisher, who, request):
    release = cut_release(publisher)
    frozen = DataRelease.objects.values().get()
    client = logged_in(request.getfixturevalue(who))
    change = reverse("admin:tracker_datarelease_change", args=[release.pk])
    delete = reverse("admin:tracker_datarelease_delete", args=[release.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(
        change,
        {"number": 9, "note": "rewritten", "positions_count": 0, "positions_csv": "x"},
    )
    bulk = client.post(
        reverse("admin:tracker_datarelease_changelist"),
        {"action": "delete_selected", "_selected_action": [release.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert DataRelease.objects.values().get() == frozen
    assert client.get(change).status_code == 200


def test_a_publisher_records_the_doi_once_and_an_editor_cannot(world, publisher, editor):
    release = cut_release(publisher)
    change = reverse("admin:tracker_datarelease_change", args=[release.pk])
    assert logged_in(editor).post(change, {"doi": "10.1234/editor"}).status_code == 403
    client = logged_in(publisher)
    refused = client.post(change, {"doi": "not a doi"})
    assert "A DOI looks like 10.5281/zenodo.1234567." in refused.content.decode()
    response = client.post(change, {"doi": "10.5281/zenodo.17"})
    assert response.status_code == 302
    assert DataRelease.objects.get().doi == "10.5281/zenodo.17"
    assert client.post(change, {"doi": "10.5281/zenodo.18"}).status_code == 403
    assert DataRelease.objects.get().doi == "10.5281/zenodo.17"


# Readers and the API -----------------------------------------------------------


def test_the_release_pages_offer_files_changelog_and_citation(world, publisher, client, settings):
    settings.TRACKER_SITE_URL = "https://tracker.example.org"
    assert "No release has been cut yet." in client.get("/data/releases/").content.decode()
    first = cut_release(publisher, "For the autumn report.")
    f.PositionFactory(debate=world[0], actor=world[1], stance=2, id=1000202, stated_on=LATEST)
    cut_release(publisher)
    listing = client.get("/data/releases/").content.decode()
    assert listing.index("Release 2") < listing.index("Release 1")
    assert "For the autumn report." in listing
    page = client.get("/data/releases/2/").content.decode()
    day = f"{first.cut_at:%Y-%m-%d}"
    assert (
        f"Policy Debate Tracker data, release 2 ({day}), https://tracker.example.org/data/releases/2/"
        in page
    )
    assert "pdt-release-2" in page
    assert "What changed since release 1" in page
    assert "from +1 to +2" in page
    assert f"stated {LATEST.day} {LATEST:%b %Y}" in page  # as the site writes dates
    for name in ("positions.csv", "codebook.csv", "positions.json", "popolo.json"):
        assert f'href="/data/releases/2/{name}"' in page
    assert "The first release" in client.get("/data/releases/1/").content.decode()
    assert client.get("/data/releases/3/").status_code == 404
    assert client.get("/data/releases/01/").status_code == 404  # one address per release
    assert client.get("/data/releases/01/positions.csv").status_code == 404


def test_the_downloads_are_the_frozen_bytes(world, publisher, client):
    release = cut_release(publisher)
    f.PositionFactory(debate=world[0], actor=world[1], stance=2, summary="AFTER THE CUT")
    response = client.get("/data/releases/1/positions.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="release-1-positions.csv"' in response["Content-Disposition"]
    assert response.content.decode() == release.positions_csv
    assert "AFTER THE CUT" not in response.content.decode()
    assert [r["id"] for r in csv_rows(response.content.decode())] == ["1000101", "1000102"]
    popolo = client.get("/data/releases/1/popolo.json").json()
    assert [o["id"] for o in popolo["organizations"]] == ["estonia"]
    codebook = client.get("/data/releases/1/codebook.csv").content.decode()
    assert codebook.startswith("column,type,description\r\nid,integer,")
    assert client.get("/data/releases/1/positions.xml").status_code == 404
    assert client.get("/data/releases/2/positions.csv").status_code == 404


def test_a_frozen_file_is_cached_for_good_and_revalidates_by_its_own_tag(world, publisher, client):
    cut_release(publisher)
    first = client.get("/data/releases/1/positions.csv")
    assert first["Cache-Control"] == "public, max-age=31536000, immutable"
    etag = first["ETag"]
    # Something else is published: the site changes, the frozen file does not.
    f.PositionFactory(debate=world[0], actor=world[1], stance=2, summary="AFTER THE CUT")
    again = client.get("/data/releases/1/positions.csv")
    assert again["ETag"] == etag
    assert again["Last-Modified"] == first["Last-Modified"]
    assert client.get("/data/releases/1/positions.csv", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/data/releases/1/codebook.csv")["ETag"] != etag
    missing = client.get("/data/releases/2/positions.csv")
    assert missing.status_code == 404
    assert "immutable" not in missing.get("Cache-Control", "")


def test_the_api_lists_releases_with_file_links(world, publisher, client, settings):
    settings.TRACKER_SITE_URL = "https://tracker.example.org"
    cut_release(publisher)
    f.PositionFactory(debate=world[0], actor=world[1], stance=2, id=1000202, stated_on=LATEST)
    cut_release(publisher).record_doi("10.5281/zenodo.9")
    listing = client.get("/api/v1/releases/").json()
    assert [r["number"] for r in listing["results"]] == [2, 1]
    second = client.get("/api/v1/releases/2/").json()
    assert second["identifier"] == "pdt-release-2"
    assert second["url"] == "https://tracker.example.org/data/releases/2/"
    assert second["doi"] == "10.5281/zenodo.9"
    assert second["citation"].endswith(
        "https://tracker.example.org/data/releases/2/, doi:10.5281/zenodo.9"
    )
    assert second["files"] == {
        "positions.csv": "https://tracker.example.org/data/releases/2/positions.csv",
        "codebook.csv": "https://tracker.example.org/data/releases/2/codebook.csv",
        "positions.json": "https://tracker.example.org/data/releases/2/positions.json",
        "popolo.json": "https://tracker.example.org/data/releases/2/popolo.json",
    }
    assert [(e["id"], e["previous_stance"]) for e in second["changelog"]["shifted"]] == [
        (1000202, 1)
    ]
    assert "positions_csv" not in second
    assert second["changelog"]["everything_new"] is False
    # The first release has nothing to compare with: every position in it is new.
    first = client.get("/api/v1/releases/1/").json()["changelog"]
    assert first["previous"] is None and first["everything_new"] is True
    assert client.get("/api/v1/releases/9/").status_code == 404
    assert client.post("/api/v1/releases/", {}).status_code == 405


def test_cutting_a_release_refreshes_the_cached_list(world, publisher, client):
    assert "Release 1" not in client.get("/data/releases/").content.decode()
    cut_release(publisher)
    assert "Release 1" in client.get("/data/releases/").content.decode()


# Query counts ------------------------------------------------------------------


# Pinned by hand: a change here means a page's reads changed; check it is not
# one query per release or per change before raising a number.
PAGES = {
    "list": ("/data/releases/", 2),
    "release": ("/data/releases/{last}/", 2),
    "file": ("/data/releases/{last}/positions.csv", 2),
    "api list": ("/api/v1/releases/", 2),
    "api release": ("/api/v1/releases/{last}/", 1),
}


def cut_after_changes(publisher, debate, changes):
    for _ in range(changes):
        f.PositionFactory(debate=debate, actor=f.CountryFactory(), stance=1, stated_on=LATEST)
    return cut_release(publisher)


@pytest.mark.parametrize("page", PAGES)
def test_release_pages_read_the_same_queries_however_many_releases_and_changes(
    world, publisher, client, page, django_assert_num_queries
):
    template, expected = PAGES[page]
    cut_release(publisher)
    small = cut_after_changes(publisher, world[0], 1)
    with django_assert_num_queries(expected):
        assert client.get(template.format(last=small.number)).status_code == 200
    for _ in range(4):
        large = cut_after_changes(publisher, world[0], 5)
    with django_assert_num_queries(expected):
        assert client.get(template.format(last=large.number)).status_code == 200


def test_a_doi_with_a_character_nobody_sees_is_refused_before_it_is_fixed_for_good(
    world, publisher
):
    release = cut_release(publisher)
    change = reverse("admin:tracker_datarelease_change", args=[release.pk])
    client = logged_in(publisher)
    refused = client.post(change, {"doi": "10.1234/\u200bpdt.1"})
    assert refused.status_code == 200
    assert "A DOI looks like 10.5281/zenodo.1234567." in refused.content.decode()
    assert client.post(change, {"doi": "10.1234/pdt.1"}).status_code == 302
    release.refresh_from_db()
    assert release.doi == "10.1234/pdt.1"


def test_a_release_note_is_kept_as_readers_read_it(world, publisher):
    client = logged_in(publisher)
    too_long = client.post(CUT, {"note": "x" * 2001})
    assert "at most 2000 characters" in too_long.content.decode()
    assert not DataRelease.objects.exists()
    assert (
        client.post(CUT, {"note": "\u202eOctober\u200b  data\n\nFor the report."}).status_code
        == 302
    )
    assert DataRelease.objects.get().note == "October data\n\nFor the report."
