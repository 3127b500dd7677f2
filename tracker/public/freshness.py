"""Repeat views are cheap: every public page answers conditional requests from
the public change stamp (tracker/signals.py), and rendered pages are cached
under it, so any change to published data makes every cached page stale at once."""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.http import HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe, quote_etag, urlencode

from ..signals import public_stamp

CACHE_SECONDS = 600


def fresh_public_page(view, params=()):
    """Answer If-None-Match / If-Modified-Since with 304, and serve rendered pages
    from the cache until readers' data changes.

    Only canonical addresses are cached: `params` are the query parameters the
    page reads, and the cache key holds them in one order, empty ones dropped.
    An address with any other parameter (or one given twice), or that the view
    marks with `uncacheable()`, is served but not stored, so junk query strings
    cannot fill the cache."""

    name = getattr(view, "__name__", type(view).__name__)
    known = frozenset(params)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        stamp = public_stamp()
        canonical = _canonical_query(request, known)
        address = request.get_full_path() if canonical is None else f"{request.path}?{canonical}"
        identity = f"{stamp.isoformat()}|{address}|{name}"
        etag = quote_etag(hashlib.sha256(identity.encode()).hexdigest()[:32])
        last_modified = http_date(stamp.timestamp())
        key = "page:" + hashlib.sha256(identity.encode()).hexdigest()
        if _not_modified(request, etag, stamp):
            response = HttpResponseNotModified()
        elif canonical is None:
            response = view(request, *args, **kwargs)
        else:
            response = cache.get(key)
            if response is None:
                response = view(request, *args, **kwargs)
                if _storable(response):
                    if hasattr(response, "render") and callable(response.render):
                        response = response.render()
                    cache.set(key, response, CACHE_SECONDS)
        response["ETag"] = etag
        response["Last-Modified"] = last_modified
        response["Cache-Control"] = "public, max-age=60"
        return response

    return wrapper


def uncacheable(response):
    """Mark a response the page cache must not store (its address held input
    the page did not accept)."""
    response.uncacheable = True
    return response


def _storable(response):
    return (
        response.status_code == 200
        and not getattr(response, "streaming", False)
        and not getattr(response, "uncacheable", False)
    )


def _canonical_query(request, known):
    pairs = []
    for name, values in request.GET.lists():
        if name not in known or len(values) > 1:
            return None
        if values[0]:
            pairs.append((name, values[0]))
    return urlencode(sorted(pairs))


def _not_modified(request, etag, stamp):
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        return etag in [tag.strip() for tag in if_none_match.split(",")] or if_none_match == "*"
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE") or "")
    return since is not None and int(stamp.timestamp()) <= since
