"""The page cache: absolute links never come from a request's Host header, only
canonical addresses are cached, and a cache that fails costs speed, never
availability."""

import logging

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tracker.models import Feed

from . import factories as f
from .factories import UserFactory
from .forms import submit

SITE = "https://tracker.example"


@pytest.fixture
def world(db, settings):
    settings.TRACKER_SITE_URL = SITE
    debate = f.DebateFactory(slug="airspace")
    estonia = f.CountryFactory(name="Estonia", slug="estonia")
    f.PositionFactory(debate=debate, actor=estonia)
    cache.clear()


@pytest.mark.parametrize(
    "url",
    ["/export/popolo.json", "/debates/airspace/", "/debates/airspace/feed/",
     "/actors/estonia/feed/", "/sitemap.xml"],
)  # fmt: skip
def test_a_forged_host_never_reaches_the_cached_links(client, world, url):
    forged = client.get(url, HTTP_HOST="localhost:31337")
    assert forged.status_code == 200
    for response in (forged, client.get(url)):
        body = response.content.decode()
        assert "31337" not in body and "//localhost" not in body
        assert SITE + "/" in body


def served_from_cache(client, url):
    """A cached page costs one query (the data's change stamp); a rendered one more."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured) == 1


def test_a_filtered_page_is_cached_once_whatever_the_parameter_order(client, world):
    assert not served_from_cache(client, "/debates/airspace/?kind=country&stance=1")
    assert served_from_cache(client, "/debates/airspace/?stance=1&kind=country")
    assert served_from_cache(client, "/debates/airspace/?stance=1&kind=country&bloc=&as_of=")
    assert not served_from_cache(client, "/debates/airspace/")
    assert served_from_cache(client, "/debates/airspace/?kind=&stance=&bloc=&attribution=")


@pytest.mark.parametrize(
    "url",
    ["/debates/airspace/?utm_source=x", "/debates/airspace/?kind=country&kind=bloc",
     "/debates/airspace/?as_of=99999-99-99", "/actors/?kind=nonsense", "/search/?q=estonia",
     "/compare/?a=estonia&b=estonia", "/?anything=1", "/export/popolo.json?x=1"],
)  # fmt: skip
def test_addresses_that_are_not_canonical_are_served_but_never_stored(client, world, url):
    assert not served_from_cache(client, url)
    assert not served_from_cache(client, url)


def test_junk_query_strings_do_not_grow_the_cache(client, world):
    client.get("/debates/airspace/")
    stored = len(cache._cache)
    for n in range(50):
        assert client.get(f"/debates/airspace/?q{n}={n}").status_code == 200
        assert client.get(f"/search/?q=word{n}").status_code == 200
    assert len(cache._cache) == stored


READER_PAGES = [
    "/", "/debates/airspace/", "/debates/airspace/feed/", "/export/positions.csv",
    "/export/popolo.json", "/api/v1/positions/", "/api/v1/actors/estonia/",
]  # fmt: skip
DESK_PAGES = ["/admin/", "/admin/tracker/position/", "/admin/tracker/feed/"]


def test_pages_keep_answering_when_the_cache_redis_stops(world, own_redis, settings, caplog):
    server, url = own_redis
    store = {"BACKEND": "tracker.cache.FailSoftRedisCache", "LOCATION": url}
    settings.CACHES = {"default": store, "pages": {**store, "KEY_PREFIX": "pages"}}
    reader = Client(HTTP_HOST="localhost")
    desk = Client(HTTP_HOST="localhost")
    desk.force_login(UserFactory(username="root", is_superuser=True))

    for page in READER_PAGES:
        assert reader.get(page).status_code == 200, page
    stored = redis.Redis.from_url(url)
    assert stored.keys("pages:*") and stored.dbsize() > len(stored.keys("pages:*"))  # and rates

    server.kill()
    server.wait()
    caplog.set_level(logging.INFO, logger="tracker.cache")
    for _ in range(3):
        for page in READER_PAGES:
            assert reader.get(page).status_code == 200, page
        for page in DESK_PAGES:
            assert desk.get(page).status_code == 200, page
    registered = submit(desk, "/admin/tracker/feed/add/", {"url": "https://93.184.216.34/feed.xml"})
    assert registered.status_code == 302
    assert Feed.objects.filter(url="https://93.184.216.34/feed.xml").exists()
    warnings = [r for r in caplog.records if r.name == "tracker.cache" and r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()
