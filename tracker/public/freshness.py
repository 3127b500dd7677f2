"""Repeat views are cheap. Every public page answers If-None-Match and
If-Modified-Since through Django's `condition`, from the public change stamp
(tracker/signals.py), and rendered pages are kept in the "pages" cache under
keys made from the page's address and that stamp, so any change to published
data makes every cached page stale at once.

A page is stored in one piece (status, headers and body), so serving it is one
cache get. When that cache is a shared Redis, each process also keeps copies of
the pages it served lately, up to TRACKER_PAGE_COPIES_MB: their keys hold the
stamp too, so a change reaches them at once, and a hit costs no round trip."""

import hashlib
import threading
from functools import wraps

import cachetools
from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.decorators.http import condition

from ..signals import public_stamp, shared_page_cache

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
        identity = f"{_stamp(request).isoformat()}|{_today()}|{address}|{name}"
        return hashlib.sha256(identity.encode()).hexdigest()[:32]

    def last_modified(request, *args, **kwargs):
        return _stamp(request)

    @condition(etag_func=etag, last_modified_func=last_modified)
    def cached(request, *args, **kwargs):
        query = _canonical_query(request, known)
        if query is None or request.method not in ("GET", "HEAD"):
            response = view(request, *args, **kwargs)
        else:
            prefix = f"{name}.{_stamp(request).isoformat()}.{_today()}"
            response = _from_cache(view, request, query, prefix, args, kwargs)
        # A page's Last-Modified is the stamp compared above, not the newest
        # entry's date that feeds and the sitemap set.
        response.headers.pop("Last-Modified", None)
        return response

    @wraps(view)
    def page(request, *args, **kwargs):
        if request.method not in READ_METHODS:
            return _read_only(request)
        response = cached(request, *args, **kwargs)
        patch_cache_control(response, public=True, max_age=BROWSER_SECONDS)
        return response

    # Nothing here takes a form: any other method gets the 405 below rather
    # than the CSRF failure page.
    page.csrf_exempt = True
    return page


READ_METHODS = ("GET", "HEAD")
ALLOWED = "GET, HEAD, OPTIONS"


def read_only(view):
    """An address that only answers reads: any other method gets the 405 below
    (OPTIONS what it allows), not the CSRF failure page or the body."""

    @wraps(view)
    def only_read(request, *args, **kwargs):
        if request.method not in READ_METHODS:
            return _read_only(request)
        return view(request, *args, **kwargs)

    only_read.csrf_exempt = True
    return only_read


def _read_only(request):
    """OPTIONS is answered with what the address allows; anything else that
    would write is refused, uncached."""
    response = HttpResponse(status=200 if request.method == "OPTIONS" else 405)
    response["Allow"] = ALLOWED
    return response


# What views mark on a response for the middleware to read, rather than set as
# headers: kept with a stored page, or the embeddable chart served from the
# cache would be refused framing (X-Frame-Options: DENY, frame-ancestors 'none').
RESPONSE_MARKS = ("embeddable", "xframe_options_exempt")


def uncacheable(response):
    """Mark a response the page cache must not store (its address held input
    the page did not accept)."""
    response.uncacheable = True
    return response


def _from_cache(view, request, query, prefix, args, kwargs):
    # The canonical address, without scheme and host, since no page takes a
    # link from the Host header and any port passes ALLOWED_HOSTS: one copy for
    # every host. A HEAD is answered from the GET's copy.
    address = f"{request.path}?{query}|{get_language()}"
    key = f"page.{prefix}.{hashlib.sha256(address.encode()).hexdigest()[:32]}"
    stored = _get_page(key)
    if stored is not None:
        status, headers, body, *marks = stored
        response = HttpResponse(body, status=status, headers=headers)
        for mark in marks[0] if marks else ():
            setattr(response, mark, True)
        return response
    response = view(request, *args, **kwargs)
    if request.method == "GET" and _storable(response):
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        marks = [mark for mark in RESPONSE_MARKS if getattr(response, mark, False)]
        _set_page(key, (response.status_code, dict(response.items()), response.content, marks))
    return response


class _Copies:
    """This process's copies of pages from a shared cache, the least recently
    served dropped first; gunicorn's threads share them."""

    def __init__(self, megabytes):
        self.lock = threading.Lock()
        self.pages = cachetools.LRUCache(
            maxsize=megabytes * 1_000_000, getsizeof=lambda stored: len(stored[2]) + 1_000
        )

    def get(self, key):
        with self.lock:
            return self.pages.get(key)

    def set(self, key, stored):
        if len(stored[2]) + 1_000 > self.pages.maxsize:
            return
        with self.lock:
            self.pages[key] = stored


_copies = None
_copies_lock = threading.Lock()


def page_copies():
    """This process's copies, or None when the cache is its own already."""
    global _copies
    if shared_page_cache() is None or settings.TRACKER_PAGE_COPIES_MB <= 0:
        return None
    with _copies_lock:
        if _copies is None:
            _copies = _Copies(settings.TRACKER_PAGE_COPIES_MB)
        return _copies


def forget_page_copies():
    """Drop this process's copies (tests start from an empty cache)."""
    global _copies
    with _copies_lock:
        _copies = None


def _get_page(key):
    copies = page_copies()
    stored = copies.get(key) if copies else None
    if stored is None:
        stored = caches[PAGES].get(key)
        if stored is not None and copies:
            copies.set(key, stored)
    return stored


def _set_page(key, stored):
    caches[PAGES].set(key, stored, CACHE_SECONDS)
    copies = page_copies()
    if copies:
        copies.set(key, stored)


def _stamp(request):
    # condition() asks for the ETag and Last-Modified apart and the cache key
    # needs the stamp too: one query per request.
    if not hasattr(request, "_public_stamp"):
        request._public_stamp = public_stamp()
    return request._public_stamp


def _today():
    # Pages print today's date (the embed's "as of", the month-by-month table
    # up to this month, what a date ahead of today shows): a page of yesterday
    # is not the same page, though no published data changed.
    return timezone.localdate().isoformat()


def _storable(response):
    # A page that varies by a request header or sets a cookie is not the
    # same for every reader.
    return (
        response.status_code == 200
        and not getattr(response, "streaming", False)
        and not getattr(response, "uncacheable", False)
        and not response.has_header("Vary")
        and not response.cookies
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
