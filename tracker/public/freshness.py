"""Repeat views are cheap. Every public page answers If-None-Match and
If-Modified-Since through Django's `condition`, from the public change stamp
(tracker/signals.py), and rendered pages are kept in the "pages" cache under
keys Django's cache utilities make from the page's address and that stamp, so
any change to published data makes every cached page stale at once."""

import copy
import hashlib
from functools import wraps

from django.core.cache import caches
from django.utils.cache import get_cache_key, learn_cache_key, patch_cache_control
from django.utils.http import urlencode
from django.views.decorators.http import condition

from ..signals import public_stamp

PAGES = "pages"
CACHE_SECONDS = 600
BROWSER_SECONDS = 60


def fresh_public_page(view, params=()):
    """Answer conditional requests with 304, and serve rendered pages from the
    cache until readers' data changes.

    Only canonical addresses are cached: `params` are the query parameters the
    page reads, and the cache key holds them in one order, empty ones dropped.
    An address with any other parameter (or one given twice), or that the view
    marks with `uncacheable()`, is served but not stored, so junk query strings
    cannot fill the cache."""

    name = getattr(view, "__name__", type(view).__name__)
    known = frozenset(params)

    def etag(request, *args, **kwargs):
        query = _canonical_query(request, known)
        address = request.get_full_path() if query is None else f"{request.path}?{query}"
        identity = f"{_stamp(request).isoformat()}|{address}|{name}"
        return hashlib.sha256(identity.encode()).hexdigest()[:32]

    def last_modified(request, *args, **kwargs):
        return _stamp(request)

    @condition(etag_func=etag, last_modified_func=last_modified)
    def cached(request, *args, **kwargs):
        query = _canonical_query(request, known)
        if query is None or request.method not in ("GET", "HEAD"):
            response = view(request, *args, **kwargs)
        else:
            prefix = f"{name}.{_stamp(request).isoformat()}"
            response = _from_cache(view, request, query, prefix, args, kwargs)
        # A page's Last-Modified is the stamp compared above, not the newest
        # entry's date that feeds and the sitemap set.
        response.headers.pop("Last-Modified", None)
        return response

    @wraps(view)
    def page(request, *args, **kwargs):
        response = cached(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=BROWSER_SECONDS)
        return response

    return page


def uncacheable(response):
    """Mark a response the page cache must not store (its address held input
    the page did not accept)."""
    response.uncacheable = True
    return response


def _from_cache(view, request, query, prefix, args, kwargs):
    pages = caches[PAGES]
    # Django's keys hash build_absolute_uri(): give them the canonical address,
    # without scheme and host, since no page takes a link from the Host header
    # and any port passes ALLOWED_HOSTS: one copy for every host.
    canonical = copy.copy(request)
    canonical.META = {**request.META, "QUERY_STRING": query}
    canonical.build_absolute_uri = canonical.get_full_path
    key = get_cache_key(canonical, prefix, "GET", cache=pages)
    response = pages.get(key) if key else None
    if response is None:
        response = view(request, *args, **kwargs)
        if request.method == "GET" and _storable(response):
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            key = learn_cache_key(canonical, response, CACHE_SECONDS, prefix, cache=pages)
            pages.set(key, response, CACHE_SECONDS)
    return response


def _stamp(request):
    # condition() asks for the ETag and Last-Modified apart and the cache key
    # needs the stamp too: one query per request.
    if not hasattr(request, "_public_stamp"):
        request._public_stamp = public_stamp()
    return request._public_stamp


def _storable(response):
    return (
        response.status_code == 200
        and not getattr(response, "streaming", False)
        and not getattr(response, "uncacheable", False)
    )


def _canonical_query(request, known):
    # Both the ETag and the cache key need it: worked out once per request.
    if not hasattr(request, "_canonical_query"):
        request._canonical_query = _read_canonical_query(request, known)
    return request._canonical_query


def _read_canonical_query(request, known):
    pairs = []
    for name, values in request.GET.lists():
        if name not in known or len(values) > 1:
            return None
        if values[0]:
            pairs.append((name, values[0]))
    return urlencode(sorted(pairs))
