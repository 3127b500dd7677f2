"""With the page cache on a Redis every process shares, the public change stamp
is kept there beside the pages, and each process keeps copies of the pages it
served: a cached page costs no database query and one Redis get at most, and
any change to what readers see still reaches every page at once."""

import pytest
import redis
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tracker.models import ChangeStamp
from tracker.public.freshness import forget_page_copies
from tracker.signals import STAMP_KEY

from . import factories as f

PAGE = "/debates/airspace/"


@pytest.fixture
def shared_cache(own_redis, settings):
    """The pages cache on a Redis server of this test's own, as CACHE_URL sets it."""
    _, url = own_redis
    store = {"BACKEND": "tracker.cache.FailSoftRedisCache", "LOCATION": url}
    settings.CACHES = {"default": store, "pages": {**store, "KEY_PREFIX": "pages"}}
    settings.TRACKER_PAGE_COPIES_MB = 32
    forget_page_copies()
    yield redis.Redis.from_url(url)
    forget_page_copies()


@pytest.fixture
def reader():
    return Client(HTTP_HOST="localhost")


def make_debate():
    debate = f.DebateFactory(slug="airspace", title="Airspace")
    estonia = f.CountryFactory(name="Estonia", slug="estonia")
    f.PositionFactory(debate=debate, actor=estonia)
    return estonia


def get(reader, url=PAGE):
    with CaptureQueriesContext(connection) as captured:
        response = reader.get(url)
    assert response.status_code == 200
    return response, len(captured)


def gets(server):
    return server.info("commandstats").get("cmdstat_get", {}).get("calls", 0)


@pytest.mark.django_db
def test_a_cached_page_costs_no_query_and_a_change_shows_at_once(shared_cache, reader):
    estonia = make_debate()
    rendered, rendering = get(reader)
    cached, reading = get(reader)
    assert rendering > 1 and reading == 0
    assert cached.content == rendered.content
    assert cached["ETag"] == rendered["ETag"]

    estonia.name = "Eesti"
    estonia.save()
    changed, _ = get(reader)
    assert b"Eesti" in changed.content and b"Estonia" not in changed.content
    assert changed["ETag"] != rendered["ETag"]
    again, queries = get(reader)
    assert again.content == changed.content and queries == 0


@pytest.mark.django_db
def test_a_page_is_one_get_from_redis_and_none_from_this_process_copy(shared_cache, reader):
    make_debate()
    get(reader)
    forget_page_copies()  # as another web process, which has no copy yet
    before = gets(shared_cache)
    get(reader)
    assert gets(shared_cache) - before == 2  # the stamp and the page, in one piece
    before = gets(shared_cache)
    get(reader)
    assert gets(shared_cache) - before == 1  # the stamp


@pytest.mark.django_db
def test_without_copies_every_hit_reads_redis(shared_cache, reader, settings):
    settings.TRACKER_PAGE_COPIES_MB = 0
    make_debate()
    get(reader)
    shared_cache.flushdb()
    _, queries = get(reader)
    assert queries > 1  # rendered again: nothing was kept in this process


@pytest.mark.django_db
def test_a_copy_serves_while_the_stamp_stands(shared_cache, reader):
    make_debate()
    rendered, _ = get(reader)
    shared_cache.delete(*shared_cache.keys("pages:*page.*"))
    cached, queries = get(reader)
    assert queries == 0 and cached.content == rendered.content


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_leaves_redis_with_the_database_stamp(shared_cache, reader):
    estonia = make_debate()
    get(reader)
    with transaction.atomic():
        estonia.name = "Eesti"
        estonia.save()
        assert caches["pages"].get(STAMP_KEY) is None  # readers go to the database meanwhile
    stored = ChangeStamp.objects.get(key="public").changed_at
    assert caches["pages"].get(STAMP_KEY) == stored
    # Were Redis to miss a change, its stamp is read again within seconds.
    assert 0 < shared_cache.ttl(f"pages:1:{STAMP_KEY}") <= 10
    changed, _ = get(reader)
    assert b"Eesti" in changed.content


def test_one_redis_client_serves_every_call(shared_cache):
    pages = caches["pages"]
    assert pages._cache.get_client() is pages._cache.get_client(write=True)
