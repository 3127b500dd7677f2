"""The public change stamp moves with every change a reader could see, and public
pages answer from it: the same validators and cache headers on a fresh render, a
cached copy and a 304, whatever a feed or the sitemap says of its own entries. Pages
are kept in the "pages" cache: the default's store, fail-soft, under keys of their own."""

import datetime
from types import SimpleNamespace

import pytest
from django.core import serializers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat
from django.utils import timezone as django_timezone

from tracker.models import Actor, ChangeStamp

from . import factories as f
from .subprocesses import run_settings

OLD = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
STAMP = datetime.datetime(2025, 10, 10, 12, 0, tzinfo=datetime.UTC)
STAMP_HTTP = "Fri, 10 Oct 2025 12:00:00 GMT"


def stamp():
    return ChangeStamp.objects.values_list("changed_at", flat=True).get(key="public")


def set_stamp(when):
    # update() sends no signals, so this is the only thing that moves it here.
    ChangeStamp.objects.update_or_create(key="public", defaults={"changed_at": when})


@pytest.fixture
def record(db, debate, estonia):
    position = f.PositionFactory(debate=debate, actor=estonia)
    set_stamp(OLD)
    return position


@pytest.fixture
def world(record):
    """Everything a change below needs is stored first, so only that change runs."""
    world = SimpleNamespace(
        position=record,
        latvia=f.CountryFactory(name="Latvia", slug="latvia", country="LV"),
        draft_debate=f.DebateFactory(status="draft"),
        item=f.CoverageItemFactory(),
    )
    set_stamp(OLD)
    return world


def rename(actor):
    actor.name = "Eesti"
    actor.save()


def load_as_fixture(actor):
    data = serializers.serialize("json", [actor])
    for loaded in serializers.deserialize("json", data):
        loaded.object.name = "Eesti"
        loaded.save()


@pytest.mark.parametrize(
    "change",
    [
        lambda w: f.PositionFactory(debate=w.position.debate, actor=w.latvia, stance=-1),
        lambda w: f.PositionFactory(
            debate=w.draft_debate, actor=w.latvia, status="draft", published_at=None
        ),
        lambda w: f.EvidenceFactory(position=w.position, item=w.item),
        lambda w: rename(w.position.actor),
        lambda w: w.position.debate.subjects.add(w.latvia),
        lambda w: w.position.delete(),
        lambda w: rename_outlet(w.item.outlet),
        lambda w: retitle(w.item),
        lambda w: w.item.outlet.delete(),
    ],
    ids=["publish", "draft", "evidence", "actor", "subjects", "delete", "outlet", "story",
         "outlet-deleted"],
)  # fmt: skip
def test_a_change_to_what_pages_show_moves_the_stamp(world, change):
    change(world)
    assert stamp() > OLD


def rename_outlet(outlet):
    outlet.name = "The Example Wire"
    outlet.save()


def retitle(item):
    item.title = "A better headline"
    item.save()


def test_a_new_outlet_or_story_leaves_the_stamp_until_evidence_cites_it(world):
    """Readers see an outlet or a story only through the evidence that cites
    it, and that evidence's save moves the stamp: a worker meeting 200 new
    outlets must not make every cached page stale 200 times."""
    outlet = f.OutletFactory()
    item = f.CoverageItemFactory(outlet=outlet)
    assert stamp() == OLD
    f.EvidenceFactory(position=world.position, item=item)
    assert stamp() > OLD


def test_a_feed_or_a_user_leaves_the_stamp(record):
    outlet = f.OutletFactory()
    set_stamp(OLD)
    f.FeedFactory(outlet=outlet)
    f.UserFactory()
    assert stamp() == OLD


def test_loading_a_fixture_leaves_the_stamp(record):
    load_as_fixture(record.actor)
    assert Actor.objects.get(pk=record.actor.pk).name == "Eesti"
    assert stamp() == OLD


def headers(response):
    return {name: response.get(name) for name in ("ETag", "Last-Modified", "Cache-Control")}


def test_a_feed_carries_the_stamp_not_its_newest_entry(client, record):
    record.published_at = datetime.datetime(2025, 10, 1, tzinfo=datetime.UTC)
    record.save()
    set_stamp(STAMP)
    feed = client.get("/debates/airspace/feed/")
    assert feed.status_code == 200
    assert feed["Last-Modified"] == STAMP_HTTP
    again = client.get("/debates/airspace/feed/", HTTP_IF_MODIFIED_SINCE=STAMP_HTTP)
    assert again.status_code == 304


def queries_for(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, len(captured)


def test_rendered_cached_and_not_modified_answers_carry_the_same_headers(client, record):
    set_stamp(STAMP)
    rendered, rendering = queries_for(client, "/debates/airspace/")
    cached, reading = queries_for(client, "/debates/airspace/")
    not_modified = client.get("/debates/airspace/", HTTP_IF_NONE_MATCH=rendered["ETag"])
    assert (rendered.status_code, cached.status_code, not_modified.status_code) == (200, 200, 304)
    assert rendering > 1 and reading == 1  # the stamp
    assert headers(rendered)["Last-Modified"] == STAMP_HTTP
    assert headers(rendered)["Cache-Control"] == "public, max-age=60"
    assert headers(cached) == headers(not_modified) == headers(rendered)
    for response in (rendered, cached, not_modified):
        assert "Expires" not in response and "Age" not in response


def test_a_head_request_is_answered_from_a_cached_page(client, record):
    client.get("/debates/airspace/")
    with CaptureQueriesContext(connection) as captured:
        assert client.head("/debates/airspace/").status_code == 200
    assert len(captured) == 1  # the stamp


def test_the_pages_cache_is_the_default_store_under_its_own_prefix(tmp_path):
    code = "c = settings.CACHES['pages']; print(c['BACKEND'], c.get('LOCATION'), c['KEY_PREFIX'])"
    in_memory = run_settings(tmp_path, code=code, DEBUG="1")
    locmem = "django.core.cache.backends.locmem.LocMemCache"
    assert in_memory.stdout.split() == [locmem, "None", "pages"]
    redis = run_settings(tmp_path, code=code, DEBUG="1", CACHE_URL="redis://h:6379/1")
    assert redis.stdout.split() == ["tracker.cache.FailSoftRedisCache", "redis://h:6379/1", "pages"]


def test_every_host_and_port_shares_one_cached_copy(client, record):
    client.get("/debates/airspace/?stance=1", HTTP_HOST="localhost:31337")
    for host in ("localhost", "localhost:8000", "127.0.0.1"):
        response, queries = queries_for(client, "/debates/airspace/?stance=1", HTTP_HOST=host)
        assert (response.status_code, queries) == (200, 1), host


@pytest.mark.django_db
def test_before_anything_is_published_pages_carry_one_fixed_stamp(client):
    first = client.get("/debates/")
    assert first["Last-Modified"] == "Sat, 01 Jan 2000 00:00:00 GMT"
    assert client.get("/debates/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_page_of_yesterday_is_not_answered_as_unchanged_today(client, record, monkeypatch):
    """The embed prints today's date: after midnight its old tag no longer
    matches, and the cached copy of yesterday is not served."""
    set_stamp(STAMP)
    yesterday = client.get("/embed/debates/airspace/")
    assert (
        client.get("/embed/debates/airspace/", HTTP_IF_NONE_MATCH=yesterday["ETag"]).status_code
        == 304
    )
    later = django_timezone.now() + datetime.timedelta(days=40)
    monkeypatch.setattr(django_timezone, "now", lambda: later)
    today = client.get("/embed/debates/airspace/", HTTP_IF_NONE_MATCH=yesterday["ETag"])
    assert today.status_code == 200
    assert dateformat.format(django_timezone.localdate(), "j F Y") in today.content.decode()
