"""The page cache: absolute links never come from a request's Host header, only
canonical addresses are cached, and a cache that fails costs speed, never
availability."""

import pytest
from django.core.cache import cache

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
