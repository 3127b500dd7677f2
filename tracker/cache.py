"""The cache is for speed only: while its Redis is unreachable every read is a
miss and every write is dropped, so pages, the API and exports keep answering
(and the API's rate limit lets anonymous reads through until Redis is back;
alert sign-ups, which send mail, are counted in each process instead).
An outage is logged once when it starts and once when it ends, not per request."""

import logging
import threading
import time
from functools import wraps
from urllib.parse import urlsplit

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# While Redis is down, try it again at most this often; between tries the cache
# answers at once without waiting on a connection that will be refused.
RETRY_SECONDS = 5.0


class _Outage:
    def __init__(self):
        self.lock = threading.Lock()
        self.down_since = None
        self.last_try = 0.0

    def skip(self):
        with self.lock:
            if self.down_since is None or time.monotonic() - self.last_try >= RETRY_SECONDS:
                self.last_try = time.monotonic()
                return False
            return True

    def began(self, location, error):
        with self.lock:
            if self.down_since is not None:
                return
            self.down_since = self.last_try = time.monotonic()
        logger.warning("cache %s is unreachable, serving without it: %s", location, error)

    def ended(self, location):
        if self.down_since is None:
            return
        with self.lock:
            if self.down_since is None:
                return
            seconds, self.down_since = time.monotonic() - self.down_since, None
        logger.info("cache %s is back after %.0f s", location, seconds)


def _fail_soft(fallback):
    def decorate(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            if self.outage.skip():
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except RedisError as error:
                self.outage.began(self.label, error)
                return fallback(*args, **kwargs)
            self.outage.ended(self.label)
            return result

        return wrapper

    return decorate


def _given_default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _no_values(*args, **kwargs):
    return {}


def _all_failed(data, *args, **kwargs):
    return list(data)


# Django makes a cache object per thread; the outage is the server's, shared by all.
_outages = {}
_outages_lock = threading.Lock()


def _outage_of(label):
    with _outages_lock:
        return _outages.setdefault(label, _Outage())


class PooledClientRedisCacheClient(RedisCacheClient):
    """Django's client makes a new redis.Redis for every call; one per
    connection pool does the same work (redis.Redis is thread-safe)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient
        # Named in logs without the password a URL may carry.
        parts = urlsplit(self._servers[0])
        self.label = f"redis://{parts.hostname}:{parts.port or 6379}{parts.path}"
        self.outage = _outage_of(self.label)

    get = _fail_soft(_given_default)(RedisCache.get)
    set = _fail_soft(_nothing)(RedisCache.set)
    add = _fail_soft(_false)(RedisCache.add)
    touch = _fail_soft(_false)(RedisCache.touch)
    delete = _fail_soft(_false)(RedisCache.delete)
    has_key = _fail_soft(_false)(RedisCache.has_key)
    get_many = _fail_soft(_no_values)(RedisCache.get_many)
    set_many = _fail_soft(_all_failed)(RedisCache.set_many)
    delete_many = _fail_soft(_nothing)(RedisCache.delete_many)
    clear = _fail_soft(_false)(RedisCache.clear)
