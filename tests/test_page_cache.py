"""The page cache: absolute links never come from a request's Host header, only
canonical addresses are cached, and a cache that fails costs speed, never
availability."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from . import factories as f

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
